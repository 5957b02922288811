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
