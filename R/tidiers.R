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
  params <- .subset2(x, "params")
  out <- params[params$iteration == .subset2(x, "n_iter"), setdiff(names(params), "iteration")]
  rownames(out) <- NULL
  out
}

#' Tidy the parameters of a mixture fit
#'
#' One row per component with its weight, mean and covariance: by default at
#' the end of EM, or along the whole path with `iterations`.
#'
#' @param x A `gmm_em` fit.
#' @param iterations `"final"` (the default) for the last iteration's
#'   parameters; `"all"` for every iteration from 0 (the start) to the last;
#'   or whole numbers picking iterations.
#' @param ... Ignored.
#' @return A data frame. With `iterations = "final"`: one row per component,
#'   columns `component`, `pi`, `mu_1`..`mu_d` (the mean's coordinates, in the
#'   order of the data's columns) and `sigma_11`, `sigma_12`, ..., `sigma_dd`
#'   (the upper triangle of the covariance, row by row). Otherwise the same
#'   columns after a leading `iteration`, one row per iteration and component
#'   (the rows of `fit$params`).
#' @seealso [glance.gmm_em()], [augment.gmm_em()], [coef.gmm_em()] for the
#'   final parameters as a matrix.
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' tidy(fit)
#' tidy(fit, iterations = "all")
#' tidy(fit, iterations = c(0, 1))
#' @export
tidy.gmm_em <- function(x, iterations = "final", ...) {
  n_iter <- .subset2(x, "n_iter")
  if (is.character(iterations)) {
    iterations <- check_choice(iterations, c("final", "all"), "iterations")
    if (iterations == "final") return(tidy_final(x))
    return(.subset2(x, "params"))
  }
  if (!is.numeric(iterations) || length(iterations) == 0L || anyNA(iterations) ||
      any(iterations != round(iterations)) || any(iterations < 0) || any(iterations > n_iter)) {
    abort_arg("iterations", "must be \"final\", \"all\" or whole numbers from 0 to ", n_iter,
              " (the iterations run).")
  }
  params <- .subset2(x, "params")
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
#' @return A one-row data frame with columns `n` (observations), `k`
#'   (components), `d` (dimensions), `logLik` (the log-likelihood of the final
#'   parameters), `AIC`, `BIC` (R's convention: \eqn{-2\ell + 2\,df} and
#'   \eqn{-2\ell + df \log n}; see [logLik.gmm_em()]), `iterations` (EM
#'   iterations run) and `converged` (whether the tolerance `tol` was met;
#'   `NA` when no `tol` was given, so that all `max_iter` iterations ran and
#'   convergence was not tested).
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' glance(fit)
#'
#' # choosing K by BIC
#' do.call(rbind, lapply(1:3, function(k) glance(gmm_em(faithful, k = k, seed = 1, tol = 1e-8))))
#' @export
glance.gmm_em <- function(x, ...) {
  X <- .subset2(x, "data")
  ll <- logLik(x)
  data.frame(n = nrow(X), k = length(.subset2(x, "final")$pi), d = ncol(X),
             logLik = as.numeric(ll), AIC = stats::AIC(ll), BIC = stats::BIC(ll),
             iterations = .subset2(x, "n_iter"),
             converged = if (is.null(.subset2(x, "control")$tol)) NA else isTRUE(.subset2(x, "converged")))
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
#'   instance `iris` with `Species`): the fit's columns are found by name, or
#'   by position when the data have no names. Defaults to `x$data`, the
#'   numeric matrix the model was fitted to.
#' @param newdata New observations to cluster instead of `data` (any number
#'   of rows).
#' @param ... Ignored.
#' @return A data frame: `data` (or `newdata`) as a data frame, with the
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
  if (!is.null(newdata)) {
    base <- newdata
    X <- model_rows(x, newdata, "newdata")
  } else {
    base <- data
    X <- model_rows(x, data, "data")
    n <- nrow(.subset2(x, "data"))
    if (nrow(X) != n) {
      abort_arg("data", "must have the ", n, " rows the model was fitted to, not ", nrow(X),
                "; use `newdata` for other observations.")
    }
  }
  resp <- final_responsibilities(x, X, if (is.null(newdata)) "data" else "newdata")
  base <- as.data.frame(base)
  class(base) <- "data.frame"
  if (is.null(colnames(X)) && ncol(base) == ncol(X) && all(grepl("^V[0-9]+$", names(base)))) {
    names(base) <- data_column_names(ncol(X))
  }
  base$.cluster <- hard_clusters(resp)
  base$.uncertainty <- if (nrow(resp) == 0L) numeric() else 1 - apply(resp, 1L, max)
  cbind(base, responsibility_columns(resp))
}
