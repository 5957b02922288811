# The handout's figures in ggplot2: the EM path panel by panel (plot_mixtures(),
# autoplot()) and log-likelihood traces for comparing starts (plot_loglik()).

# Okabe-Ito colours, without black: safe for the common colour-vision deficiencies.
# Blue and orange come first so that a two-component blend stays readable.
gmm_palette <- c("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")

# Points before the first E-step carry no information about the components.
neutral_colour <- "#8C8C8C"

# A darker shade of each colour (lower CIE Lab lightness), for the lines and
# marks drawn over points of the same hue.
darken <- function(colours, by = 22) {
  lab <- grDevices::convertColor(t(grDevices::col2rgb(colours)) / 255, from = "sRGB", to = "Lab")
  lab[, 1L] <- pmax(lab[, 1L] - by, 0)
  rgb <- grDevices::convertColor(lab, from = "Lab", to = "sRGB")
  grDevices::rgb(pmin(pmax(rgb, 0), 1))
}

#' Plot the path EM takes, iteration by iteration
#'
#' `plot_mixtures()` draws the GMM handout's figure: one panel per chosen
#' iteration, titled "Iteration t", with the data coloured by their
#' responsibilities at that iteration, each component's mean marked and its
#' covariance ellipses drawn at the chosen Mahalanobis radii. `autoplot()`
#' draws the same figure (or, with `type = "loglik"`, [plot_loglik()]).
#'
#' Colours follow the responsibilities \eqn{r_{ik}} of the iteration shown
#' (the E-step made from the previous iteration's parameters, as in the
#' handout), while the means and ellipses are that iteration's parameters (the
#' M-step made from those responsibilities):
#'
#' * with two components, each point's colour is a blend, in CIE Lab space,
#'   of the two components' colours in the proportions \eqn{r_{i1}} and
#'   \eqn{r_{i2}}: a point with \eqn{r_i = (1, 0)} has component 1's colour,
#'   one with \eqn{(0.5, 0.5)} the half-way colour;
#' * with one or more than two components, each point has the colour of its
#'   most likely component, with an opacity equal to that component's
#'   responsibility (so uncertain points fade).
#'
#' At iteration 0 no E-step has run yet (the responsibilities are the uniform
#' \eqn{1/K}), so the points are drawn in a neutral grey, and the means and
#' ellipses are the start's.
#'
#' The ellipse of component \eqn{k} at radius \eqn{c} is the set of points
#' \eqn{x} with \eqn{(x - \mu_k)^\top \Sigma_k^{-1} (x - \mu_k) = c^2}, where
#' \eqn{\mu_k} and \eqn{\Sigma_k} are restricted to the two plotted
#' dimensions (the marginal of the component in that plane). With the default
#' radii 1 and 2 they enclose about 39% and 86% of a two-dimensional
#' Gaussian's mass.
#'
#' For one-dimensional data each panel shows the weighted component densities
#' \eqn{\pi_k N(x | \mu_k, \sigma_k^2)}, the means marked on their peaks, the
#' points at radius \eqn{c} (\eqn{\mu_k \pm c \sigma_k}) as vertical segments
#' and the data as a strip of points below the axis, coloured as above.
#'
#' @param fit A [gmm_em()] fit.
#' @param iterations Which iterations to draw, one panel each (whole numbers
#'   from 0 to `fit$n_iter`). Their responsibilities must have been kept (see
#'   the `keep` argument of [gmm_em()]); iteration 0 is always available.
#'   `NULL` (the default) draws the handout's iterations 0, 1, 5, 10, 25 and
#'   40; when the fit ran fewer than 40 iterations, or kept fewer
#'   responsibilities, those of them that are available and the last.
#' @param dims The two dimensions (column numbers of the data) to draw, for
#'   data with more than two. For one-dimensional data it is 1.
#' @param radii Mahalanobis radii at which to draw each covariance ellipse
#'   (positive numbers up to 1000, at most six).
#' @param ... Not used; an error if given, so that a misspelt argument is
#'   not silently ignored.
#' @param colours `NULL` for the default colour-blind-safe palette (Okabe-Ito),
#'   or one colour per component.
#' @param coord `"auto"` (the default) draws both axes to the same scale when
#'   the two plotted columns have ranges within a factor of 2 of each other
#'   (so ellipses keep their true shape), and square panels otherwise (as for
#'   faithful's minutes and eruption lengths, which one scale would squash
#'   into a strip); `"equal"` forces one scale, `"free"` lets the panels take
#'   any shape.
#' @param object A [gmm_em()] fit.
#' @param type `"mixtures"` for `plot_mixtures()`, `"loglik"` for
#'   [plot_loglik()].
#' @return A ggplot object; add layers, scales or themes to it as to any other.
#' @seealso [plot_loglik()] for the log-likelihood along the same path.
#' @examples
#' X <- generate_data(var1 = 3)
#' fit <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
#'               Sigma = list(diag(0.1, 2), diag(0.1, 2)))
#' plot_mixtures(fit)
#'
#' # autoplot() is the same figure; here the last iterations, one ellipse each
#' autoplot(fit, iterations = c(50, 100), radii = 2)
#'
#' # three components in three dimensions, seen in the plane of dims 1 and 3
#' Y <- rbind(generate_data(50, 50, mean1 = c(0, 0, 0), mean2 = c(4, 4, 0)),
#'            generate_data(50, 0, mean1 = c(0, 4, 4), mean2 = c(0, 0, 0), seed = 1))
#' fit3 <- gmm_em(Y[1:3], pi = rep(1 / 3, 3), mu = list(c(1, 1, 1), c(3, 3, 1), c(1, 3, 3)),
#'                Sigma = list(diag(3), diag(3), diag(3)), max_iter = 20)
#' plot_mixtures(fit3, iterations = c(1, 20), dims = c(1, 3))
#' @importFrom ggplot2 .data
#' @export
plot_mixtures <- function(fit, iterations = NULL, dims = c(1, 2), radii = c(1, 2),
                          ..., colours = NULL, coord = c("auto", "equal", "free")) {
  check_dots_unused(...)
  check_fit(fit, "fit")
  X <- fit_data(fit)
  d <- ncol(X)
  K <- length(fit$final$pi)
  iterations <- if (is.null(iterations)) default_iterations(fit) else check_iterations(iterations, fit)
  dims <- check_dims(dims, d, default = missing(dims))
  coord <- check_choice(coord, c("auto", "equal", "free"), "coord")
  radii <- check_radii(radii)
  palette <- check_colours(colours, K)

  as_panel <- function(t, n) factor(rep(t, n), levels = iterations)
  points <- do.call(rbind, lapply(iterations, function(t) {
    shade <- point_shades(responsibilities_at(fit, t), palette, t)
    data.frame(iteration = as_panel(t, nrow(X)), x = X[, dims[1L]],
               y = if (length(dims) == 2L) X[, dims[2L]] else NA_real_,
               fill = shade$fill, alpha = shade$alpha)
  }))
  params <- lapply(iterations, function(t) params_at(fit, t))

  if (length(dims) == 2L) {
    plot_mixtures_2d(points, params, iterations, dims, radii, palette, axis_names(X, dims), coord)
  } else {
    plot_mixtures_1d(points, params, iterations, radii, palette, axis_names(X, dims))
  }
}

