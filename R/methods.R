#' Methods for `gmm_em` fits
#'
#' `print()` shows the final state of a fit in a few lines. `fit$responsibilities`
#' builds the tidy responsibilities data frame from the compact array `fit$resp`
#' when it is asked for, so that a large fit does not hold both.
#'
#' @param x A `gmm_em` object.
#' @param digits Significant digits to print.
#' @param name An element of the fit.
#' @param ... Ignored.
#' @return `print()` returns `x` invisibly; `$` returns the element.
#' @examples
#' fit <- gmm_em(generate_data(var1 = 3), pi = c(0.1, 0.9),
#'               mu = list(c(0.1, 0), c(0, 0)), Sigma = list(diag(0.1, 2), diag(0.1, 2)))
#' print(fit)
#' head(fit$responsibilities)
#' @name gmm_em-methods
NULL

#' @rdname gmm_em-methods
#' @export
print.gmm_em <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  digits <- check_whole_number(digits, "digits", min = 1, max = 15)
  X <- .subset2(x, "data")
  final <- .subset2(x, "final")
  ll <- .subset2(x, "loglik")
  K <- length(final$pi)
  n_iter <- .subset2(x, "n_iter")
  control <- .subset2(x, "control")
  cat(sprintf("Gaussian mixture fitted by EM: n = %d, d = %d, K = %d\n", nrow(X), ncol(X), K))
  stop_text <- if (is.null(control$tol)) {
    "all iterations run, no early stop"
  } else if (isTRUE(.subset2(x, "converged"))) {
    sprintf("converged, tol = %s", format(control$tol))
  } else {
    sprintf("not converged, tol = %s", format(control$tol))
  }
  cat(sprintf("%d iterations (%s); log-likelihood %s (start: %s)\n", n_iter, stop_text,
              format(ll$loglik[n_iter + 1L], digits = digits + 3L), format(ll$loglik[1L], digits = digits + 3L)))
  params <- .subset2(x, "params")
  last <- params[params$iteration == n_iter, setdiff(names(params), "iteration")]
  mu_cols <- grep("^mu_", names(last), value = TRUE)
  table <- last[c("component", "pi", mu_cols)]
  if (!is.null(colnames(X))) names(table)[-(1:2)] <- paste0("mu_", colnames(X))
  rownames(table) <- NULL
  cat("Final weights and means:\n")
  print(format(table, digits = digits), row.names = FALSE)
  kept <- dimnames(.subset2(x, "resp"))[[3L]]
  cat(sprintf("Responsibilities kept for %d iteration%s.\n", length(kept), if (length(kept) == 1L) "" else "s"))
  invisible(x)
}

#' @rdname gmm_em-methods
#' @export
`$.gmm_em` <- function(x, name) {
  if (identical(name, "responsibilities")) return(responsibilities_frame(.subset2(x, "resp")))
  .subset2(x, name)
}

#' @rdname gmm_em-methods
#' @export
`[[.gmm_em` <- function(x, name, ...) {
  if (identical(name, "responsibilities")) return(responsibilities_frame(.subset2(x, "resp")))
  .subset2(x, name, ...)
}

# ---------------------------------------------------------------------------
# Model generics: summary, predict, logLik, nobs, coef, fitted
# ---------------------------------------------------------------------------

# The final parameters theta_T as the C++ core takes them: pi (K), mu (d x K)
# and Sigma (d x d x K), whatever form `final` keeps them in.
final_params <- function(object) params_at(object, .subset2(object, "n_iter"))

# The E-step of the final parameters on the rows of X: responsibilities (n x K)
# and the log-likelihood. A row it cannot place (no finite density under any
# component) is an error about the argument the rows came from.
final_estep <- function(object, X, arg = "newdata") {
  theta <- final_params(object)
  res <- em_estep_cpp(X, theta$pi, theta$mu, theta$Sigma, gmm_threads())
  if (!is.null(res$error)) {
    abort_arg(arg, "cannot be clustered with the fitted parameters: ",
              sub("^EM stopped at iteration [0-9]+: ", "", res$error$message))
  }
  res
}

# New observations as a numeric matrix with the fit's columns: a data frame or
# matrix that has all the fit's column names is taken by name (so extra
# columns, such as iris's Species, are ignored); otherwise it must have the
# fit's number of numeric columns. A 0-row input gives a 0-row matrix.
model_rows <- function(object, newdata, arg = "newdata") {
  X <- .subset2(object, "data")
  d <- ncol(X)
  names <- colnames(X)
  if (!is.null(names) && length(dim(newdata)) == 2L && all(names %in% colnames(newdata))) {
    newdata <- newdata[, names, drop = FALSE]
  }
  if (length(dim(newdata)) == 2L && nrow(newdata) == 0L) {
    if (inherits(newdata, "gmm_data")) newdata <- newdata[setdiff(names(newdata), "cluster")]
    if (ncol(newdata) != d) {
      abort_arg(arg, "must have ", d, " column", if (d == 1L) "" else "s",
                " (as the data the model was fitted to), not ", ncol(newdata), ".")
    }
    return(matrix(numeric(), 0L, d, dimnames = list(NULL, names)))
  }
  out <- as_data_matrix(newdata, arg)
  if (ncol(out) != d) {
    abort_arg(arg, "must have ", d, " column", if (d == 1L) "" else "s",
              " (as the data the model was fitted to), not ", ncol(out), ".")
  }
  out
}

