# broom-style tidiers for gmm_em fits (tidy, glance, augment), re-exported from generics.

#' @importFrom generics tidy
#' @export
generics::tidy

#' @importFrom generics glance
#' @export
generics::glance

#' @importFrom generics augment
#' @export
generics::augment

# The final parameters, one row per component, as in fit$params.
tidy_final <- function(x) {
  params <- x$params
  out <- params[params$iteration == x$n_iter, setdiff(names(params), "iteration"), drop = FALSE]
  rownames(out) <- NULL
  out
}

#' Tidy the parameters or responsibilities of a mixture fit
#'
#' One row per component with its weight, mean and covariance: by default at
#' the end of EM, or along the whole path with `iterations`. With
#' `what = "responsibilities"`, the kept responsibilities instead, as
#' [gmm_responsibilities()] gives them.
#'
#' @param x A `gmm_em` fit.
#' @param iterations `"final"` (the default) for the last iteration;
#'   `"all"` for every iteration from 0 (the start) to the last (for
#'   responsibilities: every kept one); or whole numbers picking iterations.
#' @param what `"parameters"` (the default) or `"responsibilities"`.
#' @param ... Ignored.
#' @return A data frame. For parameters with `iterations = "final"`: one row
#'   per component, columns `component`, `pi`, the means `mu_<column>` (in the
#'   order of the data's columns, named after them) and the upper triangle of
#'   the covariance row by row, `sigma_<column>_<column>` (see
#'   [gmm_em-object]). Otherwise the same columns after a leading
#'   `iteration`, one row per iteration and component (the rows of
#'   `fit$params`). For responsibilities: `iteration`, `point`, `component`,
#'   `r`.
#' @seealso [glance.gmm_em()], [augment.gmm_em()], [coef.gmm_em()] for the
#'   final parameters as a matrix.
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' tidy(fit)
#' tidy(fit, iterations = "all")
#' tidy(fit, iterations = c(0, 1))
#' head(tidy(fit, what = "responsibilities"))
#' @export
tidy.gmm_em <- function(x, iterations = "final", what = c("parameters", "responsibilities"), ...) {
  what <- check_choice(what, c("parameters", "responsibilities"), "what")
  if (is.character(iterations)) {
    iterations <- check_choice(iterations, c("final", "all"), "iterations")
    iterations <- switch(iterations, final = x$n_iter, all = NULL)
    if (what == "parameters" && is.null(iterations)) return(x$params)
    if (what == "parameters") return(tidy_final(x))
  }
  if (what == "responsibilities") return(gmm_responsibilities(x, iterations))
  iterations <- check_iteration_numbers(iterations, x$n_iter)
  params <- x$params
  out <- params[params$iteration %in% iterations, , drop = FALSE]
  rownames(out) <- NULL
  out
}

#' Glance at a mixture fit
#'
#' One row that says how the fit went.
#'
#' @param x A `gmm_em` fit.
#' @param ... Ignored.
#' @return A one-row data frame with columns `model` (the covariance model),
#'   `n` (observations), `k`
#'   (components, counting any that dropped out with \eqn{\pi_k = 0}, which
#'   the degrees of freedom do not count), `d` (dimensions), `logLik` (the log-likelihood of the final
#'   parameters), `AIC`, `BIC` (R's convention: \eqn{-2\ell + 2\,df} and
#'   \eqn{-2\ell + df \log n}; see [logLik.gmm_em()]), `iterations` (EM
#'   iterations run), `converged` (as `fit$converged`: whether the tolerance
#'   `tol` was met, or without `tol` whether the last iteration met it at
#'   `sqrt(.Machine$double.eps)`; see [gmm_em()]) and `last_change` (the last
#'   iteration's change of the log-likelihood relative to \eqn{1 + |\ell_T|}).
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' glance(fit)
#'
#' # choosing K by BIC
#' do.call(rbind, lapply(1:3, function(k) glance(gmm_em(faithful, k = k, seed = 1, tol = 1e-8))))
#' @export
glance.gmm_em <- function(x, ...) {
  ll <- logLik(x)
  data.frame(model = x$model, n = fit_nobs(x), k = length(x$final$pi), d = fit_ncol(x),
             logLik = as.numeric(ll), AIC = stats::AIC(ll), BIC = stats::BIC(ll),
             iterations = x$n_iter, converged = x$converged, last_change = x$last_change)
}

#' Add clusters and responsibilities to the data
#'
#' Adds to each observation its most probable component, how uncertain that
#' assignment is, and its responsibilities, all from the E-step of the final
#' parameters \eqn{\theta_T} (as [predict.gmm_em()]; not `fit$resp`, which
#' for the last iteration holds the responsibilities of the parameters of
#' iteration \eqn{T - 1}).
#'
#' @param x A `gmm_em` fit.
#' @param data The data the model was fitted to, with any other columns (for
#'   instance `iris` with `Species`): the fit's columns are found by name (an
#'   error names any that is missing), or by position when the data or the
#'   fit have no column names. Defaults to `x$data`, the
#'   numeric matrix the model was fitted to.
#' @param newdata New observations to cluster instead of `data` (any number
#'   of rows).
#' @param ... Ignored.
#' @return `data` (or `newdata`) with its class kept (a tibble stays a
#'   tibble; a matrix becomes a data frame), with the
#'   columns `.cluster` (a factor with levels `1`..`K`: the component with the
#'   highest responsibility, ties going to the lower one), `.uncertainty`
#'   (\eqn{1 - \max_k r_{ik}}) and `.r_1`, ..., `.r_K` added.
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' head(augment(fit, faithful))
#'
#' fit3 <- gmm_em(iris[1:4], k = 3, n_init = 5, seed = 1, tol = 1e-8, max_iter = 500)
#' aug <- augment(fit3, iris)
#' table(aug$Species, aug$.cluster)
#' @export
augment.gmm_em <- function(x, data = x$data, newdata = NULL, ...) {
  if (is.null(newdata) && is.null(data)) data <- fit_data(x, "x")
  if (!is.null(newdata)) {
    base <- newdata
    X <- model_rows(x, newdata, "newdata")
  } else {
    base <- data
    X <- model_rows(x, data, "data")
    n <- fit_rows(x)
    if (nrow(X) != n) {
      abort_arg("data", "must have the ", n, " rows the model was fitted to, not ", nrow(X),
                "; use `newdata` for other observations.")
    }
  }
  resp <- final_responsibilities(x, X, if (is.null(newdata)) "data" else "newdata")
  # A data frame (a tibble too) keeps its class; a matrix becomes a data frame.
  if (!is.data.frame(base)) {
    base <- as.data.frame(if (is.matrix(base)) base else X)
    if (is.null(colnames(X)) && ncol(base) == ncol(X)) names(base) <- data_column_names(ncol(X))
  }
  base[[".cluster"]] <- hard_clusters(resp)
  base[[".uncertainty"]] <- if (nrow(resp) == 0L) numeric() else 1 - apply(resp, 1L, max)
  for (k in seq_len(ncol(resp))) base[[paste0(".r_", k)]] <- resp[, k]
  base
}
