# The gmm_em object: the arrays of the path are the store; the tidy frames and
# every reader below are views of them, so nothing parses column names.

#' The parts of a `gmm_em` fit
#'
#' A fit from [gmm_em()] is a plain list; `str(fit)` and `names(fit)` show
#' all of it. Its store is the arrays of the path, and every method reads
#' them; the data frames are tidy views made from them once, when the fit is
#' built. With \eqn{T} the number of iterations run (`n_iter`), \eqn{K}
#' components and \eqn{d} columns:
#'
#' \describe{
#'   \item{`path`}{the whole parameter path: `pi`, a \eqn{(T + 1) \times K}
#'     matrix; `mu`, a \eqn{d \times K \times (T + 1)} array; `Sigma`, a
#'     \eqn{d \times d \times K \times (T + 1)} array; `loglik`, a vector of
#'     length \eqn{T + 1}. Their iteration dimension is named `"0"`..`"T"`, so
#'     `fit$path$mu[, , "5"]` are the means at iteration 5.}
#'   \item{`resp`}{the kept responsibilities, an \eqn{n \times K \times}
#'     (kept iterations) array whose third dimension is named by iteration;
#'     [gmm_responsibilities()] gives them as a tidy data frame.}
#'   \item{`params`}{data frame, one row per iteration and component:
#'     `iteration`, `component`, `pi`, the means `mu_<column>` and the upper
#'     triangle of the covariance `sigma_<column>_<column>`, named after the
#'     data's columns (`mu_1`, `sigma_1_2`, ... by position when the data have
#'     no column names, or when the names would not be distinct).}
#'   \item{`loglik`}{data frame, one row per iteration: `iteration`, `loglik`
#'     and `change` from the previous iteration.}
#'   \item{`data`}{the data, as the numeric matrix EM ran on; `NULL` for a
#'     fit streamed from a source (see [gmm_source()]), which keeps no data.}
#'   \item{`weights`, `n`, `nobs`}{the case weights (`NULL` when none were
#'     given), the number of rows and the number of observations they count
#'     for (\eqn{\sum_i w_i}; `n` without weights).}
#'   \item{`final`}{the last iteration's parameters, always in one shape:
#'     `pi` (length \eqn{K}), `mu` (a \eqn{K \times d} matrix, a row per
#'     component) and `Sigma` (a \eqn{d \times d \times K} array), which
#'     [gmm_em()] accepts as a start: `gmm_em(x, pi = fit$final$pi, mu =
#'     fit$final$mu, Sigma = fit$final$Sigma)` continues a fit.}
#'   \item{`start`}{the start EM ran from, in the shape of `final`.}
#'   \item{`model`}{the covariance model, by mclust's name (see [gmm_em()]).}
#'   \item{`converged`, `last_change`}{whether the tolerance was met (see
#'     [gmm_em()]) and the last iteration's change of the log-likelihood
#'     relative to \eqn{1 + |\ell_T|}.}
#'   \item{`n_iter`, `call`, `control`}{iterations run, the call, and the
#'     settings.}
#'   \item{`starts`}{one row per start tried: `start`, `loglik` (final),
#'     `iterations` (run, or where it failed) and `error` (why it failed,
#'     `NA` when it did not).}
#' }
#' @name gmm_em-object
NULL

