# The EM path as an animation (gganimate): one frame per kept iteration.

#' Animate the path EM takes
#'
#' `animate_mixtures()` plays the figure of [plot_mixtures()] as an
#' animation, one frame per iteration: the data coloured by their
#' responsibilities at that iteration, each component's mean and its
#' covariance ellipses at the chosen Mahalanobis radii, and the iteration and
#' its log-likelihood \eqn{\ell(\theta_t)} in the title. The axes stay the same
#' in every frame, so that what moves is the fit; as in [plot_uncertainty()],
#' they have equal scales unless the data spread more than twice as far along
#' one as along the other, when the panel is square instead.
#'
#' Colours are those of [plot_mixtures()]: they follow the responsibilities
#' kept for iteration \eqn{t} (the E-step made from \eqn{\theta_{t-1}}), while
#' the means and ellipses are \eqn{\theta_t}, the M-step made from them; at
#' iteration 0 the points are grey. For one-dimensional data each frame shows
#' the weighted component densities \eqn{\pi_k N(x | \mu_k, \sigma^2_k)}
#' over a strip of the data.
#'
#' The animation needs the gganimate package, and a renderer: for
#' `renderer = "gif"`, magick when it is installed (its GIFs store only what
#' changes from frame to frame, so a long path that has settled costs little),
#' gifski otherwise; for `renderer = "mp4"`, av.
#'
#' @inheritParams plot_mixtures
#' @param iterations `NULL`, or the iterations to show, one frame each
#'   (whole numbers from 0 to `fit$n_iter` whose responsibilities the fit
#'   kept). `NULL` shows every kept iteration, or, when the fit kept more than
#'   150, 150 of them evenly spread from the first to the last.
#' @param fps Frames, and so iterations, per second (at most 100).
#' @param pause Seconds the last frame is held before the animation loops (at most 60).
#' @param width,height Size of each frame in pixels.
#' @param renderer `"gif"` for an animated GIF or `"mp4"` for a video.
#' @param file `NULL`, or a file to write the animation to (a `.gif` or
#'   `.mp4` file, to match `renderer`).
#' @param render `TRUE` to render the animation; `FALSE` to return the
#'   unrendered gganimate object, to which layers, scales or themes can be
#'   added before rendering it with [gganimate::animate()] (one frame per
#'   iteration needs `nframes` equal to the number of iterations). Printing
#'   it renders it with gganimate's defaults (100 frames at 10 per second),
#'   which gganimate adjusts to the number of iterations; with magick as the
#'   renderer the adjusted rate can be one magick refuses ("fps must be a
#'   factor of 100"), so render it with `gganimate::animate(anim, nframes =
#'   <number of iterations>, fps = 10)`.
#' @return With `render = TRUE` and no `file`, the animation as gganimate
#'   returns it (for a GIF, a magick image; for a video, the path of a
#'   temporary file), which is shown when printed. With a `file`, that path,
#'   invisibly. With `render = FALSE`, a `gganim` object.
#' @seealso [plot_mixtures()] for chosen iterations side by side.
#' @examples
#' X <- generate_data(var1 = 3)
#' fit <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
#'               Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 20)
#' if (requireNamespace("gganimate", quietly = TRUE) &&
#'     requireNamespace("magick", quietly = TRUE)) {
#'   gif <- tempfile(fileext = ".gif")
#'   animate_mixtures(fit, iterations = c(0, 1, 2, 5, 10, 20), width = 240, height = 240,
#'                    file = gif)
#'   file.size(gif)
#' }
#' @export
animate_mixtures <- function(fit, iterations = NULL, dims = c(1, 2), radii = c(1, 2), ...,
                             colours = NULL, fps = 10, pause = 1, width = 540, height = 540,
                             renderer = c("gif", "mp4"), file = NULL, render = TRUE) {
  check_dots_unused(...)
  check_fit(fit, "fit")
  X <- fit_data(fit)
  iterations <- if (is.null(iterations)) default_frames(kept_iterations(fit)) else check_iterations(iterations, fit)
  dims <- check_dims(dims, ncol(X), default = missing(dims))
  radii <- check_radii(radii)
  K <- length(params_at(fit, 0)$pi)
  palette <- check_colours(colours, K)
  fps <- check_positive(fps, "fps")
  pause <- check_positive(pause, "pause", zero = TRUE)
  # GIF holds a frame for whole hundredths of a second, and the pause is that many frames more.
  if (fps > 100) abort_arg("fps", "must be at most 100: a GIF frame lasts at least 1/100 s.")
  if (pause > 60) abort_arg("pause", "must be at most 60 seconds (it is rendered as repeated frames).")
  width <- check_pixels(width, "width")
  height <- check_pixels(height, "height")
  renderer <- check_renderer_choice(renderer)
  if (!is.null(file) && (!is.character(file) || length(file) != 1L || is.na(file) || !nzchar(file))) {
    abort_arg("file", "must be NULL or a single file path.")
  }
  if (!isTRUE(render) && !isFALSE(render)) abort_arg("render", "must be TRUE or FALSE.")
  need_package("gganimate", "animate_mixtures()")

  frames <- path_frames(fit, iterations, dims, radii, palette)
  anim <- frames$plot + gganimate::transition_manual(.data$frame)
  if (!render) return(anim)

  end_pause <- round(pause * fps)
  animation <- gganimate::animate(anim, nframes = length(iterations) + end_pause, fps = fps,
                                  end_pause = end_pause, width = width, height = height, res = 96,
                                  renderer = pick_renderer(renderer))
  if (is.null(file)) return(animation)
  gganimate::anim_save(file, animation)
  invisible(file)
}

