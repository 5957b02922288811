# mclust's views of a fitted mixture in ggplot2: uncertainty, density contours
# and a pairs matrix, for any iteration of a gmm_em() fit.

#' Uncertainty of the classification
#'
#' Draws the data with each point's classification (its most probable
#' component) shown by colour and shape, and its uncertainty
#' \eqn{1 - \max_k r_{ik}} by its size: large points are the ones the mixture
#' cannot place, small ones are certain. The means and the covariance
#' ellipses of the iteration are drawn over them, as in [plot_mixtures()].
#' This is mclust's uncertainty plot.
#'
#' The responsibilities are those of the parameters drawn, \eqn{\theta_t}:
#' the E-step of iteration `iteration`'s parameters. For the last iteration
#' they are what `predict(fit, type = "prob")` gives; for an earlier
#' iteration \eqn{t} they are the responsibilities the fit keeps for
#' iteration \eqn{t + 1} (which [plot_mixtures()] colours that panel by),
#' computed here whether or not the fit kept them. The uncertainty lies
#' between 0 and \eqn{1 - 1/K}.
#'
#' The two axes have equal scales when the data spread about as far along
#' each (within a factor of 2); otherwise the panel is square, as the
#' dimensions are then in different units. [plot_density()] does the same.
#'
#' For one-dimensional data the plot shows the uncertainty (vertical axis)
#' against the data (horizontal axis), coloured by the classification.
#'
#' @param fit A [gmm_em()] fit.
#' @param iteration The iteration whose parameters to use, a whole number
#'   from 0 to `fit$n_iter`; `NULL` (the default) for the last.
#' @param dims The two dimensions (column numbers of the data) to draw, for
#'   data with more than two. For one-dimensional data it is 1.
#' @param radii Mahalanobis radii at which to draw each covariance ellipse
#'   (positive numbers up to 1000, at most six), or `NULL` for none.
#' @param ... Not used; an error if given, so that a misspelt argument is
#'   not silently ignored.
#' @param colours `NULL` for the default colour-blind-safe palette (Okabe-Ito),
#'   or one colour per component.
#' @return A ggplot object.
#' @seealso [plot_density()], [plot_pairs()]; [plot_mixtures()] for the path.
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' plot_uncertainty(fit)
#'
#' # early in the handout's path: the components still overlap
#' X <- generate_data(var1 = 3)
#' path <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
#'                Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 20)
#' plot_uncertainty(path, iteration = 2)
#' @export
plot_uncertainty <- function(fit, iteration = NULL, dims = c(1, 2), radii = c(1, 2), ..., colours = NULL) {
  check_dots_unused(...)
  check_fit(fit, "fit")
  X <- fit_data(fit)
  t <- check_iteration(iteration, fit)
  dims <- check_dims(dims, ncol(X), default = missing(dims))
  if (!is.null(radii)) radii <- check_radii(radii)
  p <- params_at(fit, t)
  K <- length(p$pi)
  palette <- check_colours(colours, K)
  r <- responsibilities_of(fit, t)
  labels <- view_axis_names(X, dims)
  points <- data.frame(x = X[, dims[1L]], class = hard_clusters(r), uncertainty = 1 - apply(r, 1L, max))
  most <- 1 - 1 / K

  if (length(dims) == 1L) {
    plot <- ggplot2::ggplot(points, ggplot2::aes(.data$x, .data$uncertainty, colour = .data$class,
                                                 shape = .data$class)) +
      ggplot2::geom_hline(yintercept = c(0, most), colour = "grey60", linetype = "22") +
      ggplot2::geom_point(size = 1.8, alpha = 0.8) +
      ggplot2::labs(x = labels[1L], y = "uncertainty, 1 - max r")
  } else {
    points$y <- X[, dims[2L]]
    ellipses <- if (!is.null(radii)) ellipse_frame(p, dims, radii)
    # the most uncertain drawn last, so that they are not hidden under the certain ones
    points <- points[order(points$uncertainty), , drop = FALSE]
    plot <- ggplot2::ggplot() +
      ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, colour = .data$class, shape = .data$class,
                                       size = .data$uncertainty), data = points, alpha = 0.75) +
      # certain points stay visible: the smallest size is not 0
      ggplot2::scale_size("Uncertainty, 1 - max r", range = c(0.6, 5), limits = c(0, most),
                          breaks = pretty_breaks_within(most)) +
      parameter_layers(p, dims, ellipses, radii, palette) +
      plane_coord(points$x, points$y, c(points$x, ellipses$x), c(points$y, ellipses$y)) +
      ggplot2::labs(x = labels[1L], y = labels[2L])
  }
  plot +
    class_scales(palette, K) +
    ggplot2::labs(title = iteration_title("Uncertainty", t, fit)) +
    view_theme()
}

