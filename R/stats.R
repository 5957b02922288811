# EM's sufficient statistics as public values, for EM driven chunk by chunk from any engine.

#' EM's statistics for a chunk of rows, their merge, and the M-step from them
#'
#' One EM iteration is a sum over rows followed by a small M-step, so it can
#' be run wherever the data are: each worker (a Spark executor, a database
#' client, a `future`, a loop over files) computes `gmm_stats()` on its rows
#' for the current parameters, the statistics are merged with
#' `gmm_stats_merge()` in any order, and `gmm_mstep()` gives the next
#' parameters. Only parameters and statistics (a few \eqn{K d^2} numbers)
#' travel. [gmm_em()] does exactly this for a [gmm_source()].
#'
#' For the parameters \eqn{\theta} (weights \eqn{\pi}, means \eqn{c_k},
#' covariances) the E-step gives each row its responsibilities
#' \eqn{r_{ik}}; with case weights \eqn{w_i} (1 without), the statistics
#' of a set of rows are, per component \eqn{k}:
#' \describe{
#'   \item{`weight`}{\eqn{N_k = \sum_i w_i r_{ik}} (a vector of \eqn{K}).}
#'   \item{`offset`}{the weighted mean of \eqn{x_i - c_k}: the mean offset of
#'     the rows from the reference \eqn{c_k}, the component's current mean
#'     (a \eqn{d \times K} matrix). Kept relative to \eqn{c_k} so that data
#'     far from 0 lose no digits.}
#'   \item{`scatter`}{\eqn{\sum_i w_i r_{ik} (x_i - m_k)(x_i - m_k)^\top}
#'     about the rows' own weighted mean \eqn{m_k = c_k + } `offset`
#'     (a \eqn{d \times d \times K} array); never a difference of large
#'     second moments, so it stays accurate when a mean moves many standard
#'     deviations in one step.}
#' }
#' and `loglik` (\eqn{\sum_i w_i \log \sum_k \pi_k N(x_i | \mu_k,
#' \Sigma_k)}, the rows' share of \eqn{\ell(\theta)}), `n` (rows) and `nobs`
#' (\eqn{\sum_i w_i}).
#'
#' `gmm_stats_merge()` pools two sets of rows exactly, by the pairwise update
#' of Chan, Golub and LeVeque: with \eqn{\delta} the difference of the
#' offsets, \eqn{N = N_a + N_b}, offset \eqn{= o_a + \delta N_b / N} and
#' scatter \eqn{= S_a + S_b + \delta \delta^\top N_a N_b / N}. The result does
#' not depend, beyond rounding, on how the rows were cut or the order of
#' merging. Only statistics computed for the same parameters merge.
#'
#' `gmm_mstep()` is the M-step of [gmm_em()] from merged statistics: \eqn{\pi_k
#' = N_k / \sum_i w_i}, \eqn{\mu_k = c_k + } offset, and the covariance
#' model's M-step from \eqn{N_k} and the scatter (the iterative models warm
#' started from the covariances of `params`, as in [gmm_em()]). With
#' `reg_covar > 0` a component left with no weight drops out (weight 0, mean
#' kept); otherwise it is an error of class `gmmem_em_error`.
#'
#' A driver's loop, for data in pieces `chunks` (a list here; files, database
#' queries or Spark partitions in practice):
#' ```
#' theta <- start
#' for (t in 1:50) {
#'   s <- Reduce(gmm_stats_merge, lapply(chunks, gmm_stats, params = theta))
#'   theta <- gmm_mstep(s)
#' }
#' ```
#' The first `s$loglik` is \eqn{\ell} of the start, each later one that of
#' the parameters before it. In Spark, `sparklyr::spark_apply()` can run
#' `gmm_stats()` on each partition (gmmem installed on the workers) with the
#' statistics returned as one row per partition; this route is documented,
#' not tested.
#'
#' @param data A numeric matrix or data frame: one chunk of rows.
#' @param params The parameters to compute the statistics for: a list with
#'   `pi` (length \eqn{K}), `mu` (a \eqn{K \times d} matrix or a list of
#'   \eqn{K} vectors) and `Sigma` (a \eqn{d \times d \times K} array or a list
#'   of matrices), such as `fit$final` or what `gmm_mstep()` returns.
#' @param model The covariance model the statistics are for (see [gmm_em()]);
#'   the spherical and diagonal models need only the variances, and their
#'   statistics hold only those.
#' @param weights `NULL` or case weights for the rows of `data` (see
#'   [gmm_em()]).
#' @param threads Threads for the pass over `data`.
#' @param ... More statistics for the same parameters as `stats`, any
#'   number of them (`..1` is the first of these in error messages).
#' @param stats Statistics from `gmm_stats()` or `gmm_stats_merge()`; for
#'   `gmm_mstep()`, merged over all the rows.
#' @param reg_covar Non-negative number added to the diagonal of every
#'   covariance (see [gmm_em()]).
#' @return `gmm_stats()` and `gmm_stats_merge()`: an object of class
#'   `gmm_stats`, a list with `weight`, `offset`, `scatter`, `loglik`, `n`,
#'   `nobs`, and `params` and `model` (what they were computed for).
#'   `gmm_mstep()`: the next parameters, a list `pi`, `mu` (\eqn{K \times d})
#'   and `Sigma` (\eqn{d \times d \times K}) in the shape of `fit$final`,
#'   which `gmm_stats()` and [gmm_em()] accept.
#' @examples
#' X <- as.matrix(faithful)
#' theta <- list(pi = c(0.5, 0.5), mu = rbind(c(2, 55), c(4.5, 80)),
#'               Sigma = list(diag(c(1, 50)), diag(c(1, 50))))
#' # three chunks, merged
#' parts <- split(seq_len(nrow(X)), rep(1:3, length.out = nrow(X)))
#' for (t in 1:20) {
#'   s <- Reduce(gmm_stats_merge, lapply(parts, function(i) gmm_stats(X[i, ], theta)))
#'   theta <- gmm_mstep(s)
#' }
#' theta$mu
#' # the same as in memory
#' fit <- gmm_em(X, pi = c(0.5, 0.5), mu = rbind(c(2, 55), c(4.5, 80)),
#'               Sigma = list(diag(c(1, 50)), diag(c(1, 50))), max_iter = 20)
#' all.equal(theta$mu, fit$final$mu, check.attributes = FALSE)
#' @name gmm_stats
NULL

