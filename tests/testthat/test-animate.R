# animate_mixtures(): one frame per iteration, each drawing that iteration's
# parameters and titled with its log-likelihood; checked through
# ggplot_build() (gganimate's, per frame) and in rendered files.

short_path <- function(max_iter = 10, ...) {
  gmm_em(generate_data(var1 = 3), pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
         Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = max_iter, ...)
}

layer_of <- function(anim, geom) which(vapply(anim$layers, function(l) inherits(l$geom, geom), logical(1)))

test_that("each frame draws its iteration's means and ellipses", {
  skip_if_not_installed("gganimate")
  fit <- short_path()
  iterations <- c(0, 1, 5, 10)
  anim <- animate_mixtures(fit, iterations = iterations, radii = c(1, 2), render = FALSE)
  b <- ggplot2::ggplot_build(anim)
  path <- layer_of(anim, "GeomPath")
  points <- layer_of(anim, "GeomPoint")
  expect_length(b$data[[path]], length(iterations))
  for (i in seq_along(iterations)) {
    th <- tidy_params(fit, iterations[i])
    e <- b$data[[path]][[i]]
    radius <- c(1, 2)[as.integer(factor(e$linetype, levels = c("solid", "22")))]
    k <- as.integer(factor(e$colour, levels = unique(e$colour)))
    for (comp in 1:2) {
      on <- k == comp
      d2 <- mahalanobis2(e[on, c("x", "y")], th$mu[, comp], th$Sigma[[comp]])
      expect_equal(d2, radius[on]^2, tolerance = 1e-10)
    }
    means <- b$data[[points[2L]]][[i]]
    expect_equal(means$x, th$mu[1, ])
    expect_equal(means$y, th$mu[2, ])
    data_points <- b$data[[points[1L]]][[i]]
    expect_equal(data_points$x, fit$data[, 1])
    expect_equal(data_points$y, fit$data[, 2])
  }
})

test_that("the points of a frame are coloured as plot_mixtures() colours that iteration", {
  skip_if_not_installed("gganimate")
  fit <- short_path()
  anim <- animate_mixtures(fit, iterations = c(0, 2, 10), render = FALSE)
  frames <- ggplot2::ggplot_build(anim)$data[[layer_of(anim, "GeomPoint")[1L]]]
  panels <- ggplot2::ggplot_build(plot_mixtures(fit, iterations = c(0, 2, 10)))$data[[1L]]
  for (i in 1:3) {
    panel <- panels[as.integer(panels$PANEL) == i, ]
    expect_equal(frames[[i]]$fill, panel$fill)
    expect_equal(frames[[i]]$alpha, panel$alpha)
  }
  # with two components each point's colour is the CIE Lab mix of the two
  # components' colours in the proportions of its responsibilities
  r10 <- gmm_responsibilities(fit)
  r10 <- r10[r10$iteration == 10 & r10$component == 1, ]
  lab <- grDevices::convertColor(t(grDevices::col2rgb(c("#0072B2", "#E69F00"))) / 255, from = "sRGB", to = "Lab")
  mixed <- grDevices::convertColor(outer(r10$r, lab[1, ]) + outer(1 - r10$r, lab[2, ]), from = "Lab", to = "sRGB")
  drawn <- t(grDevices::col2rgb(frames[[3]]$fill[r10$point]))
  expect_lte(max(abs(drawn - 255 * mixed)), 1)
  expect_gt(diff(range(r10$r)), 0.99)
})

test_that("the frames are titled with the iteration and the fit's log-likelihood", {
  skip_if_not_installed("gganimate")
  fit <- short_path()
  iterations <- c(0, 3, 10)
  anim <- animate_mixtures(fit, iterations = iterations, render = FALSE)
  dir <- tempfile()
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE))
  files <- gganimate::animate(anim, nframes = 3, width = 120, height = 120,
                              renderer = gganimate::file_renderer(dir, overwrite = TRUE))
  vars <- gganimate::frame_vars(files)
  ll <- fit$loglik$loglik[match(iterations, fit$loglik$iteration)]
  expect_equal(vars$current_frame,
               sprintf("Iteration %d    log-likelihood %s", iterations, formatC(ll, format = "f", digits = 2)))
  expect_identical(anim$labels$title, "{current_frame}")
  expect_true(all(file.exists(files)))
})