# Every kept iteration, or 150 of them from the first to the last: more frames
# make a long, slow-to-render animation of a path that has long stopped moving.
default_frames <- function(kept, most = 150L) {
  if (length(kept) <= most) return(kept)
  kept[unique(round(seq(1, length(kept), length.out = most)))]
}

# The data, means and ellipses of every chosen iteration as one static ggplot
# whose rows carry a `frame`: a factor whose levels are the frames' titles.
path_frames <- function(fit, iterations, dims, radii, palette) {
  X <- fit_data(fit)
  loglik <- fit$loglik$loglik[iterations + 1L]
  titles <- sprintf("Iteration %d    log-likelihood %s", iterations, formatC(loglik, format = "f", digits = 2))
  frame_of <- function(i, n) factor(rep(titles[i], n), levels = titles)
  params <- lapply(iterations, function(t) params_at(fit, t))
  K <- length(params[[1L]]$pi)
  labels <- view_axis_names(X, dims)

  points <- do.call(rbind, lapply(seq_along(iterations), function(i) {
    shade <- point_shades(responsibilities_at(fit, iterations[i]), palette, iterations[i])
    data.frame(frame = frame_of(i, nrow(X)), x = X[, dims[1L]],
               y = if (length(dims) == 2L) X[, dims[2L]] else NA_real_,
               fill = shade$fill, alpha = shade$alpha)
  }))
  component_colours <- stats::setNames(line_colours(palette), seq_len(K))

  if (length(dims) == 2L) {
    ellipses <- do.call(rbind, lapply(seq_along(iterations), function(i) {
      component_ellipses(params[[i]], dims, radii, frame_of(i, 1L))
    }))
    means <- do.call(rbind, lapply(seq_along(iterations), function(i) {
      data.frame(frame = frame_of(i, K), x = params[[i]]$mu[dims[1L], ], y = params[[i]]$mu[dims[2L], ],
                 fill = palette)
    }))
    curves <- NULL
  } else {
    one_d <- density_frames(params, frame_of, points$x, radii, palette)
    curves <- one_d$curves
    means <- one_d$means
    ellipses <- NULL
    # the data in a strip below zero, spread by a fixed sequence so that the
    # figure does not depend on the random number generator
    top <- max(curves$y, 0)
    spread <- (seq_len(nrow(X)) * 0.6180339887498949) %% 1
    points$y <- -top * (0.04 + 0.12 * rep(spread, length(iterations)))
  }

  plot <- ggplot2::ggplot() +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, fill = .data$fill, alpha = .data$alpha),
                        data = points, shape = 21, colour = "transparent", size = 1.8, stroke = 0)
  if (!is.null(ellipses)) {
    plot <- plot +
      ggplot2::geom_path(ggplot2::aes(.data$x, .data$y, group = .data$group, colour = .data$component,
                                      linetype = .data$radius), data = ellipses) +
      plane_coord(X[, dims[1L]], X[, dims[2L]], c(points$x, ellipses$x), c(points$y, ellipses$y)) +
      ggplot2::labs(x = labels[1L], y = labels[2L])
  } else {
    plot <- plot +
      ggplot2::geom_line(ggplot2::aes(.data$x, .data$y, group = .data$component, colour = .data$component),
                         data = curves) +
      ggplot2::labs(x = labels[1L], y = "weighted component density")
  }
  plot <- plot +
    ggplot2::geom_point(ggplot2::aes(.data$x, .data$y, fill = .data$fill), data = means,
                        shape = 23, colour = "black", size = 3, stroke = 0.7) +
    ggplot2::scale_fill_identity() +
    ggplot2::scale_alpha_identity() +
    ggplot2::scale_colour_manual("Component", values = component_colours, drop = FALSE) +
    ggplot2::guides(colour = ggplot2::guide_legend(order = 1L), linetype = ggplot2::guide_legend(order = 2L)) +
    ggplot2::labs(title = "{current_frame}") +
    ggplot2::theme_bw() +
    ggplot2::theme(legend.position = "bottom")
  if (!is.null(ellipses)) plot <- plot + radius_linetypes(radii)
  list(plot = plot, titles = titles)
}

component_ellipses <- function(p, dims, radii, frame) {
  ellipses <- ellipse_frame(p, dims, radii)
  cbind(frame = rep(frame, nrow(ellipses)), ellipses)
}