#' @rdname gmm_stats
#' @export
gmm_stats <- function(data, params, model = "VVV", weights = NULL, threads = 1L) {
  X <- as_data_matrix(data)
  weights <- check_weights(weights, nrow(X))
  model <- check_model(model, ncol(X))
  threads <- check_threads(threads)
  theta <- check_params(params, ncol(X))
  stats_of_chunk(X, weights, theta, model, threads, colnames(X))
}

# The statistics of a checked chunk for checked parameters (pi, mu d x K, Sigma d x d x K).
stats_of_chunk <- function(X, weights, theta, model, threads = 1L, names = colnames(X)) {
  res <- em_stats_cpp(X, if (is.null(weights)) numeric() else weights, theta$pi, theta$mu, theta$Sigma, model,
                      threads, kernel_choice())
  if (!is.null(res$error)) {
    res$error$iteration <- 0L
    stop(em_condition(res$error, 0, data_variances(X)))
  }
  new_gmm_stats(res, theta, model, names)
}

new_gmm_stats <- function(res, theta, model, names) {
  K <- length(theta$pi)
  component <- as.character(seq_len(K))
  res$weight <- stats::setNames(as.vector(res$weight), component)
  res$offset <- matrix(res$offset, ncol = K, dimnames = list(names, component))
  res$scatter <- array(res$scatter, c(nrow(res$offset), nrow(res$offset), K), list(names, names, component))
  res$params <- theta
  res$model <- model
  structure(res, class = "gmm_stats")
}