# Responsibilities of the final parameters for the rows of X (0 rows allowed).
final_responsibilities <- function(object, X, arg = "newdata") {
  K <- length(.subset2(object, "final")$pi)
  if (nrow(X) == 0L) return(matrix(numeric(), 0L, K))
  final_estep(object, X, arg)$resp
}

hard_clusters <- function(resp) {
  K <- ncol(resp)
  cl <- if (nrow(resp) == 0L) integer() else max.col(resp, ties.method = "first")
  factor(cl, levels = seq_len(K))
}

responsibility_columns <- function(resp) {
  out <- as.data.frame(resp)
  names(out) <- paste0(".r_", seq_len(ncol(resp)))
  out
}

#' Summarise a Gaussian mixture fit
#'
#' `summary()` collects what a fit says about the data: the size of the
#' problem, how EM ran, the log-likelihood with its degrees of freedom, AIC and
#' BIC, the final weights, means and covariances, and how many points each
#' component takes when every point goes to its most probable component (the
#' E-step of the final parameters).
#'
#' @param object A `gmm_em` fit.
#' @param x A `summary.gmm_em` object.
#' @param digits Significant digits to print.
#' @param ... Ignored.
#' @return `summary()` returns an object of class `summary.gmm_em`, a list
#'   with `call`, `n`, `d`, `k`, `loglik`, `df`, `AIC`, `BIC`, `iterations`,
#'   `converged`, `tol`, `n_starts`, `init`, `components` (a data frame: one
#'   row per component with its weight, means and `size`, the number of
#'   points assigned to it) and `Sigma` (a list of the covariance matrices).
#'   Its `print()` method returns it invisibly.
#' @seealso [glance.gmm_em()] for the same numbers as one row of a data frame.
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' s <- summary(fit)
#' s
#' s$components
#' @export
summary.gmm_em <- function(object, ...) {
  X <- .subset2(object, "data")
  ll <- logLik(object)
  resp <- final_responsibilities(object, X, "object")
  components <- tidy_final(object)
  mu_cols <- grep("^mu_", names(components), value = TRUE)
  components <- components[c("component", "pi", mu_cols)]
  if (!is.null(colnames(X))) names(components)[-(1:2)] <- paste0("mu_", colnames(X))
  components$size <- tabulate(hard_clusters(resp), ncol(resp))
  control <- .subset2(object, "control")
  Sigma <- final_params(object)$Sigma
  structure(
    list(call = .subset2(object, "call"), n = nrow(X), d = ncol(X), k = ncol(resp),
         loglik = as.numeric(ll), df = attr(ll, "df"), AIC = stats::AIC(ll), BIC = stats::BIC(ll),
         iterations = .subset2(object, "n_iter"), converged = .subset2(object, "converged"),
         tol = control$tol, n_starts = control$n_starts,
         init = if (is.null(control$init)) "given" else control$init,
         components = components,
         Sigma = lapply(seq_len(ncol(resp)), function(k) {
           structure(Sigma[, , k, drop = FALSE][, , 1L], dim = c(ncol(X), ncol(X)),
                     dimnames = list(colnames(X), colnames(X)))
         })),
    class = "summary.gmm_em"
  )
}

#' @rdname summary.gmm_em
#' @export
print.summary.gmm_em <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  digits <- check_whole_number(digits, "digits", min = 1, max = 15)
  cat("Gaussian mixture fitted by EM (full covariances)\n")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call, width.cutoff = 70L), collapse = "\n"), "\n", sep = "")
  start <- if (identical(x$init, "given")) {
    "the start given"
  } else {
    sprintf("%s start%s (best of %d)", x$init, if (x$n_starts == 1L) "" else "s", x$n_starts)
  }
  cat(sprintf("n = %d, d = %d, K = %d; from %s\n", x$n, x$d, x$k, start))
  stop_text <- if (is.null(x$tol)) {
    "no early stop"
  } else if (isTRUE(x$converged)) {
    sprintf("converged, tol = %s", format(x$tol))
  } else {
    sprintf("not converged, tol = %s", format(x$tol))
  }
  cat(sprintf("%d iterations (%s)\n\n", x$iterations, stop_text))
  cat(sprintf("log-likelihood %s on %d df;  AIC %s;  BIC %s\n\n",
              format(x$loglik, digits = digits + 3L), x$df,
              format(x$AIC, digits = digits + 3L), format(x$BIC, digits = digits + 3L)))
  cat("Components (size: points most probably from each):\n")
  print(format(x$components, digits = digits), row.names = FALSE)
  cat("\nCovariances:\n")
  for (k in seq_along(x$Sigma)) {
    cat(sprintf("component %d\n", k))
    print(signif(x$Sigma[[k]], digits))
  }
  invisible(x)
}

