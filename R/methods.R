#' Print a `gmm_em` fit
#'
#' Shows the final state of a fit in a few lines: the size of the problem, how
#' EM ran and whether it converged (with the last change of the
#' log-likelihood when no `tol` was given), the final weights and means, how
#' many iterations' responsibilities were kept, and which starts failed.
#'
#' @param x A `gmm_em` object.
#' @param digits Significant digits to print.
#' @param ... Ignored.
#' @return `x`, invisibly.
#' @examples
#' fit <- gmm_em(generate_data(var1 = 3), pi = c(0.1, 0.9),
#'               mu = list(c(0.1, 0), c(0, 0)), Sigma = list(diag(0.1, 2), diag(0.1, 2)))
#' print(fit)
#' @export
print.gmm_em <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  digits <- check_whole_number(digits, "digits", min = 1, max = 15)
  K <- length(x$final$pi)
  cat(sprintf("Gaussian mixture fitted by EM: %s, d = %d, K = %d, model %s (%s)\n", size_text(x), fit_ncol(x), K,
              x$model, model_description(x$model)))
  ll <- x$loglik$loglik
  cat(sprintf("%d iterations; log-likelihood %s (start: %s)\n", x$n_iter,
              format(ll[x$n_iter + 1L], digits = digits + 3L), format(ll[1L], digits = digits + 3L)))
  cat(convergence_text(x), "\n", sep = "")
  cat("Final weights and means:\n")
  print_wide(final_table(x), digits)
  kept <- dim(x$resp)[3L]
  cat(sprintf("Responsibilities kept for %d iteration%s.\n", kept, if (kept == 1L) "" else "s"))
  print_failed_starts(x$starts)
  invisible(x)
}

# n, with the weighted count and the source when there are any.
size_text <- function(fit) {
  n <- sprintf("n = %.0f", fit_rows(fit))
  if (!is.null(fit$weights)) n <- sprintf("%s (weighted: %s observations)", n, format(fit_nobs(fit), digits = 7L))
  if (is.null(fit$data)) n <- paste(n, "streamed from a source")
  n
}

# How EM ended, in one sentence: the same facts print(), summary() and glance() give.
convergence_text <- function(fit) {
  tol <- fit$control$tol
  if (fit$n_iter == 0L) return("No iteration run.")
  if (!is.null(tol)) {
    return(sprintf("%s (tol = %s).", if (isTRUE(fit$converged)) "Converged" else "Not converged: max_iter reached",
                   format(tol)))
  }
  change <- fit$loglik$change[fit$n_iter + 1L]
  moved <- if (change == 0) {
    "the log-likelihood did not change in the last iteration"
  } else {
    sprintf("the log-likelihood %s by %s in the last iteration (relative %s)",
            if (change > 0) "rose" else "fell", format(abs(change), digits = 3),
            format(abs(fit$last_change), digits = 2))
  }
  if (isTRUE(fit$converged)) return(sprintf("Converged (no tol given): %s.", moved))
  sprintf("Not converged (no tol given): %s; EM was still moving: raise `max_iter` or give `tol`.", moved)
}

# The final weights and means, one row per component, means named as the data's columns.
final_table <- function(fit) {
  final <- fit$final
  out <- data.frame(component = seq_along(final$pi), pi = unname(final$pi))
  means <- as.data.frame(unname(final$mu))
  names(means) <- parameter_names(fit_ncol(fit), fit_colnames(fit))$mu
  cbind(out, means)
}

# A table with many columns shows its first ones and says how many more there are.
print_wide <- function(table, digits, max_columns = 10L) {
  shown <- table
  if (ncol(table) > max_columns) shown <- table[seq_len(max_columns)]
  print(format(shown, digits = digits), row.names = FALSE)
  if (ncol(table) > max_columns) cat(sprintf("... and %d more columns\n", ncol(table) - max_columns))
}

print_failed_starts <- function(starts) {
  failed <- starts[!is.na(starts$error), , drop = FALSE]
  if (nrow(failed) == 0L) return(invisible())
  cat(sprintf("%d of %d starts failed:\n", nrow(failed), nrow(starts)))
  for (i in seq_len(nrow(failed))) cat(sprintf("  start %d: %s\n", failed$start[i], failed$error[i]))
}

# ---------------------------------------------------------------------------
# Model generics: summary, predict, logLik, nobs, coef, fitted
# ---------------------------------------------------------------------------

# The final parameters theta_T as the C++ core takes them: pi (K), mu (d x K)
# and Sigma (d x d x K).
final_params <- function(object) params_at(object, object$n_iter)

# The E-step of the final parameters on the rows of X: responsibilities (n x K)
# and the log-likelihood. A row it cannot place (no finite density under any
# component) is an error about the argument the rows came from.
final_estep <- function(object, X, arg = "newdata") estep_at(object, X, object$n_iter, arg)