#' @rdname gmm_stats
#' @export
gmm_stats_merge <- function(stats, ...) {
  if (missing(stats)) abort_arg("stats", "is missing: give statistics from gmm_stats() to merge.")
  check_stats(stats, "stats")
  rest <- list(...)
  for (i in seq_along(rest)) check_stats(rest[[i]], sprintf("..%d", i))
  out <- stats
  for (i in seq_along(rest)) {
    b <- rest[[i]]
    arg <- sprintf("..%d", i)
    if (!identical(out$params, b$params)) {
      abort_arg(arg, "was computed for other parameters than `stats`; only statistics for the same parameters merge.")
    }
    if (!identical(out$model, b$model)) abort_arg(arg, "was computed for model ", b$model, ", `stats` for ", out$model, ".")
    if (!identical(dimnames(out$offset)[[1L]], dimnames(b$offset)[[1L]])) abort_arg(arg, "has other columns than `stats`.")
    out <- new_gmm_stats(em_stats_merge_cpp(out, b, out$model), out$params, out$model, dimnames(out$offset)[[1L]])
  }
  out
}

#' @rdname gmm_stats
#' @export
gmm_mstep <- function(stats, model = stats$model, reg_covar = 0) {
  check_stats(stats, "stats")
  d <- nrow(stats$offset)
  model <- check_model(model, d)
  reg_covar <- check_number(reg_covar, "reg_covar", min = 0)
  if (model_structure(model) != "spherical" && model_structure(model) != "diagonal" &&
      model_structure(stats$model) %in% c("spherical", "diagonal")) {
    abort_arg("model", "\"", model, "\" needs the whole scatter, but `stats` were computed for \"", stats$model,
              "\", which keeps only the variances.")
  }
  theta <- next_params(stats, model, reg_covar, iteration = 1L)
  shape_parameters(theta$pi, theta$mu, theta$Sigma, dimnames(stats$offset)[[1L]])
}

# The M-step from merged statistics as the core's parameters (pi, mu d x K,
# Sigma d x d x K); a step that cannot go on raises the core's classed error.
next_params <- function(stats, model, reg_covar, iteration) {
  theta <- stats$params
  res <- em_mstep_stats_cpp(stats, theta$pi, theta$mu, theta$Sigma, model, reg_covar, as.integer(iteration))
  if (!is.null(res$error)) stop(em_condition(res$error, reg_covar, stats_variances(stats)))
  res
}

# The data's variances as far as the statistics tell: the pooled scatter per observation.
stats_variances <- function(stats) {
  v <- apply(stats$scatter, 3L, diag)
  v <- if (is.matrix(v)) rowSums(v) else sum(v)
  v / max(stats$nobs, 1)
}

check_stats <- function(x, arg) {
  if (!inherits(x, "gmm_stats")) abort_arg(arg, "must be statistics from gmm_stats() or gmm_stats_merge().")
  invisible(x)
}

# Parameters in any shape gmm_em() takes (or fit$final) as the core's.
check_params <- function(params, d, arg = "params") {
  if (inherits(params, "gmm_em")) params <- params$final
  if (!is.list(params) || !all(c("pi", "mu", "Sigma") %in% names(params))) {
    abort_arg(arg, "must be a list with `pi`, `mu` and `Sigma` (such as `fit$final`).")
  }
  pi <- check_pi(params$pi, arg = paste0(arg, "$pi"))
  K <- length(pi)
  list(pi = unname(as.vector(pi)), mu = check_mu(params$mu, K, d, paste0(arg, "$mu")),
       Sigma = check_Sigma(params$Sigma, K, d, paste0(arg, "$Sigma")))
}

#' @export
print.gmm_stats <- function(x, ...) {
  cat(sprintf("EM statistics of %.0f rows (%s observations), K = %d, d = %d, model %s; loglik share %s\n",
              x$n, format(x$nobs, digits = 7L), length(x$weight), nrow(x$offset), x$model,
              format(x$loglik, digits = 10L)))
  invisible(x)
}
