# Model selection: EM over a grid of K and covariance models from one start
# partition per K, scored by BIC and ICL, with the chosen fit refitted exactly.

#' Choose the number of components and the covariance model by BIC or ICL
#'
#' `gmm_select()` fits a Gaussian mixture for every number of components in
#' `k` and every covariance model in `model`, as [mclust::mclustBIC()] does,
#' and scores each fit by BIC and ICL. `gmm_best()` refits the best one with
#' its whole path.
#'
#' For each \eqn{K} one partition of the data is made (by default the
#' hierarchical start of [gmm_em()]'s `init = "hc"`, cut at \eqn{K}), and
#' every model starts from it: EM runs from that model's M-step on the
#' partition (`gmm_em(data, z = partition, model = m)`). So the models of one
#' \eqn{K} differ only by their structure, not by their starts.
#'
#' Both criteria follow R's sign, as [stats::BIC()] does: **smaller is
#' better**.
#' \deqn{BIC = -2 \ell + df \log n, \qquad ICL = BIC - 2 \sum_i \log \max_k r_{ik},}
#' where \eqn{\ell} is the final log-likelihood, \eqn{df} the number of free
#' parameters ([mclust::nMclustParams()]) and \eqn{r_{ik}} the
#' responsibilities at the final parameters. mclust reports both with the
#' opposite sign (larger is better): its BIC and ICL are minus these. ICL adds
#' the entropy of the classification, so it prefers well-separated
#' components.
#'
#' A fit that fails (EM's error of class `gmmem_em_error`, such as a collapsing
#' component, or a start the model's M-step cannot make, such as more
#' components than a full covariance can have on few rows) is recorded in
#' the `error` column with its message and NA scores; the grid goes on.
#' Warnings of a fit pass through, prefixed with its \eqn{K} and model.
#'
#' @param data A numeric matrix or a data frame of numeric columns, one row
#'   per observation (a numeric vector is one column).
#' @param k The numbers of components to try: distinct whole numbers from 1 to
#'   the number of rows.
#' @param model The covariance models to try, by mclust's names (see
#'   [gmm_em()]); all fourteen by default. For one-dimensional data each name
#'   reduces to `"E"` or `"V"`, and each of those is fitted once.
#' @param init How each \eqn{K}'s partition is made: `"hc"` (the default, the
#'   deterministic hierarchical start of [gmm_em()]), `"kmeans++"` or
#'   `"random"` (each point with the nearest of \eqn{K} centres picked as
#'   [gmm_em()] picks them; with `seed`).
#' @param tol,max_iter,reg_covar,threads Passed to [gmm_em()] for every fit.
#'   The default `tol = 1e-8` is stricter than mclust's (\eqn{10^{-5}}).
#' @param seed For `init = "kmeans++"` or `"random"`: `NULL` (R's random
#'   number generator as it stands) or a whole number (see [gmm_em()]).
#' @return `gmm_select()`: a data frame of class `gmm_select`, one row per
#'   \eqn{K} and model (by \eqn{K}, then in mclust's order of the models),
#'   with columns `k`, `model`, `loglik`, `df`, `BIC`, `ICL`, `converged`,
#'   `iterations` and `error` (`NA` when the fit succeeded). Its attributes
#'   keep the data, the partition of each \eqn{K} (`attr(x, "z")`, a list
#'   named by \eqn{K}) and the settings, for `gmm_best()`. `print()` shows the
#'   best few fits by BIC; [autoplot()][autoplot.gmm_select()] draws BIC
#'   against \eqn{K}.
#' @seealso [autoplot.gmm_select()] for mclust's BIC plot.
#' @examples
#' sel <- gmm_select(faithful, k = 1:4)
#' sel
#' best <- gmm_best(sel)
#' best$model
#' BIC(best)
#' @export
gmm_select <- function(data, k = 1:9,
                       model = c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE",
                                 "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"),
                       init = "hc", tol = 1e-8, max_iter = 1000L, reg_covar = 0, seed = NULL,
                       threads = gmm_threads()) {
  X <- as_data_matrix(data, names_required = TRUE)
  n <- nrow(X)
  d <- ncol(X)
  k <- check_k_grid(k, n)
  if (!is.character(model) || length(model) == 0L) abort_arg("model", "must be a character vector of model names.")
  models <- unique(vapply(model, check_model, character(1), d = d, USE.NAMES = FALSE))
  init <- check_choice(init, c("hc", "kmeans++", "random"), "init")
  tol <- check_number(tol, "tol", min = 0)
  max_iter <- as.integer(check_whole_number(max_iter, "max_iter", min = 0, max = .Machine$integer.max - 1))
  reg_covar <- check_number(reg_covar, "reg_covar", min = 0)
  seed <- check_seed(seed)
  threads <- check_threads(threads)
  if (init == "hc") check_deterministic_init(1, seed)
  check_data_scale(X)

  hc <- if (init == "hc") hc_tree(X)
  # one seed for the whole grid: the partitions of successive K are drawn in turn
  partitions <- with_seed(seed, lapply(k, function(K) {
    tryCatch(start_partition(X, K, init, hc = hc), gmmem_arg_error = function(e) e)
  }))
  names(partitions) <- k

  rows <- vector("list", length(k) * length(models))
  i <- 0L
  for (K in k) {
    z <- partitions[[as.character(K)]]
    for (m in models) {
      i <- i + 1L
      fit <- if (inherits(z, "error")) z else fit_for_grid(X, z, K, m, tol, max_iter, reg_covar, threads)
      rows[[i]] <- grid_row(fit, X, K, m, d)
    }
  }
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  structure(out, class = c("gmm_select", "data.frame"), data = X, z = partitions,
            control = list(init = init, tol = tol, max_iter = max_iter, reg_covar = reg_covar,
                           seed = seed, threads = threads))
}

