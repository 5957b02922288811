# plot_uncertainty(), plot_density() and plot_pairs(): the numbers they draw,
# read back through ggplot_build() and checked against responsibilities from
# predict() or the fit's kept ones, and densities from the formula.

faithful_fit <- function() gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)

layer_index <- function(p, geom) which(vapply(p$layers, function(l) inherits(l$geom, geom), logical(1)))

test_that("plot_uncertainty() sizes each point by 1 - max r of predict() and colours it by its class", {
  fit <- faithful_fit()
  p <- plot_uncertainty(fit)
  b <- ggplot2::ggplot_build(p)
  i <- layer_index(p, "GeomPoint")[1L]
  drawn <- b$data[[i]]
  expect_equal(nrow(drawn), nrow(faithful))
  prob <- final_prob(fit)
  # match drawn points to data rows by position: (x, y) pairs repeat in
  # faithful, so compare the sorted multisets of (x, y, uncertainty)
  u_ref <- 1 - apply(prob, 1L, max)
  ref <- data.frame(x = faithful$eruptions, y = faithful$waiting, u = u_ref,
                    class = max.col(prob, ties.method = "first"))
  # scale_size(range = c(0.6, 5)) maps area linearly: size = 0.6 + 4.4 sqrt(u / (1 - 1/K))
  u_drawn <- (1 - 1 / 2) * ((drawn$size - 0.6) / 4.4)^2
  key <- function(x, y, u) order(x, y, u)
  o_ref <- key(ref$x, ref$y, ref$u)
  o_drawn <- key(drawn$x, drawn$y, u_drawn)
  expect_equal(drawn$x[o_drawn], ref$x[o_ref])
  expect_equal(drawn$y[o_drawn], ref$y[o_ref])
  expect_equal(u_drawn[o_drawn], ref$u[o_ref], tolerance = 1e-12)
  palette <- c("#0072B2", "#E69F00")
  expect_equal(drawn$colour[o_drawn], palette[ref$class[o_ref]])
  # the most uncertain points are drawn last, on top
  expect_false(is.unsorted(u_drawn))
  expect_gt(max(ref$u), 0.1)
})

test_that("plot_uncertainty() at an earlier iteration uses the E-step of that iteration's parameters", {
  X <- generate_data(var1 = 3)
  fit <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 10)
  for (t in c(0, 2, 9)) {
    p <- plot_uncertainty(fit, iteration = t)
    drawn <- ggplot2::ggplot_build(p)$data[[1L]]
    # the E-step of theta_t is the responsibility the fit keeps for t + 1
    kept <- gmm_responsibilities(fit)
    r <- matrix(kept$r[kept$iteration == t + 1], ncol = 2, byrow = TRUE)
    u_ref <- 1 - apply(r, 1L, max)
    u_drawn <- 0.5 * ((drawn$size - 0.6) / 4.4)^2
    expect_equal(sort(u_drawn), sort(u_ref), tolerance = 1e-10)
    expect_match(p$labels$title, sprintf("iteration %d of 10", t))
  }
  # and the same numbers by a formula written here, at iteration 2
  th <- tidy_params(fit, 2)
  w <- sapply(1:2, function(k) th$pi[k] * dmvn(as.matrix(X[c("x", "y")]), th$mu[, k], th$Sigma[[k]]))
  u_formula <- 1 - apply(w / rowSums(w), 1L, max)
  drawn <- ggplot2::ggplot_build(plot_uncertainty(fit, iteration = 2))$data[[1L]]
  expect_equal(sort(0.5 * ((drawn$size - 0.6) / 4.4)^2), sort(u_formula), tolerance = 1e-10)
})