plot_mixtures_2d <- function(points, params, iterations, dims, radii, palette, labels, coord) {
  K <- length(params[[1L]]$pi)
  ellipses <- do.call(rbind, Map(function(t, p) {
    do.call(rbind, lapply(seq_len(K), function(k) {
      mu <- p$mu[dims, k]
      S <- p$Sigma[dims, dims, k]
      do.call(rbind, lapply(seq_along(radii), function(j) {
        xy <- ellipse_points(mu, S, radii[j])
        data.frame(iteration = factor(t, levels = iterations), component = factor(k, levels = seq_len(K)),
                   radius = factor(j, levels = seq_along(radii)), x = xy[, 1L], y = xy[, 2L],
                   group = paste(k, j, sep = "-"))
      }))
    }))
  }, iterations, params))
  means <- do.call(rbind, Map(function(t, p) {
    data.frame(iteration = factor(t, levels = iterations), component = seq_len(K),
               x = p$mu[dims[1L], ], y = p$mu[dims[2L], ], fill = palette[seq_len(K)])
  }, iterations, params))

  ggplot2::ggplot() +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, fill = .data$fill, alpha = .data$alpha),
                        data = points, shape = 21, colour = "transparent", size = 1.8, stroke = 0) +
    ggplot2::geom_path(ggplot2::aes(.data$x, .data$y, group = .data$group,
                                    colour = .data$component, linetype = .data$radius),
                       data = ellipses) +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, fill = .data$fill),
                        data = means, shape = 23, colour = "black", size = 3, stroke = 0.7) +
    mixture_scales(palette, K, radii) +
    iteration_panels(iterations) +
    switch(coord, equal = ggplot2::coord_equal(), free = NULL,
           auto = plane_coord(points$x, points$y, c(points$x, ellipses$x), c(points$y, ellipses$y))) +
    ggplot2::labs(x = labels[1L], y = labels[2L])
}