#' Contours of the fitted mixture density
#'
#' Draws the density of the fitted mixture,
#' \eqn{f(x) = \sum_k \pi_k N(x | \mu_k, \Sigma_k)}, over the data. For two
#' dimensions it draws contours of \eqn{f}; for data with more than two it
#' draws the contours of the mixture's marginal density in the plane of
#' `dims`, which is the mixture of the components' marginals (each component's
#' mean restricted to `dims`, and its covariance to those rows and columns).
#' For one-dimensional data it draws \eqn{f} and the weighted component
#' densities \eqn{\pi_k N(x | \mu_k, \sigma^2_k)}, with the data as a rug.
#'
#' By default the contours are drawn at the levels that the density of 25%,
#' 50%, 75% and 95% of the data points exceeds (the lower quantiles of
#' \eqn{f(x_i)} over the data), so each encloses about that share of the data:
#' highest-density regions, as mclust draws them with `levels = "quantile"`.
#'
#' @inheritParams plot_uncertainty
#' @param levels `NULL` (the default) for the levels described above, or the
#'   density values at which to draw contours (positive numbers).
#' @param grid Number of grid points along each axis at which the density is
#'   evaluated for the contours (or along the axis, in one dimension).
#' @return A ggplot object.
#' @seealso [plot_uncertainty()], [plot_pairs()].
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' plot_density(fit)
#'
#' # one dimension: the mixture and its weighted components
#' fit1 <- gmm_em(faithful["eruptions"], k = 2, seed = 1, tol = 1e-8)
#' plot_density(fit1)
#'
#' # three dimensions of iris, contours of the marginal in the plane of dims 3 and 4
#' fit_iris <- gmm_em(iris[1:4], k = 3, seed = 1, n_init = 5, tol = 1e-8, max_iter = 500)
#' plot_density(fit_iris, dims = c(3, 4))
#' @export
plot_density <- function(fit, iteration = NULL, dims = c(1, 2), ..., levels = NULL, grid = 100,
                         colours = NULL) {
  check_dots_unused(...)
  check_fit(fit, "fit")
  X <- fit_data(fit)
  t <- check_iteration(iteration, fit)
  dims <- check_dims(dims, ncol(X), default = missing(dims))
  if (!is.null(levels) && (!is.numeric(levels) || length(levels) == 0L || anyNA(levels) ||
                           any(!is.finite(levels)) || any(levels <= 0))) {
    abort_arg("levels", "must be NULL or positive density values.")
  }
  grid <- check_grid(grid)
  p <- marginal_params(params_at(fit, t), dims)
  K <- length(p$pi)
  palette <- check_colours(colours, K)
  labels <- view_axis_names(X, dims)
  Xs <- X[, dims, drop = FALSE]
  title <- ggplot2::labs(title = iteration_title("Mixture density", t, fit))

  if (length(dims) == 1L) return(plot_density_1d(Xs[, 1L], p, grid, palette, labels) + title)

  data_density <- mixture_density(Xs, p)
  shares <- c(0.25, 0.5, 0.75, 0.95)
  if (is.null(levels)) {
    levels <- unname(stats::quantile(data_density, 1 - shares, type = 7))
    level_labels <- sprintf("%s (%s of the data)", formatC(levels, format = "g", digits = 3), paste0(shares * 100, "%"))
  } else {
    levels <- sort(unique(as.vector(levels)))
    level_labels <- formatC(levels, format = "g", digits = 3)
  }
  x_grid <- padded_grid(Xs[, 1L], grid)
  y_grid <- padded_grid(Xs[, 2L], grid)
  surface <- expand.grid(x = x_grid, y = y_grid)
  surface$density <- mixture_density(as.matrix(surface), p)
  # darker for higher density; the palette's palest end is dropped, being too
  # faint to see on white
  ramp <- rev(grDevices::hcl.colors(length(levels) + 2L, "Blues 3"))[-(1:2)]
  contour_colours <- stats::setNames(ramp[rank(levels)], levels)

  ggplot2::ggplot() +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y), data = data.frame(x = Xs[, 1L], y = Xs[, 2L]),
                        colour = "grey45", size = 1, alpha = 0.6) +
    ggplot2::geom_contour(ggplot2::aes(.data$x, .data$y, z = .data$density,
                                       colour = ggplot2::after_stat(factor(.data$level, levels = levels))),
                          data = surface, breaks = levels, linewidth = 0.6) +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, fill = .data$component),
                        data = data.frame(x = p$mu[1L, ], y = p$mu[2L, ], component = factor(seq_len(K))),
                        shape = 23, colour = "black", size = 3, stroke = 0.7) +
    ggplot2::scale_colour_manual("Density level", values = contour_colours, labels = level_labels,
                                 drop = FALSE) +
    ggplot2::scale_fill_manual("Mean of component", values = stats::setNames(palette, seq_len(K))) +
    plane_coord(Xs[, 1L], Xs[, 2L], xlim = range(x_grid), ylim = range(y_grid), expand = FALSE) +
    ggplot2::labs(x = labels[1L], y = labels[2L]) +
    title +
    view_theme(point_keys = FALSE)
}