test_that("by default there is one frame per kept iteration, at most 150", {
  skip_if_not_installed("gganimate")
  fit <- short_path(max_iter = 40, keep = c(0, 1, 2, 20, 40))
  b <- ggplot2::ggplot_build(animate_mixtures(fit, render = FALSE))
  expect_length(b$data[[1L]], 5L)
  long <- short_path(max_iter = 400, keep = "all")
  anim <- animate_mixtures(long, render = FALSE)
  frames <- levels(anim$layers[[1L]]$data$frame)
  expect_length(frames, 150L)
  expect_match(frames[1L], "^Iteration 0 ")
  expect_match(frames[150L], "^Iteration 400 ")
  expect_false(is.unsorted(as.integer(sub("^Iteration ([0-9]+) .*", "\\1", frames)), strictly = TRUE))
})

test_that("a GIF has one frame per iteration, then the pause, at the given size", {
  skip_if_not_installed("gganimate")
  skip_if_not_installed("magick")
  fit <- short_path()
  gif <- tempfile(fileext = ".gif")
  on.exit(unlink(gif))
  out <- animate_mixtures(fit, iterations = c(0, 1, 5), width = 120, height = 100, fps = 5, pause = 0.4, file = gif)
  expect_identical(out, gif)
  frames <- magick::image_read(gif)
  # 3 iterations and round(0.4 * 5) = 2 frames of pause
  expect_equal(length(frames), 5L)
  info <- magick::image_info(magick::image_coalesce(frames))
  expect_true(all(info$width == 120 & info$height == 100))
  expect_true(all(info$format == "GIF"))
})

test_that("an MP4 is written when av is there", {
  skip_if_not_installed("gganimate")
  skip_if_not_installed("av")
  fit <- short_path()
  mp4 <- tempfile(fileext = ".mp4")
  on.exit(unlink(mp4))
  animate_mixtures(fit, iterations = c(0, 1, 5), width = 120, height = 120, renderer = "mp4", file = mp4)
  info <- av::av_media_info(mp4)
  # 3 iterations and round(1 s * 10 fps) frames of pause, at 10 frames a second
  expect_equal(info$duration, (3 + 10) / 10)
  expect_equal(info$video$framerate, 10)
  expect_equal(c(info$video$width, info$video$height), c(120, 120))
})

test_that("animate_mixtures() rejects bad arguments, naming them", {
  fit <- short_path(max_iter = 10, keep = c(0, 5, 10))
  expect_error(animate_mixtures(fit, iterations = 3), "`iterations` includes 3, whose responsibilities")
  expect_error(animate_mixtures(fit, iterations = 11), "`iterations` must be at most 10")
  expect_error(animate_mixtures(fit, fps = 0), "`fps` must be a single positive")
  expect_error(animate_mixtures(fit, pause = -1), "`pause` must be a single non-negative")
  expect_error(animate_mixtures(fit, width = 10), "`width` must be a whole number of pixels")
  expect_error(animate_mixtures(fit, height = 100.5), "`height`")
  expect_error(animate_mixtures(fit, renderer = "avi"), "`renderer` must be \"gif\" or \"mp4\"")
  expect_error(animate_mixtures(fit, file = 1), "`file` must be NULL or a single file path")
  expect_error(animate_mixtures(fit, render = NA), "`render` must be TRUE or FALSE")
  expect_error(animate_mixtures(fit, dims = c(1, 3)), "`dims`")
  expect_error(animate_mixtures(fit, radii = -1), "`radii`")
  expect_error(animate_mixtures(fit, colours = "red"), "`colours`")
  expect_error(animate_mixtures(fit, frames = 10), "`...` must be empty; unused argument: `frames`")
  expect_error(animate_mixtures(faithful), "`fit` must be a `gmm_em` fit")
  # the message when a suggested package is missing names it
  expect_error(gmmem:::need_package("gmmemNoSuchPackage", "animate_mixtures()"),
               "animate_mixtures\\(\\) needs the gmmemNoSuchPackage package")
})