plot_mixtures_1d <- function(points, params, iterations, radii, palette, label) {
  K <- length(params[[1L]]$pi)
  reach <- unlist(lapply(params, function(p) c(p$mu[1L, ] - max(radii) * sqrt(p$Sigma[1L, 1L, ]),
                                                 p$mu[1L, ] + max(radii) * sqrt(p$Sigma[1L, 1L, ]))))
  x_range <- range(points$x, reach)
  grid <- seq(x_range[1L] - 0.1 * diff(x_range), x_range[2L] + 0.1 * diff(x_range), length.out = 301L)
  weighted_density <- function(x, p, k) p$pi[k] * stats::dnorm(x, p$mu[1L, k], sqrt(p$Sigma[1L, 1L, k]))

  curves <- do.call(rbind, Map(function(t, p) {
    do.call(rbind, lapply(seq_len(K), function(k) {
      data.frame(iteration = factor(t, levels = iterations), component = factor(k, levels = seq_len(K)),
                 x = grid, y = weighted_density(grid, p, k))
    }))
  }, iterations, params))
  means <- do.call(rbind, Map(function(t, p) {
    data.frame(iteration = factor(t, levels = iterations), x = p$mu[1L, ],
               y = vapply(seq_len(K), function(k) weighted_density(p$mu[1L, k], p, k), numeric(1)),
               fill = palette[seq_len(K)])
  }, iterations, params))
  spans <- do.call(rbind, Map(function(t, p) {
    do.call(rbind, lapply(seq_len(K), function(k) {
      do.call(rbind, lapply(seq_along(radii), function(j) {
        at <- p$mu[1L, k] + c(-1, 1) * radii[j] * sqrt(p$Sigma[1L, 1L, k])
        data.frame(iteration = factor(t, levels = iterations), component = factor(k, levels = seq_len(K)),
                   radius = factor(j, levels = seq_along(radii)), x = at, y = 0,
                   yend = weighted_density(at, p, k))
      }))
    }))
  }, iterations, params))

  # The data sit in a strip below zero, spread vertically by a fixed
  # low-discrepancy sequence so that the figure does not depend on the RNG.
  top <- max(curves$y[is.finite(curves$y)], 0)
  if (top == 0) top <- 1
  n <- sum(points$iteration == iterations[1L])
  spread <- ((seq_len(n) * 0.6180339887498949) %% 1)
  points$y <- -top * (0.04 + 0.12 * rep(spread, length(iterations)))

  ggplot2::ggplot() +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, fill = .data$fill, alpha = .data$alpha),
                        data = points, shape = 21, colour = "transparent", size = 1.8, stroke = 0) +
    ggplot2::geom_line(ggplot2::aes(.data$x, .data$y, colour = .data$component), data = curves) +
    ggplot2::geom_segment(ggplot2::aes(.data$x, .data$y, xend = .data$x, yend = .data$yend,
                                       colour = .data$component, linetype = .data$radius),
                          data = spans) +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, fill = .data$fill),
                        data = means, shape = 23, colour = "black", size = 3, stroke = 0.7) +
    mixture_scales(palette, K, radii) +
    iteration_panels(iterations) +
    ggplot2::labs(x = label, y = "weighted component density")
}

mixture_scales <- function(palette, K, radii) {
  linetypes <- c("solid", "22", "11", "42", "1343", "73")
  list(
    ggplot2::scale_fill_identity(),
    ggplot2::scale_alpha_identity(),
    ggplot2::scale_colour_manual("Component", values = stats::setNames(darken(palette[seq_len(K)]), seq_len(K)),
                                 drop = FALSE),
    ggplot2::scale_linetype_manual("Mahalanobis radius",
                                   values = stats::setNames(linetypes[seq_along(radii)], seq_along(radii)),
                                   labels = format(radii), drop = FALSE)
  )
}

iteration_label <- function(x) paste("Iteration", x)

# One panel per iteration, titled "Iteration t", three to a row; the theme of both plots.
iteration_panels <- function(iterations) {
  list(ggplot2::facet_wrap(ggplot2::vars(iteration = .data$iteration), ncol = min(3L, length(iterations)),
                           labeller = ggplot2::as_labeller(iteration_label)),
       ggplot2::theme_bw(),
       ggplot2::theme(legend.position = "bottom"))
}

#' @rdname plot_mixtures
#' @importFrom ggplot2 autoplot
#' @export
autoplot.gmm_em <- function(object, type = c("mixtures", "loglik"), ...) {
  if (!is.character(type) || length(type) == 0L || anyNA(type) || !type[1L] %in% c("mixtures", "loglik")) {
    abort_arg("type", "must be \"mixtures\" or \"loglik\".")
  }
  if (identical(type[1L], "loglik")) plot_loglik(object, ...) else plot_mixtures(object, ...)
}

#' @importFrom ggplot2 autoplot
#' @export
ggplot2::autoplot