# `X` is the data in memory; a fit streamed from a source has none (NULL), and
# `shape` then says what the data were: list(d, names, n, nobs).
new_gmm_em <- function(res, X, start, call, control, starts, weights = NULL, shape = NULL) {
  if (is.null(shape)) {
    shape <- list(d = ncol(X), names = colnames(X), n = nrow(X),
                  nobs = if (is.null(weights)) nrow(X) else sum(weights))
  }
  d <- shape$d
  K <- nrow(res$pi)
  T <- res$n_iter
  names <- shape$names
  iteration <- as.character(0:T)
  component <- as.character(seq_len(K))
  path <- list(
    pi = array(t(res$pi), c(T + 1L, K), list(iteration = iteration, component = component)),
    mu = array(res$mu, c(d, K, T + 1L), list(names, component, iteration)),
    Sigma = array(res$Sigma, c(d, d, K, T + 1L), list(names, names, component, iteration)),
    loglik = stats::setNames(res$loglik, iteration)
  )
  change <- c(NA, diff(res$loglik))
  last_change <- if (T == 0L) NA_real_ else change[T + 1L] / (1 + abs(res$loglik[T + 1L]))
  converged <- if (is.null(control$tol)) {
    !is.na(last_change) && abs(last_change) <= converged_tol
  } else {
    isTRUE(res$converged)
  }
  resp <- res$resp
  # the in-memory core names the components already: renaming would copy the array
  if (!identical(dimnames(resp)[[2L]], component)) dimnames(resp)[[2L]] <- component
  fit <- list(
    params = params_frame(path, names),
    loglik = data.frame(iteration = 0:T, loglik = res$loglik, change = change),
    path = path,
    resp = resp,
    data = X,
    weights = weights,
    n = shape$n,
    nobs = shape$nobs,
    final = parameter_set(path, T, names),
    model = control$model,
    start = shape_parameters(start$pi, start$mu, start$Sigma, names),
    converged = converged,
    last_change = last_change,
    n_iter = T,
    call = call,
    control = control,
    starts = starts
  )
  if (!is.null(res$sizes)) fit$sizes <- res$sizes
  class(fit) <- "gmm_em"
  fit
}

# What the methods read about the data, the same whether or not the fit holds them.
fit_ncol <- function(fit) dim(fit$path$mu)[1L]
fit_colnames <- function(fit) dimnames(fit$path$mu)[[1L]]
fit_rows <- function(fit) if (is.null(fit$n)) nrow(fit$data) else fit$n
fit_nobs <- function(fit) if (is.null(fit$nobs)) nrow(fit$data) else fit$nobs

# The data the fit ran on, for the methods that need every row.
fit_data <- function(fit, arg = "fit") {
  if (is.null(fit$data)) {
    abort_arg(arg, "was streamed from a source and keeps no data; give the rows to use (`newdata`).")
  }
  fit$data
}

# Without `tol`, `converged` applies the stopping rule to the last iteration
# with this tolerance.
converged_tol <- sqrt(.Machine$double.eps)

# pi, mu (d x K) and Sigma (d x d x K) in the documented shape of `final`.
shape_parameters <- function(pi, mu, Sigma, names) {
  d <- nrow(mu)
  K <- length(pi)
  component <- as.character(seq_len(K))
  list(pi = stats::setNames(as.vector(pi), component),
       mu = array(t(mu), c(K, d), list(component, names)),
       Sigma = array(Sigma, c(d, d, K), list(names, names, component)))
}

parameter_set <- function(path, t, names) {
  p <- params_at_path(path, t)
  shape_parameters(p$pi, p$mu, p$Sigma, names)
}

# pi (K), mu (d x K) and Sigma (d x d x K) at iteration t, unnamed, as the
# core takes them.
params_at_path <- function(path, t) {
  d <- dim(path$mu)[1L]
  K <- dim(path$mu)[2L]
  j <- t + 1L
  list(pi = unname(path$pi[j, ]),
       mu = matrix(path$mu[, , j], d, K),
       Sigma = array(path$Sigma[, , , j], c(d, d, K)))
}

params_at <- function(fit, t) params_at_path(fit$path, t)

# The tidy parameter path, built column block by column block: one row per
# iteration and component (component fastest), the means, then the upper
# triangle of each covariance row by row.
params_frame <- function(path, names) {
  K <- ncol(path$pi)
  iterations <- nrow(path$pi)
  d <- dim(path$mu)[1L]
  rows <- K * iterations
  labels <- parameter_names(d, names)
  upper <- upper_triangle(d)
  # column-major positions of the (j, l) entries in each d x d matrix
  at <- (upper[, "col"] - 1L) * d + upper[, "row"]
  mu <- matrix(path$mu, d, rows)
  sigma <- matrix(path$Sigma, d * d, rows)[at, , drop = FALSE]
  columns <- c(list(iteration = rep(seq_len(iterations) - 1L, each = K),
                    component = rep(seq_len(K), iterations),
                    pi = as.vector(t(path$pi))),
               stats::setNames(lapply(seq_len(d), function(j) mu[j, ]), labels$mu),
               stats::setNames(lapply(seq_len(nrow(sigma)), function(j) sigma[j, ]), labels$sigma))
  structure(columns, class = "data.frame", row.names = .set_row_names(rows))
}