# Weighted component densities on a grid wide enough for every frame, and the
# means marked on their peaks.
density_frames <- function(params, frame_of, x, radii, palette) {
  K <- length(params[[1L]]$pi)
  sds <- unlist(lapply(params, function(p) sqrt(p$Sigma[1L, 1L, ])))
  mus <- unlist(lapply(params, function(p) p$mu[1L, ]))
  reach <- range(x, mus - max(radii) * sds, mus + max(radii) * sds)
  grid <- seq(reach[1L] - 0.05 * diff(reach), reach[2L] + 0.05 * diff(reach), length.out = 301L)
  weighted <- function(at, p, k) p$pi[k] * stats::dnorm(at, p$mu[1L, k], sqrt(p$Sigma[1L, 1L, k]))
  curves <- do.call(rbind, lapply(seq_along(params), function(i) {
    do.call(rbind, lapply(seq_len(K), function(k) {
      data.frame(frame = frame_of(i, length(grid)), component = factor(k, levels = seq_len(K)),
                 x = grid, y = weighted(grid, params[[i]], k))
    }))
  }))
  means <- do.call(rbind, lapply(seq_along(params), function(i) {
    p <- params[[i]]
    data.frame(frame = frame_of(i, K), x = p$mu[1L, ],
               y = vapply(seq_len(K), function(k) weighted(p$mu[1L, k], p, k), numeric(1)),
               fill = palette)
  }))
  list(curves = curves, means = means)
}

radius_linetypes <- function(radii) {
  types <- c("solid", "22", "11", "42", "1343", "73")
  ggplot2::scale_linetype_manual("Mahalanobis radius", values = stats::setNames(types[seq_along(radii)], seq_along(radii)),
                                 labels = format(radii), drop = FALSE)
}

# ---- rendering -------------------------------------------------------------------

need_package <- function(pkg, what) {
  if (!requireNamespace(pkg, quietly = TRUE)) {
    stop(what, " needs the ", pkg, " package; install it with install.packages(\"", pkg, "\").", call. = FALSE)
  }
  invisible(TRUE)
}

check_renderer_choice <- function(renderer) {
  if (identical(renderer, c("gif", "mp4"))) return("gif")
  if (!is.character(renderer) || length(renderer) != 1L || is.na(renderer) || !renderer %in% c("gif", "mp4")) {
    abort_arg("renderer", "must be \"gif\" or \"mp4\".")
  }
  renderer
}

# magick first, with frame differencing (optimize): after the first few
# iterations little moves, and unchanged pixels then cost almost nothing.
# gifski (not in Debian) and av are optional extras that gganimate's own
# renderers look for; their errors are replaced by one that names the package.
pick_renderer <- function(renderer) {
  if (renderer == "mp4") {
    return(tryCatch(gganimate::av_renderer(), error = function(e) {
      stop("animate_mixtures(renderer = \"mp4\") needs the av package; ",
           "install it with install.packages(\"av\").", call. = FALSE)
    }))
  }
  if (requireNamespace("magick", quietly = TRUE)) return(optimised_gif)
  tryCatch(gganimate::gifski_renderer(), error = function(e) {
    stop("animate_mixtures(renderer = \"gif\") needs the magick or the gifski package; ",
         "install one with install.packages(\"magick\").", call. = FALSE)
  })
}

# A gganimate renderer. The delay is given in hundredths of a second, rounded,
# as GIF stores it (magick's `fps` accepts only divisors of 100).
optimised_gif <- function(frames, fps) {
  images <- magick::image_read(frames)
  magick::image_animate(images, delay = max(1, round(100 / fps)), loop = 0, optimize = TRUE)
}

check_positive <- function(x, arg, zero = FALSE) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) || x < 0 || (!zero && x == 0)) {
    abort_arg(arg, "must be a single ", if (zero) "non-negative" else "positive", " finite number.")
  }
  as.double(x)
}

check_pixels <- function(x, arg) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) || x != round(x) || x < 50 || x > 4000) {
    abort_arg(arg, "must be a whole number of pixels from 50 to 4000.")
  }
  as.integer(x)
}

# ---- small helpers shared with the other views ------------------------------------

# Column names of the data for the axes, or x1, x2, ... when it has none.
view_axis_names <- function(X, dims) {
  names <- colnames(X)
  if (is.null(names) || any(is.na(names[dims])) || any(!nzchar(names[dims]))) return(paste0("x", dims))
  names[dims]
}

# A darker shade of each colour (lower CIE Lab lightness), for lines drawn over
# points of the same hue.
line_colours <- function(colours, by = 22) {
  lab <- grDevices::convertColor(t(grDevices::col2rgb(colours)) / 255, from = "sRGB", to = "Lab")
  lab[, 1L] <- pmax(lab[, 1L] - by, 0)
  rgb <- grDevices::convertColor(lab, from = "Lab", to = "sRGB")
  grDevices::rgb(pmin(pmax(rgb, 0), 1))
}