test_that("plot_uncertainty() draws the iteration's means and marginal ellipses", {
  fit <- iris_fit()
  th <- tidy_params(fit, fit$n_iter)
  p <- plot_uncertainty(fit, dims = c(3, 1), radii = c(1, 2.5))
  b <- ggplot2::ggplot_build(p)
  paths <- layer_index(p, "GeomPath")
  expect_length(paths, 3L)
  for (k in 1:3) {
    e <- b$data[[paths[k]]]
    radius <- c(1, 2.5)[as.integer(factor(e$linetype, levels = c("solid", "22")))]
    d2 <- mahalanobis2(e[c("x", "y")], th$mu[c(3, 1), k], th$Sigma[[k]][c(3, 1), c(3, 1)])
    expect_equal(d2, radius^2, tolerance = 1e-10)
  }
  means <- b$data[[layer_index(p, "GeomPoint")[2L]]]
  expect_equal(means$x, th$mu[3, ])
  expect_equal(means$y, th$mu[1, ])
  expect_identical(p$labels$x, "Petal.Length")
  expect_identical(p$labels$y, "Sepal.Length")
  expect_length(layer_index(plot_uncertainty(fit, radii = NULL), "GeomPath"), 0L)
})

test_that("plot_uncertainty() of one-dimensional data plots the uncertainty against x", {
  fit <- gmm_em(faithful["eruptions"], k = 2, seed = 1, tol = 1e-8)
  p <- plot_uncertainty(fit)
  b <- ggplot2::ggplot_build(p)
  drawn <- b$data[[layer_index(p, "GeomPoint")]]
  prob <- final_prob(fit)
  expect_equal(drawn$x, faithful$eruptions)
  expect_equal(drawn$y, 1 - apply(prob, 1L, max), tolerance = 1e-12)
})

# Largest relative gap between the mixture density (the formula) at the drawn
# contour points and their level, with the contours computed on a grid x grid.
contour_error <- function(fit, grid, dims = 1:2, ...) {
  th <- tidy_params(fit, fit$n_iter)
  p <- plot_density(fit, dims = dims, grid = grid, ...)
  contours <- ggplot2::ggplot_build(p)$data[[layer_index(p, "GeomContour")]]
  f <- mixture_pdf(contours[c("x", "y")], th, dims)
  max(abs(f / contours$level - 1))
}

test_that("plot_density() draws contours on which the mixture density equals their level", {
  fit <- faithful_fit()
  worst <- vapply(c(100, 200, 400), function(g) contour_error(fit, g), numeric(1))
  # The contour points are linear interpolations between grid nodes, whose
  # error in f shrinks as the square of the grid step: a quarter for each
  # halving. A wrong level or a wrong density would not shrink at all.
  expect_lt(worst[3L], 2e-3)
  expect_equal(worst[1L] / worst[2L], 4, tolerance = 0.1)
  expect_equal(worst[2L] / worst[3L], 4, tolerance = 0.1)
})

test_that("plot_density()'s default levels are exceeded by the density of 25%, 50%, 75% and 95% of the data", {
  fit <- faithful_fit()
  th <- tidy_params(fit, fit$n_iter)
  p <- plot_density(fit)
  contours <- ggplot2::ggplot_build(p)$data[[layer_index(p, "GeomContour")]]
  f_data <- mixture_pdf(faithful, th, 1:2)
  levels <- sort(unique(contours$level), decreasing = TRUE)
  expect_equal(levels, unname(quantile(f_data, c(0.75, 0.5, 0.25, 0.05))), tolerance = 1e-10)
  for (j in seq_along(levels)) {
    expect_equal(mean(f_data >= levels[j]), c(0.25, 0.5, 0.75, 0.95)[j], tolerance = 0.01)
  }
  skip_if_not_installed("mclust")
  cholsigma <- simplify2array(lapply(th$Sigma, chol))
  f_mclust <- mclust::dens(data = as.matrix(faithful), modelName = "VVV",
                           parameters = list(pro = th$pi, mean = th$mu,
                                             variance = list(modelName = "VVV", d = 2, G = 2, cholsigma = cholsigma)))
  expect_equal(levels, unname(quantile(f_mclust, c(0.75, 0.5, 0.25, 0.05))), tolerance = 1e-10)
})