plot_density_1d <- function(x, p, grid, palette, label) {
  K <- length(p$pi)
  at <- padded_grid(x, grid)
  sds <- sqrt(p$Sigma[1L, 1L, ])
  components <- do.call(rbind, lapply(seq_len(K), function(k) {
    data.frame(x = at, y = p$pi[k] * stats::dnorm(at, p$mu[1L, k], sds[k]), component = factor(k, levels = seq_len(K)))
  }))
  total <- data.frame(x = at, y = mixture_density(matrix(at), p))
  ggplot2::ggplot() +
    ggplot2::geom_rug(ggplot2::aes(x = .data$x), data = data.frame(x = x), colour = "grey35", alpha = 0.5,
                      length = ggplot2::unit(0.04, "npc")) +
    # the mixture as a shaded area under the components: where the components
    # are apart it coincides with them, and a line would hide theirs
    ggplot2::geom_area(ggplot2::aes(.data$x, .data$y), data = total, stat = "identity", fill = "grey85",
                       colour = "grey40", linewidth = 0.4) +
    ggplot2::geom_line(ggplot2::aes(.data$x, .data$y, colour = .data$component), data = components,
                       linewidth = 0.8) +
    ggplot2::scale_colour_manual("Weighted component", values = stats::setNames(line_colours(palette), seq_len(K))) +
    ggplot2::labs(x = label, y = "density (grey: the mixture)") +
    ggplot2::theme_bw() +
    ggplot2::theme(legend.position = "bottom")
}