# The same for the parameters of any iteration t.
estep_at <- function(object, X, t, arg = "newdata") {
  theta <- params_at(object, t)
  res <- em_estep_cpp(X, theta$pi, theta$mu, theta$Sigma, gmm_threads(), kernel_choice())
  if (!is.null(res$error)) {
    cond <- em_condition(res$error, 0, 1)
    abort_arg(arg, "cannot be clustered with the fitted parameters: ",
              sub("^EM stopped at iteration [0-9]+: ", "", conditionMessage(cond)))
  }
  res
}

# New observations as a numeric matrix with the fit's columns. When both the
# fit and `newdata` have column names, columns are matched by name: every
# fitted column must be there (others, such as iris's Species, are ignored).
# Otherwise `newdata` must have the fit's number of columns, taken in order.
# A 0-row input gives a 0-row matrix.
model_rows <- function(object, newdata, arg = "newdata") {
  d <- fit_ncol(object)
  names <- fit_colnames(object)
  if (inherits(newdata, "gmm_data")) newdata <- newdata[setdiff(names(newdata), "cluster")]
  # a plain vector is one column, as for gmm_em(); several columns need a matrix or data frame
  if (is.numeric(newdata) && is.null(dim(newdata)) && d == 1L) newdata <- matrix(newdata, ncol = 1L)
  if (length(dim(newdata)) != 2L) {
    abort_arg(arg, "must be a data frame or a numeric matrix with ", d, " column", if (d == 1L) "" else "s",
              ", not ", if (is.numeric(newdata)) "a vector" else class(newdata)[1L], ".")
  }
  # the same naming rule as when fitting (an empty name is V<position>)
  given <- if (is.null(colnames(newdata))) NULL else check_column_names(colnames(newdata), arg, unique = FALSE)
  if (!is.null(names) && !is.null(given)) {
    absent <- setdiff(names, given)
    if (length(absent) > 0L) {
      extra <- setdiff(given, names)
      abort_arg(arg, "lacks ", if (length(absent) == 1L) "the column " else "the columns ",
                paste0("`", absent, "`", collapse = ", "), " the model was fitted to",
                if (length(extra) > 0L) paste0("; it has ", paste0("`", extra, "`", collapse = ", "),
                                               ", which the model does not use") else "",
                ". Columns are matched by name.")
    }
    repeated <- intersect(given[duplicated(given)], names)
    if (length(repeated) > 0L) {
      abort_arg(arg, "has the column ", paste0("`", repeated, "`", collapse = ", "),
                " more than once, so it cannot be matched by name.")
    }
    newdata <- newdata[, match(names, given), drop = FALSE]
  } else if (ncol(newdata) != d) {
    abort_arg(arg, "must have ", d, " column", if (d == 1L) "" else "s",
              " (as the data the model was fitted to), not ", ncol(newdata), ".")
  }
  if (nrow(newdata) == 0L) return(matrix(numeric(), 0L, d, dimnames = list(NULL, names)))
  out <- as_data_matrix(newdata, arg)
  colnames(out) <- names
  out
}

# Responsibilities of the final parameters for the rows of X (0 rows allowed).
final_responsibilities <- function(object, X, arg = "newdata") {
  K <- length(object$final$pi)
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
  ll <- logLik(object)
  components <- final_table(object)
  components$size <- component_sizes(object)
  control <- object$control
  final <- object$final
  d <- fit_ncol(object)
  names <- fit_colnames(object)
  K <- length(final$pi)
  structure(
    list(call = object$call, model = object$model, n = fit_rows(object), nobs = fit_nobs(object), d = d, k = K,
         loglik = as.numeric(ll), df = attr(ll, "df"), AIC = stats::AIC(ll), BIC = stats::BIC(ll),
         iterations = object$n_iter, converged = object$converged, last_change = object$last_change,
         convergence = convergence_text(object), tol = control$tol, n_starts = control$n_starts,
         init = control$init, starts = object$starts,
         components = components,
         Sigma = lapply(seq_len(K), function(k) matrix(final$Sigma[, , k], d, d, dimnames = list(names, names)))),
    class = "summary.gmm_em"
  )
}