check_k_grid <- function(k, n) {
  if (!is.numeric(k) || length(k) == 0L || anyNA(k) || any(!is.finite(k)) || any(k != round(k))) {
    abort_arg("k", "must be whole numbers of components.")
  }
  if (any(k < 1)) abort_arg("k", "must be at least 1.")
  if (any(k > n)) abort_arg("k", "must not exceed the number of rows (", n, "); ", max(k), " does.")
  if (anyDuplicated(as.vector(k))) abort_arg("k", "must not repeat a number of components.")
  sort(as.integer(k))
}

# One fit of the grid, or the condition that stopped it: EM's own failures
# and the checks' refusals are results here; anything else (a bug, an
# interrupt) is not, and stops the grid.
fit_for_grid <- function(X, z, K, model, tol, max_iter, reg_covar, threads) {
  withCallingHandlers(
    tryCatch(gmm_em(X, z = z, model = model, tol = tol, max_iter = max_iter, reg_covar = reg_covar,
                    keep = "last", threads = threads),
             gmmem_em_error = function(e) e, gmmem_arg_error = function(e) e),
    warning = function(w) {
      warning(sprintf("k = %d, model %s: %s", K, model, conditionMessage(w)), call. = FALSE)
      invokeRestart("muffleWarning")
    })
}

grid_row <- function(fit, X, K, model, d) {
  row <- data.frame(k = as.integer(K), model = model, loglik = NA_real_, df = model_df(model, K, d),
                    BIC = NA_real_, ICL = NA_real_, converged = NA, iterations = NA_integer_,
                    error = NA_character_, stringsAsFactors = FALSE)
  if (inherits(fit, "error")) {
    row$error <- conditionMessage(fit)
    return(row)
  }
  ll <- logLik(fit)
  row$loglik <- as.numeric(ll)
  row$df <- attr(ll, "df")
  row$BIC <- stats::BIC(ll)
  row$ICL <- row$BIC - 2 * classification_loglik(fit, X)
  row$converged <- fit$converged
  row$iterations <- fit$n_iter
  row
}

# sum_i log max_k r_ik at the final parameters (the E-step after the last
# M-step, as the ICL of mclust's fits uses).
classification_loglik <- function(fit, X) {
  r <- estep_at(fit, X, fit$n_iter, arg = "data")$resp
  sum(log(r[cbind(seq_len(nrow(r)), max.col(r, ties.method = "first"))]))
}

#' @rdname gmm_select
#' @param x,sel A `gmm_select()` result.
#' @param n Number of fits `print()` shows (the best by BIC).
#' @param ... Unused.
#' @export
print.gmm_select <- function(x, n = 5L, ...) {
  n <- check_whole_number(n, "n", min = 1)
  ok <- !is.na(x$BIC)
  X <- attr(x, "data")
  cat(sprintf("Gaussian mixtures by EM: %d fits over K = %s and %d covariance model%s%s\n",
              nrow(x), k_range(x$k), length(unique(x$model)), if (length(unique(x$model)) == 1L) "" else "s",
              if (is.null(X)) "" else sprintf(" (n = %d, d = %d)", nrow(X), ncol(X))))
  cat("BIC = -2 loglik + df log(n), ICL = BIC - 2 sum log max_k r_ik: smaller is better\n")
  cat("(mclust reports both with the opposite sign).\n\n")
  if (!any(ok)) {
    cat("Every fit failed; the first error:\n", x$error[1L], "\n", sep = "")
    return(invisible(x))
  }
  best <- as.data.frame(x)[ok, setdiff(names(x), "error"), drop = FALSE]
  best <- best[order(best$BIC), , drop = FALSE]
  cat(sprintf("Best %d by BIC:\n", min(n, nrow(best))))
  print(utils::head(best, n), row.names = FALSE)
  if (!is.null(best$ICL)) {
    icl <- best[which.min(best$ICL), ]
    cat(sprintf("\nBest by ICL: K = %d, %s (ICL %s).\n", icl$k, icl$model, format(icl$ICL, digits = 8)))
  }
  failed <- sum(!ok)
  if (failed > 0L) cat(sprintf("%d fit%s failed (see the `error` column).\n", failed, if (failed == 1L) "" else "s"))
  invisible(x)
}