#' Cluster new observations with a fitted mixture
#'
#' Computes the responsibilities of the final parameters \eqn{\theta_T} (the
#' last iteration's weights, means and covariances) for `newdata`:
#' \eqn{r_{ik} = \pi_k N(x_i | \mu_k, \Sigma_k) / \sum_j \pi_j N(x_i | \mu_j,
#' \Sigma_j)}, in log space. Note that `fit$resp` for the last iteration holds
#' \eqn{r_T}, the E-step of the parameters of iteration \eqn{T - 1} (the
#' handout's bookkeeping); `predict()`, [fitted.gmm_em()] and
#' [augment.gmm_em()] use \eqn{\theta_T} itself.
#'
#' @param object A `gmm_em` fit.
#' @param newdata A data frame or numeric matrix. When it has all the columns
#'   the model was fitted to (by name), those are used and any others
#'   ignored; otherwise it must have the same number of numeric columns.
#'   Defaults to the data the model was fitted to.
#' @param type `"class"` (the default) for the most probable component, or
#'   `"prob"` for the responsibilities.
#' @param ... Ignored.
#' @return A data frame with one row per row of `newdata`: for
#'   `type = "class"`, one column `.cluster`, a factor with levels `1`..`K`
#'   (ties go to the lower component); for `type = "prob"`, columns `.r_1`,
#'   ..., `.r_K` that sum to 1 in every row.
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' new <- data.frame(eruptions = c(2, 3.5, 4.5), waiting = c(50, 70, 85))
#' predict(fit, new)
#' predict(fit, new, type = "prob")
#' @export
predict.gmm_em <- function(object, newdata = NULL, type = c("class", "prob"), ...) {
  type <- check_choice(type, c("class", "prob"), "type")
  X <- if (is.null(newdata)) .subset2(object, "data") else model_rows(object, newdata)
  resp <- final_responsibilities(object, X, if (is.null(newdata)) "object" else "newdata")
  if (type == "class") {
    data.frame(.cluster = hard_clusters(resp))
  } else {
    responsibility_columns(resp)
  }
}

#' Log-likelihood, coefficients and fitted values of a mixture fit
#'
#' `logLik()` is the log-likelihood of the final parameters,
#' \eqn{\ell(\theta_T) = \sum_i \log \sum_k \pi_k N(x_i | \mu_k, \Sigma_k)}
#' (`fit$loglik$loglik` at iteration `fit$n_iter`), with `df` the number of
#' free parameters of a \eqn{K}-component mixture with full covariances in
#' \eqn{d} dimensions, \eqn{(K - 1) + K d + K d (d + 1) / 2}, and `nobs` the
#' number of observations, so that [stats::AIC()] and [stats::BIC()] work with
#' R's sign convention (smaller is better). mclust reports BIC as
#' \eqn{2 \ell - df \log n} (larger is better): `BIC(fit)` is minus that.
#'
#' `coef()` gives the final parameters as a matrix with one row per component
#' and the columns of [tidy.gmm_em()]: `pi`, `mu_1`..`mu_d` and the upper
#' triangle of the covariance, `sigma_11`, `sigma_12`, ..., `sigma_dd`
#' (`fit$final` has them as lists). `fitted()` gives the responsibilities of the
#' final parameters for the data the model was fitted to, an \eqn{n \times K}
#' matrix (see [predict.gmm_em()]).
#'
#' @param object A `gmm_em` fit.
#' @param ... Ignored.
#' @return `logLik()`: an object of class `logLik`. `nobs()`: the number of
#'   rows of the data. `coef()`: a numeric \eqn{K \times (1 + d + d(d+1)/2)}
#'   matrix with row names `1`..`K`. `fitted()`: a numeric \eqn{n \times K}
#'   matrix with column names `1`..`K` whose rows sum to 1.
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' logLik(fit)
#' c(AIC = AIC(fit), BIC = BIC(fit))
#' nobs(fit)
#' coef(fit)
#' head(fitted(fit))
#' @name gmm_em-generics
#' @importFrom stats AIC BIC coef fitted logLik nobs predict simulate
NULL

#' @rdname gmm_em-generics
#' @export
logLik.gmm_em <- function(object, ...) {
  X <- .subset2(object, "data")
  n <- nrow(X)
  d <- ncol(X)
  K <- length(.subset2(object, "final")$pi)
  ll <- .subset2(object, "loglik")$loglik[.subset2(object, "n_iter") + 1L]
  structure(ll, df = as.integer((K - 1L) + K * d + K * d * (d + 1L) / 2L), nobs = n, class = "logLik")
}

#' @rdname gmm_em-generics
#' @export
nobs.gmm_em <- function(object, ...) {
  nrow(.subset2(object, "data"))
}

#' @rdname gmm_em-generics
#' @export
coef.gmm_em <- function(object, ...) {
  final <- tidy_final(object)
  out <- as.matrix(final[setdiff(names(final), "component")])
  rownames(out) <- as.character(final$component)
  out
}

#' @rdname gmm_em-generics
#' @export
fitted.gmm_em <- function(object, ...) {
  resp <- final_responsibilities(object, .subset2(object, "data"), "object")
  colnames(resp) <- as.character(seq_len(ncol(resp)))
  resp
}