test_that("plot_density() of d > 2 contours the marginal mixture in the plane of dims", {
  fit <- iris_fit()
  th <- tidy_params(fit, fit$n_iter)
  levels <- c(0.05, 0.2, 0.5)
  p <- plot_density(fit, dims = c(4, 2), levels = levels, grid = 400)
  contours <- ggplot2::ggplot_build(p)$data[[layer_index(p, "GeomContour")]]
  expect_setequal(unique(contours$level), levels)
  # the narrow setosa component bends the density sharply, so the
  # interpolation error is larger than on faithful; it shrinks as h^2 all the same
  worst <- vapply(c(200, 400), function(g) contour_error(fit, g, dims = c(4, 2), levels = levels), numeric(1))
  expect_lt(worst[2L], 5e-3)
  expect_equal(worst[1L] / worst[2L], 4, tolerance = 0.1)
  # a slice through the other dimensions at their means would be another
  # density, far from the levels
  slice <- Reduce(`+`, lapply(1:3, function(k) {
    S <- th$Sigma[[k]]
    cond <- S[c(4, 2), c(4, 2)] - S[c(4, 2), c(1, 3)] %*% solve(S[c(1, 3), c(1, 3)]) %*% S[c(1, 3), c(4, 2)]
    th$pi[k] * dmvn(contours[c("x", "y")], th$mu[c(4, 2), k], cond)
  }))
  expect_gt(max(abs(slice / contours$level - 1)), 0.1)
  expect_identical(c(p$labels$x, p$labels$y), c("Petal.Width", "Sepal.Width"))
})

test_that("plot_density() of one-dimensional data draws the mixture and the weighted components", {
  fit <- gmm_em(faithful["eruptions"], k = 2, seed = 1, tol = 1e-8)
  th <- tidy_params(fit, fit$n_iter)
  p <- plot_density(fit)
  b <- ggplot2::ggplot_build(p)
  area <- b$data[[layer_index(p, "GeomArea")]]
  mixture <- th$pi[1] * dnorm(area$x, th$mu[1, 1], sqrt(th$Sigma[[1]])) +
    th$pi[2] * dnorm(area$x, th$mu[1, 2], sqrt(th$Sigma[[2]]))
  expect_equal(area$y, mixture, tolerance = 1e-12)
  lines <- b$data[[layer_index(p, "GeomLine")]]
  for (k in 1:2) {
    comp <- lines[lines$group == k, ]
    expect_equal(comp$y, th$pi[k] * dnorm(comp$x, th$mu[1, k], sqrt(th$Sigma[[k]])), tolerance = 1e-12)
  }
  expect_true(min(area$x) < min(faithful$eruptions) && max(area$x) > max(faithful$eruptions))
})

test_that("plot_pairs() draws every pair of dims with the marginal ellipses and the classification", {
  fit <- iris_fit()
  th <- tidy_params(fit, fit$n_iter)
  p <- plot_pairs(fit, radii = c(1, 2))
  b <- ggplot2::ggplot_build(p)
  layout <- b$layout$layout
  names <- names(iris)[1:4]
  expect_equal(nrow(layout), 16L)
  dim_of <- function(panel, side) match(as.character(layout[[side]][match(panel, layout$PANEL)]), names)

  paths <- layer_index(p, "GeomPath")
  expect_length(paths, 3L)
  for (k in 1:3) {
    e <- b$data[[paths[k]]]
    expect_setequal(unique(as.integer(e$PANEL)), layout$PANEL[layout$row != layout$col])
    radius <- c(1, 2)[as.integer(factor(e$linetype, levels = c("solid", "22")))]
    for (panel in unique(e$PANEL)) {
      on <- e$PANEL == panel
      S <- c(dim_of(panel, "col"), dim_of(panel, "row"))
      d2 <- mahalanobis2(e[on, c("x", "y")], th$mu[S, k], th$Sigma[[k]][S, S])
      expect_equal(d2, radius[on]^2, tolerance = 1e-10)
    }
  }

  pts <- b$data[[layer_index(p, "GeomPoint")[1L]]]
  expect_equal(nrow(pts), 150L * 12L)
  class <- as.integer(predict(fit)$.cluster)
  palette <- c("#0072B2", "#E69F00", "#009E73")
  for (panel in unique(pts$PANEL)) {
    on <- pts$PANEL == panel
    expect_equal(pts$x[on], iris[[dim_of(panel, "col")]])
    expect_equal(pts$y[on], iris[[dim_of(panel, "row")]])
    expect_equal(pts$colour[on], palette[class])
  }
  text <- b$data[[layer_index(p, "GeomText")]]
  expect_equal(text$label[order(text$PANEL)], names)
  expect_true(all(layout$row[match(text$PANEL, layout$PANEL)] == layout$col[match(text$PANEL, layout$PANEL)]))
})