k_range <- function(k) {
  k <- sort(unique(k))
  if (length(k) > 2L && all(diff(k) == 1L)) paste0(k[1L], ":", k[length(k)]) else paste(k, collapse = ", ")
}

#' @rdname gmm_select
#' @param criterion `"BIC"` (the default) or `"ICL"`: which criterion's
#'   smallest value `gmm_best()` picks.
#' @return `gmm_best()`: the [gmm_em()] fit of the best \eqn{K} and model
#'   (among the rows given: `gmm_best(sel[sel$model == "VVV", ])` picks the
#'   best VVV fit),
#'   refitted from the same partition with the same settings (so its
#'   log-likelihood, BIC and ICL equal the row's), keeping the whole path
#'   (`keep = "auto"`) for the plots.
#' @export
gmm_best <- function(sel, criterion = c("BIC", "ICL")) {
  if (!inherits(sel, "gmm_select") || is.null(attr(sel, "data")) || is.null(attr(sel, "z"))) {
    abort_arg("sel", "must be the result of gmm_select() (or some of its rows), with its data and partitions.")
  }
  criterion <- check_choice(criterion, c("BIC", "ICL"), "criterion")
  scores <- sel[[criterion]]
  if (all(is.na(scores))) abort_arg("sel", "has no successful fit to choose from.")
  best <- sel[which.min(scores), ]
  control <- attr(sel, "control")
  fit <- gmm_em(attr(sel, "data"), z = attr(sel, "z")[[as.character(best$k)]], model = best$model,
                tol = control$tol, max_iter = control$max_iter, reg_covar = control$reg_covar,
                threads = control$threads, keep = "auto")
  # The inner call's expressions (attr(sel, "data"), control$tol, ...) mean
  # nothing to whoever prints the fit; the call that made it does.
  fit$call <- match.call()
  fit
}

# mclust's symbols for its BIC plot (pch numbers), and its colours: grey and
# black for the spherical models, then a Lab ramp from green through blue to
# red over the other twelve, in mclust's order of the models (EVI before VEI).
bic_plot_models <- c("EII", "VII", "EEI", "EVI", "VEI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")
bic_plot_shapes <- stats::setNames(c(17, 2, 16, 10, 13, 1, 15, 8, 5, 9, 12, 7, 14, 0, 17, 2),
                                   c(bic_plot_models, "E", "V"))
bic_plot_colours <- function() {
  ramp <- grDevices::colorRampPalette(c("forestgreen", "royalblue1", "red3"), space = "Lab")(12L)
  stats::setNames(c("gray50", "black", ramp, "gray50", "black"), c(bic_plot_models, "E", "V"))
}

#' BIC (or ICL) against the number of components, one line per model
#'
#' mclust's BIC plot of a [gmm_select()] grid, in ggplot2 and R's sign: each
#' covariance model is one line across \eqn{K}, with mclust's symbols and
#' colours, and smaller is better. A failed fit leaves a gap in its line.
#'
#' @param object A [gmm_select()] result.
#' @param criterion `"BIC"` (the default) or `"ICL"`.
#' @param ... Unused.
#' @return A ggplot object.
#' @examples
#' autoplot(gmm_select(faithful, k = 1:4))
#' @export
autoplot.gmm_select <- function(object, criterion = c("BIC", "ICL"), ...) {
  if (!inherits(object, "gmm_select")) abort_arg("object", "must be the result of gmm_select().")
  criterion <- check_choice(criterion, c("BIC", "ICL"), "criterion")
  models <- unique(object$model)
  df <- data.frame(k = object$k, model = factor(object$model, levels = models), value = object[[criterion]])
  ggplot2::ggplot(df, ggplot2::aes(.data$k, .data$value, colour = .data$model, shape = .data$model,
                                   group = .data$model)) +
    ggplot2::geom_line(na.rm = TRUE) +
    ggplot2::geom_point(size = 2, na.rm = TRUE) +
    ggplot2::scale_colour_manual(values = bic_plot_colours()[models], name = "model") +
    ggplot2::scale_shape_manual(values = bic_plot_shapes[models], name = "model") +
    ggplot2::scale_x_continuous(breaks = sort(unique(object$k))) +
    ggplot2::labs(x = "number of components K", y = sprintf("%s (smaller is better)", criterion)) +
    ggplot2::theme_bw()
}