#' Every pair of dimensions, with the classification and the ellipses
#'
#' Draws a matrix of panels, one for every pair of the chosen dimensions: the
#' panel in row \eqn{i} and column \eqn{j} has dimension \eqn{j} across and
#' dimension \eqn{i} up. The points are coloured (and shaped) by their
#' classification, the most probable component under the iteration's
#' parameters \eqn{\theta_t} (as in [plot_uncertainty()]); each component's
#' mean and covariance ellipses are drawn in every panel. The panels on the
#' diagonal name the dimension. This is mclust's `clPairs()`, in facets.
#'
#' A Gaussian's marginal in the plane of dimensions \eqn{S = (j, i)} is the
#' Gaussian with mean \eqn{\mu_S} and covariance \eqn{\Sigma_{SS}} (the rows and
#' columns of \eqn{S}), so the ellipse drawn at radius \eqn{c} is the set of
#' points \eqn{x} with \eqn{(x - \mu_S)^\top \Sigma_{SS}^{-1} (x - \mu_S) = c^2}.
#' It is the shadow of the component, not a slice through it.
#'
#' @inheritParams plot_uncertainty
#' @param dims The dimensions to show (column numbers of the data, at least
#'   two); by default all of them.
#' @return A ggplot object.
#' @seealso [plot_uncertainty()], [plot_density()].
#' @examples
#' fit <- gmm_em(iris[1:4], k = 3, seed = 1, n_init = 5, tol = 1e-8, max_iter = 500)
#' plot_pairs(fit)
#' plot_pairs(fit, dims = c(1, 3, 4), radii = 2)
#' @export
plot_pairs <- function(fit, iteration = NULL, dims = NULL, radii = c(1, 2), ..., colours = NULL) {
  check_dots_unused(...)
  check_fit(fit, "fit")
  X <- fit_data(fit)
  t <- check_iteration(iteration, fit)
  dims <- check_pair_dims(dims, ncol(X))
  if (!is.null(radii)) radii <- check_radii(radii)
  p <- params_at(fit, t)
  K <- length(p$pi)
  palette <- check_colours(colours, K)
  names <- view_axis_names(X, dims)
  class <- hard_clusters(responsibilities_of(fit, t))
  across <- function(j, n) factor(rep(names[j], n), levels = names)

  pairs <- expand.grid(row = seq_along(dims), col = seq_along(dims))
  pairs <- pairs[pairs$row != pairs$col, , drop = FALSE]
  panel <- function(data, i, j) {
    data$row <- across(i, nrow(data))
    data$col <- across(j, nrow(data))
    data
  }
  points <- do.call(rbind, Map(function(i, j) {
    panel(data.frame(x = X[, dims[j]], y = X[, dims[i]], class = class), i, j)
  }, pairs$row, pairs$col))
  ellipses <- if (!is.null(radii)) {
    do.call(rbind, Map(function(i, j) panel(ellipse_frame(p, dims[c(j, i)], radii), i, j), pairs$row, pairs$col))
  }
  means <- do.call(rbind, Map(function(i, j) {
    panel(data.frame(x = p$mu[dims[j], ], y = p$mu[dims[i], ], component = factor(seq_len(K))), i, j)
  }, pairs$row, pairs$col))
  # each diagonal panel has the x and the y scale of its own dimension, so its
  # name goes in the middle of that dimension's range
  middles <- vapply(dims, function(k) mean(range(X[, k])), numeric(1))
  diagonal <- do.call(rbind, lapply(seq_along(dims), function(k) {
    panel(data.frame(x = middles[k], y = middles[k], label = names[k]), k, k)
  }))

  plot <- ggplot2::ggplot() +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, colour = .data$class, shape = .data$class),
                        data = points, size = 1.3, alpha = 0.6)
  if (!is.null(ellipses)) plot <- plot + ellipse_layers(ellipses, palette, radii)
  plot +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, fill = .data$component), data = means,
                        shape = 23, colour = "black", size = 2.5, stroke = 0.6, show.legend = FALSE) +
    ggplot2::geom_text(ggplot2::aes(.data$x, .data$y, label = .data$label), data = diagonal, size = 4.5) +
    ggplot2::scale_fill_manual(values = stats::setNames(palette, seq_len(K)), guide = "none") +
    class_scales(palette, K) +
    ggplot2::facet_grid(rows = ggplot2::vars(.data$row), cols = ggplot2::vars(.data$col), scales = "free") +
    ggplot2::labs(x = NULL, y = NULL, title = iteration_title("Classification", t, fit)) +
    view_theme() +
    ggplot2::theme(legend.position = "bottom", aspect.ratio = 1)
}

# ---- layers and scales shared by the views ------------------------------------------

# The means (diamonds) of parameters p in the plane of dims, and their
# covariance ellipses (from ellipse_frame(), or NULL for none).
parameter_layers <- function(p, dims, ellipses, radii, palette) {
  K <- length(p$pi)
  means <- data.frame(x = p$mu[dims[1L], ], y = p$mu[dims[2L], ], component = factor(seq_len(K)))
  layers <- list()
  if (!is.null(ellipses)) layers <- ellipse_layers(ellipses, palette, radii)
  c(layers, list(
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, fill = .data$component), data = means,
                        shape = 23, colour = "black", size = 3, stroke = 0.7, show.legend = FALSE),
    ggplot2::scale_fill_manual(values = stats::setNames(palette, seq_len(K)), guide = "none")))
}

# Ellipses of every component at every radius in the plane of the two dims,
# with `component` and `radius` factors and one group per ellipse.
ellipse_frame <- function(p, dims, radii) {
  K <- length(p$pi)
  do.call(rbind, lapply(seq_len(K), function(k) {
    do.call(rbind, lapply(seq_along(radii), function(j) {
      xy <- ellipse_points(p$mu[dims, k], p$Sigma[dims, dims, k], radii[j])
      data.frame(component = factor(k, levels = seq_len(K)), radius = factor(j, levels = seq_along(radii)),
                 x = xy[, 1L], y = xy[, 2L], group = paste(k, j, sep = "-"))
    }))
  }))
}

# Points coloured and shaped by component (shapes run out after seven).
class_scales <- function(palette, K) {
  shapes <- c(16, 17, 15, 18, 3, 4, 8)
  list(
    ggplot2::scale_colour_manual("Component", values = stats::setNames(palette, seq_len(K)), drop = FALSE),
    ggplot2::scale_shape_manual("Component", drop = FALSE,
                                values = stats::setNames(if (K <= length(shapes)) shapes[seq_len(K)] else rep(16, K),
                                                         seq_len(K)))
  )
}