test_that("plot_pairs() shows chosen dims and works for two", {
  fit <- iris_fit()
  b <- ggplot2::ggplot_build(plot_pairs(fit, dims = c(4, 1, 3)))
  expect_equal(levels(b$layout$layout$row), names(iris)[c(4, 1, 3)])
  two <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
  expect_equal(nrow(ggplot2::ggplot_build(plot_pairs(two))$layout$layout), 4L)
})

test_that("the views reject bad arguments, naming them", {
  fit <- faithful_fit()
  n <- fit$n_iter
  for (f in list(plot_uncertainty, plot_density, plot_pairs)) {
    expect_error(f(fit, iteration = -1), "`iteration` must not be negative")
    expect_error(f(fit, iteration = n + 1), sprintf("`iteration` must be at most %d, the number of iterations the fit ran", n))
    expect_error(f(fit, iteration = 1.5), "`iteration` must be whole numbers")
    expect_error(f(fit, iteration = c(1, 2)), "`iteration`")
    expect_error(f(fit, iteration = "1"), "`iteration`")
    expect_error(f(fit, iterations = 1), "`...` must be empty; unused argument: `iterations`")
    expect_error(f(faithful), "`fit` must be a `gmm_em` fit")
    expect_error(f(fit, colours = "red"), "`colours`")
  }
  expect_error(plot_uncertainty(fit, dims = c(1, 1)), "`dims`")
  expect_error(plot_density(fit, dims = c(1, 3)), "`dims`")
  expect_error(plot_uncertainty(fit, radii = -1), "`radii`")
  expect_error(plot_pairs(fit, radii = 0), "`radii`")
  expect_error(plot_density(fit, levels = c(0.1, -1)), "`levels` must be NULL or positive")
  expect_error(plot_density(fit, levels = "a"), "`levels`")
  expect_error(plot_density(fit, grid = 5), "`grid` must be a whole number from 10")
  expect_error(plot_density(fit, grid = NA), "`grid`")
  expect_error(plot_pairs(fit, dims = 1), "`dims` must be NULL or at least two")
  expect_error(plot_pairs(fit, dims = c(1, 1)), "`dims` must not repeat")
  expect_error(plot_pairs(fit, dims = c(1, 3)), "`dims` must be column numbers from 1 to 2")
  one <- gmm_em(faithful["eruptions"], k = 2, seed = 1)
  expect_error(plot_pairs(one), "`fit` must be fitted to data with at least two columns")
  expect_error(plot_density(one, dims = 2), "`dims` must be 1")
})

test_that("the panels are square when the dimensions' spreads differ, with equal scales otherwise", {
  panel_aspect <- function(p) {
    b <- ggplot2::ggplot_build(p)
    pp <- b$layout$panel_params[[1L]]
    p$coordinates$ratio * diff(pp$y.range) / diff(pp$x.range)
  }
  fit <- faithful_fit()  # eruptions span about 3.5 minutes, waiting times about 53
  expect_equal(panel_aspect(plot_uncertainty(fit)), 1)
  expect_equal(panel_aspect(plot_density(fit)), 1)
  X <- generate_data(var1 = 3)
  handout <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                    Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 5)
  expect_equal(plot_uncertainty(handout)$coordinates$ratio, 1)
  expect_equal(plot_density(handout)$coordinates$ratio, 1)
})