#' @rdname summary.gmm_em
#' @export
print.summary.gmm_em <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  digits <- check_whole_number(digits, "digits", min = 1, max = 15)
  cat(sprintf("Gaussian mixture fitted by EM, model %s (%s)\n", x$model, model_description(x$model)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call, width.cutoff = 70L), collapse = "\n"), "\n", sep = "")
  start <- if (identical(x$init, "given")) {
    "the start given"
  } else {
    sprintf("%s start%s (best of %d)", x$init, if (x$n_starts == 1L) "" else "s", x$n_starts)
  }
  n <- if (isTRUE(x$nobs != x$n)) sprintf("n = %.0f (weighted: %s)", x$n, format(x$nobs, digits = 7L)) else sprintf("n = %.0f", x$n)
  cat(sprintf("%s, d = %d, K = %d; from %s\n", n, x$d, x$k, start))
  cat(sprintf("%d iterations. %s\n\n", x$iterations, x$convergence))
  cat(sprintf("log-likelihood %s on %d df;  AIC %s;  BIC %s\n\n",
              format(x$loglik, digits = digits + 3L), x$df,
              format(x$AIC, digits = digits + 3L), format(x$BIC, digits = digits + 3L)))
  cat("Components (size: points most probably from each):\n")
  print_wide(x$components, digits)
  if (x$d <= 10L) {
    cat("\nCovariances:\n")
    for (k in seq_along(x$Sigma)) {
      cat(sprintf("component %d\n", k))
      print(signif(x$Sigma[[k]], digits))
    }
  } else {
    cat(sprintf("\nCovariances: %d matrices of %d x %d (in `$Sigma`).\n", x$k, x$d, x$d))
  }
  print_failed_starts(x$starts)
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
#' @param newdata A data frame or numeric matrix. When both it and the data
#'   the model was fitted to have column names, columns are matched by name:
#'   every fitted column must be there (an error names any that is missing),
#'   and others are ignored. Otherwise it must have the same number of numeric
#'   columns, taken in order. Defaults to the data the model was fitted to.
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
  X <- if (is.null(newdata)) fit_data(object, "object") else model_rows(object, newdata)
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
#' free parameters of a \eqn{K}-component mixture in \eqn{d} dimensions:
#' \eqn{(K - 1) + K d} for the weights and means and the covariance model's
#' own (as `mclust::nVarParams()`; \eqn{K d (d + 1) / 2} for the default
#' VVV), where \eqn{K}
#' counts only the components still in the mixture (a component that dropped
#' out with \eqn{\pi_k = 0} has no free parameters), and `nobs` the
#' number of observations, so that [stats::AIC()] and [stats::BIC()] work with
#' R's sign convention (smaller is better). mclust reports BIC as
#' \eqn{2 \ell - df \log n} (larger is better): `BIC(fit)` is minus that.
#'
#' `coef()` gives the final parameters as a matrix with one row per component
#' and the columns of [tidy.gmm_em()]: `pi`, the means `mu_<column>` and the
#' upper triangle of the covariance, `sigma_<column>_<column>`, named after
#' the data's columns (see [gmm_em-object]). `fitted()` gives the
#' responsibilities of the final parameters for the data the model was fitted
#' to, an \eqn{n \times K} matrix (see [predict.gmm_em()]). `plot()` draws
#' [autoplot.gmm_em()], the figure of the EM path.
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
#' plot(fit)
#' @name gmm_em-generics
#' @importFrom stats AIC BIC coef fitted logLik nobs predict simulate
NULL

#' @rdname gmm_em-generics
#' @export
logLik.gmm_em <- function(object, ...) {
  ll <- object$loglik$loglik[object$n_iter + 1L]
  structure(ll, df = mixture_df(object), nobs = fit_nobs(object), class = "logLik")
}

# Free parameters of the fitted mixture under its covariance model: a
# component that dropped out (pi = 0) is not counted.
mixture_df <- function(fit) model_df(fit$model, sum(fit$final$pi > 0), fit_ncol(fit))

# Observations most probably from each component under the final parameters
# (weighted when the fit has case weights); a fit streamed from a source
# counted them in its last pass.
component_sizes <- function(fit) {
  if (!is.null(fit$sizes)) return(fit$sizes)
  X <- fit_data(fit)
  K <- length(fit$final$pi)
  cluster <- hard_clusters(final_responsibilities(fit, X, "object"))
  w <- if (is.null(fit$weights)) rep(1, nrow(X)) else fit$weights
  sizes <- as.vector(tapply(w, factor(cluster, levels = seq_len(K)), sum, default = 0))
  if (is.null(fit$weights)) as.integer(sizes) else sizes
}

#' @rdname gmm_em-generics
#' @export
nobs.gmm_em <- function(object, ...) {
  fit_nobs(object)
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
  resp <- final_responsibilities(object, fit_data(object, "object"), "object")
  colnames(resp) <- as.character(seq_len(ncol(resp)))
  resp
}

#' @rdname gmm_em-generics
#' @param x A `gmm_em` fit.
#' @param y Ignored.
#' @export
plot.gmm_em <- function(x, y, ...) {
  p <- autoplot(x, ...)
  print(p)
  invisible(p)
}