# The (row, col) positions of a d x d upper triangle, diagonal included, row by row.
upper_triangle <- function(d) {
  upper <- which(upper.tri(diag(d), diag = TRUE), arr.ind = TRUE)
  upper[order(upper[, "row"], upper[, "col"]), , drop = FALSE]
}

# Column names for the means and covariance entries: the data's column names
# when they give distinct names, else positions (sigma_1_11 is never sigma_11_1).
parameter_names <- function(d, names) {
  upper <- upper_triangle(d)
  by <- function(labels) {
    list(mu = paste0("mu_", labels),
         sigma = paste("sigma", labels[upper[, "row"]], labels[upper[, "col"]], sep = "_"))
  }
  if (!is.null(names)) {
    out <- by(names)
    all_names <- c("iteration", "component", "pi", out$mu, out$sigma)
    if (!anyDuplicated(all_names)) return(out)
  }
  by(seq_len(d))
}

# n x K responsibilities at iteration t (uniform at iteration 0, kept or not).
responsibilities_at <- function(fit, t) {
  resp <- fit$resp
  n <- dim(resp)[1L]
  K <- dim(resp)[2L]
  if (t == 0) return(matrix(1 / K, n, K))
  matrix(resp[, , as.character(t)], n, K)
}

kept_iterations <- function(fit) {
  sort(unique(c(0L, as.integer(dimnames(fit$resp)[[3L]]))))
}

#' Responsibilities of a fit as a tidy data frame
#'
#' The responsibilities \eqn{r_{ik}} that EM computed, for the iterations the
#' fit kept (see the `keep` argument of [gmm_em()]). At iteration \eqn{t} they
#' are the E-step of the parameters of iteration \eqn{t - 1}; at iteration 0
#' they are the uniform \eqn{1/K}. The compact array is `fit$resp`.
#'
#' @param fit A [gmm_em()] fit.
#' @param iterations `NULL` (the default) for every kept iteration, or
#'   iteration numbers that were kept.
#' @return A data frame with one row per iteration, point and component
#'   (component varying fastest): `iteration`, `point`, `component`, `r`.
#' @seealso [augment.gmm_em()] for the responsibilities of the final
#'   parameters beside the data.
#' @examples
#' fit <- gmm_em(generate_data(var1 = 3), pi = c(0.1, 0.9),
#'               mu = list(c(0.1, 0), c(0, 0)), Sigma = list(diag(0.1, 2), diag(0.1, 2)))
#' r <- gmm_responsibilities(fit, iterations = c(1, 100))
#' head(r)
#' @export
gmm_responsibilities <- function(fit, iterations = NULL) {
  check_fit(fit, "fit")
  kept <- as.integer(dimnames(fit$resp)[[3L]])
  if (is.null(iterations)) {
    iterations <- kept
  } else {
    iterations <- check_iteration_numbers(iterations, fit$n_iter)
    missing_resp <- setdiff(iterations, c(0L, kept))
    if (length(missing_resp) > 0L) {
      abort_arg("iterations", "includes ", paste(missing_resp, collapse = ", "),
                ", whose responsibilities the fit did not keep (it kept ", summarise_kept(kept_iterations(fit)), ").")
    }
  }
  n <- dim(fit$resp)[1L]
  K <- dim(fit$resp)[2L]
  r <- vapply(iterations, function(t) as.vector(t(responsibilities_at(fit, t))), numeric(n * K))
  data.frame(iteration = rep(as.integer(iterations), each = n * K),
             point = rep(rep(seq_len(n), each = K), length(iterations)),
             component = rep(seq_len(K), n * length(iterations)),
             r = as.vector(r))
}

summarise_kept <- function(kept) {
  if (length(kept) <= 10L) return(paste0("iterations ", paste(kept, collapse = ", ")))
  runs <- split(kept, cumsum(c(1L, diff(kept) != 1L)))
  parts <- vapply(runs, function(r) if (length(r) > 2L) paste0(r[1L], "-", r[length(r)]) else paste(r, collapse = ", "),
                  character(1))
  paste0(length(kept), " iterations (", paste(parts, collapse = ", "), ")")
}