# One path layer per component, its colour fixed (a darker shade of the
# component's): the colour scale belongs to the points, and a line of the
# points' own colour would vanish among them.
ellipse_layers <- function(ellipses, palette, radii) {
  darker <- line_colours(palette)
  layers <- lapply(seq_along(palette), function(k) {
    ggplot2::geom_path(ggplot2::aes(.data$x, .data$y, group = .data$group, linetype = .data$radius),
                       data = ellipses[ellipses$component == k, , drop = FALSE], colour = darker[k])
  })
  c(layers, list(radius_linetypes(radii)))
}

view_theme <- function(point_keys = TRUE) {
  list(ggplot2::theme_bw(),
       # the legend keys of the points at a readable size, whatever the size
       # scale (given once: the colour and shape legends merge)
       if (point_keys) {
         ggplot2::guides(colour = ggplot2::guide_legend(order = 1L, override.aes = list(size = 2.5)),
                         shape = ggplot2::guide_legend(order = 1L))
       })
}

# Equal scales on both axes when the data spread about as far along each
# (within a factor of 2), so that a round component looks round. Otherwise a
# square panel: the dimensions are then in different units or scales
# (faithful's minutes of eruption against minutes of waiting), and equal
# scales would squash the data into a strip.
# `x`, `y`: the data, which decide; `drawn_x`, `drawn_y`: everything drawn
# (ellipses reach beyond the data), whose ranges the panel must make square.
plane_coord <- function(x, y, drawn_x = x, drawn_y = y, xlim = NULL, ylim = NULL, expand = TRUE) {
  spread <- c(diff(range(x)), diff(range(y)))
  if (all(spread > 0) && max(spread) / min(spread) > 2) {
    shown <- c(diff(range(if (is.null(xlim)) drawn_x else xlim)), diff(range(if (is.null(ylim)) drawn_y else ylim)))
    ratio <- shown[1L] / shown[2L]
  } else {
    ratio <- 1
  }
  # the ratio of y units to x units on screen: 1 for equal scales, or the one
  # that makes the panel square
  ggplot2::coord_fixed(ratio = ratio, xlim = xlim, ylim = ylim, expand = expand)
}

iteration_title <- function(what, t, fit) {
  last <- fit$n_iter
  sprintf("%s at iteration %d%s", what, t, if (t == last) " (the last)" else paste0(" of ", last))
}

# Up to five round breaks inside (0, most], with `most` itself.
pretty_breaks_within <- function(most) {
  breaks <- pretty(c(0, most), n = 4L)
  breaks <- breaks[breaks > 0 & breaks < most - 1e-9]
  c(breaks, most)
}

# ---- numbers of the views --------------------------------------------------------

# Responsibilities (n x K) of the parameters of iteration t for the fit's data:
# the E-step of theta_t. For the last iteration that is what predict() uses.
responsibilities_of <- function(fit, t) estep_at(fit, fit_data(fit), t, "fit")$resp

# log(pi_k N(x_i | mu_k, Sigma_k)), n x K, through the Cholesky factor of each
# Sigma_k so that far points give large negative numbers rather than 0 densities.
log_weighted_densities <- function(X, p) {
  d <- ncol(X)
  K <- length(p$pi)
  out <- matrix(0, nrow(X), K)
  for (k in seq_len(K)) {
    R <- chol(matrix(p$Sigma[, , k], d, d))
    z <- backsolve(R, t(X) - p$mu[, k], transpose = TRUE)
    out[, k] <- log(p$pi[k]) - 0.5 * (d * log(2 * pi) + colSums(z^2)) - sum(log(diag(R)))
  }
  out
}

mixture_density <- function(X, p) rowSums(exp(log_weighted_densities(X, p)))

# The mixture's marginal on dims: each component's mean and covariance
# restricted to those coordinates.
marginal_params <- function(p, dims) {
  list(pi = p$pi, mu = p$mu[dims, , drop = FALSE], Sigma = p$Sigma[dims, dims, , drop = FALSE])
}

# `grid` points over the range of x widened by a tenth on each side.
padded_grid <- function(x, grid) {
  span <- range(x)
  pad <- if (diff(span) > 0) 0.1 * diff(span) else 1
  seq(span[1L] - pad, span[2L] + pad, length.out = grid)
}