#' Plot the log-likelihood against the iteration
#'
#' Draws \eqn{\ell(\theta_t)} against the iteration \eqn{t} for one
#' [gmm_em()] fit, or for several given as a named list, one line per fit
#' coloured by its name: the way to compare starts. A start that sits on a
#' plateau shows as a long flat stretch below the others.
#'
#' The log-likelihood of the start (iteration 0) is usually far below the rest
#' (by thousands, from a poor start), which would flatten every other
#' difference, so by default the lines start at iteration 1. Use
#' `iterations = c(0, Inf)` to include it, or any other range to zoom in.
#'
#' @param x A [gmm_em()] fit, or a named list of them.
#' @param ... Not used; an error if given.
#' @param iterations `NULL` (from iteration 1 to the last, or just 0 for fits
#'   that ran no iteration), or the first and last iteration to show, as
#'   `c(from, to)`; `to` may be `Inf`.
#' @return A ggplot object.
#' @seealso [plot_mixtures()] for the path itself.
#' @examples
#' X <- generate_data(var1 = 3)
#' start <- function(m1, m2) {
#'   gmm_em(X, pi = c(0.1, 0.9), mu = list(m1, m2),
#'          Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 400)
#' }
#' fits <- list(handout = start(c(0.1, 0), c(0, 0)),
#'              `(-3, -3), (3, 3)` = start(c(-3, -3), c(3, 3)),
#'              `(-2, 2), (2, -2)` = start(c(-2, 2), c(2, -2)))
#' plot_loglik(fits)
#' plot_loglik(fits$handout, iterations = c(0, 30))
#' @export
plot_loglik <- function(x, ..., iterations = NULL) {
  check_dots_unused(...)
  fits <- check_fit_list(x)
  window <- check_window(iterations, fits)
  traces <- do.call(rbind, Map(function(fit, name) {
    ll <- fit$loglik
    keep <- ll$iteration >= window[1L] & ll$iteration <= window[2L]
    data.frame(fit = rep(name, sum(keep)), iteration = ll$iteration[keep], loglik = ll$loglik[keep])
  }, fits, names(fits)))
  traces$fit <- factor(traces$fit, levels = names(fits))

  labels <- ggplot2::labs(x = "Iteration", y = "Log-likelihood")
  if (length(fits) == 1L && is.null(attr(fits, "named"))) {
    return(ggplot2::ggplot(traces, ggplot2::aes(.data$iteration, .data$loglik)) +
             ggplot2::geom_line() + labels + ggplot2::theme_bw())
  }
  palette <- if (length(fits) <= length(gmm_palette)) gmm_palette else grDevices::hcl.colors(length(fits), "Dark 3")
  ggplot2::ggplot(traces, ggplot2::aes(.data$iteration, .data$loglik, colour = .data$fit)) +
    ggplot2::geom_line() +
    ggplot2::scale_colour_manual("Fit", values = stats::setNames(palette[seq_along(fits)], names(fits))) +
    labels +
    ggplot2::theme_bw() +
    ggplot2::theme(legend.position = "bottom")
}

# ---- pieces of the fit, per iteration -----------------------------------------

# Fill colour and opacity of every point, from its responsibilities.
point_shades <- function(r, palette, t) {
  n <- nrow(r)
  K <- ncol(r)
  if (t == 0) return(list(fill = rep(neutral_colour, n), alpha = rep(0.65, n)))
  if (K == 2L) return(list(fill = blend_colours(palette[1L], palette[2L], r[, 1L]), alpha = rep(0.65, n)))
  best <- max.col(r, ties.method = "first")
  list(fill = palette[best], alpha = r[cbind(seq_len(n), best)])
}

# The colour a share `w` of the way from `to` to `from`: w = 1 gives `from`,
# w = 0 gives `to`. Mixed in CIE Lab, where equal steps look equal.
blend_colours <- function(from, to, w) {
  ramp <- grDevices::colorRamp(c(to, from), space = "Lab")
  # rounded here: rgb() truncates values given on the 0-255 scale, and the Lab
  # round trip lands a hair below some integers
  rgb <- round(ramp(pmin(pmax(w, 0), 1)))
  grDevices::rgb(rgb[, 1L], rgb[, 2L], rgb[, 3L], maxColorValue = 255)
}

# Points of the ellipse (x - mu)' S^-1 (x - mu) = radius^2: the unit circle
# mapped by the lower Cholesky factor L of S (S = L L'), scaled and shifted.
ellipse_points <- function(mu, S, radius, n = 121L) {
  angle <- seq(0, 2 * pi, length.out = n)
  L <- t(chol(S))
  circle <- rbind(cos(angle), sin(angle))
  xy <- t(mu + radius * (L %*% circle))
  xy[n, ] <- xy[1L, ]
  xy
}

axis_names <- function(X, dims) {
  names <- colnames(X)
  if (is.null(names) || any(!nzchar(names[dims]))) return(paste0("x", dims))
  names[dims]
}
