# plot_mixtures(), autoplot() and plot_loglik(): what the figures are made of,
# checked through ggplot_build() against the fit they draw.

# mu and Sigma of component k at iteration t, read from the path arrays.
component_at <- function(fit, t, k, dims) {
  at <- as.character(t)
  list(mu = unname(fit$path$mu[dims, k, at]),
       Sigma = unname(matrix(fit$path$Sigma[dims, dims, k, at], length(dims))),
       pi = unname(fit$path$pi[at, k]))
}

layer_geoms <- function(p) vapply(p$layers, function(l) class(l$geom)[1L], character(1))

# The iteration drawn in each panel of a built plot.
panel_iterations <- function(built) {
  layout <- built$layout$layout
  stats::setNames(as.integer(as.character(layout$iteration)), layout$PANEL)
}

# Lab-space midpoint of two colours, as 0-255 RGB.
lab_midpoint <- function(a, b) {
  lab <- grDevices::convertColor(t(grDevices::col2rgb(c(a, b))) / 255, from = "sRGB", to = "Lab")
  drop(grDevices::convertColor(matrix(colMeans(lab), 1L), from = "Lab", to = "sRGB")) * 255
}

test_that("plot_mixtures() draws points, ellipses and means in one panel per iteration", {
  fit <- fit_handout()
  p <- plot_mixtures(fit)
  expect_s3_class(p, "ggplot")
  expect_identical(layer_geoms(p), c("GeomPoint", "GeomPath", "GeomPoint"))
  expect_s3_class(p$facet, "FacetWrap")
  expect_s3_class(p$coordinates, "CoordFixed")

  built <- ggplot2::ggplot_build(p)
  layout <- built$layout$layout
  expect_identical(as.character(layout$iteration), c("0", "1", "5", "10", "25", "40"))
  expect_identical(c(max(layout$ROW), max(layout$COL)), c(2L, 3L))
  labels <- p$facet$params$labeller(layout["iteration"])
  expect_identical(labels$iteration, paste("Iteration", c(0, 1, 5, 10, 25, 40)))

  # every data point in every panel; two means per panel, at that iteration's mu
  expect_identical(nrow(built$data[[1L]]), 6L * 400L)
  means <- built$data[[3L]]
  expect_identical(nrow(means), 12L)
  its <- panel_iterations(built)[as.character(means$PANEL)]
  for (i in seq_len(nrow(means))) {
    k <- match(means$fill[i], c("#0072B2", "#E69F00"))
    comp <- component_at(fit, its[i], k, 1:2)
    expect_equal(c(means$x[i], means$y[i]), comp$mu, tolerance = 1e-12)
  }
  # the start's means are drawn in panel 0
  expect_equal(sort(means$x[means$PANEL == 1]), c(0, 0.1))
  expect_identical(p$labels$x, "x")
  expect_identical(p$labels$y, "y")
})

test_that("ellipse points lie at the requested Mahalanobis radius under their component's covariance", {
  fit <- fit_handout()
  radii <- c(1, 2, 3.5)
  p <- plot_mixtures(fit, iterations = c(0, 1, 7, 100), radii = radii)
  built <- ggplot2::ggplot_build(p)
  ell <- built$data[[2L]]
  colour_of <- built$plot$scales$get_scales("colour")$map(factor(1:2))
  linetype_of <- built$plot$scales$get_scales("linetype")$map(factor(seq_along(radii)))
  its <- panel_iterations(built)[as.character(ell$PANEL)]
  k <- match(ell$colour, colour_of)
  j <- match(ell$linetype, linetype_of)
  expect_false(anyNA(k))
  expect_false(anyNA(j))
  # every (iteration, component, radius) is drawn, as a closed path
  expect_identical(nrow(unique(data.frame(its, k, j))), 4L * 2L * length(radii))
  distance <- numeric(nrow(ell))
  for (key in split(seq_len(nrow(ell)), list(its, k, j), drop = TRUE)) {
    comp <- component_at(fit, its[key[1L]], k[key[1L]], 1:2)
    diff <- cbind(ell$x[key], ell$y[key]) - rep(comp$mu, each = length(key))
    distance[key] <- sqrt(rowSums((diff %*% solve(comp$Sigma)) * diff))
    expect_equal(ell[key[1L], c("x", "y")], ell[key[length(key)], c("x", "y")], ignore_attr = TRUE)
  }
  expect_lt(max(abs(distance - radii[j])), 1e-8)
})

test_that("for d > 2 the ellipses are the marginal ellipses of the chosen dimensions", {
  Y <- rbind(generate_data(40, 40, mean1 = c(0, 0, 0), mean2 = c(4, 4, 0)),
             generate_data(40, 0, mean1 = c(0, 4, 4), mean2 = c(0, 0, 0), seed = 1))
  fit <- gmm_em(Y[1:3], pi = rep(1 / 3, 3), mu = list(c(1, 1, 1), c(3, 3, 1), c(1, 3, 3)),
                Sigma = list(diag(3), diag(3), diag(3)), max_iter = 8)
  p <- plot_mixtures(fit, iterations = c(0, 3, 8), dims = c(3, 1), radii = 1.5)
  built <- ggplot2::ggplot_build(p)
  expect_identical(p$labels$x, "x3")
  expect_identical(p$labels$y, "x1")
  expect_equal(built$data[[1L]]$x[1:120], fit$data[, 3], ignore_attr = TRUE)
  ell <- built$data[[2L]]
  colour_of <- built$plot$scales$get_scales("colour")$map(factor(1:3))
  its <- panel_iterations(built)[as.character(ell$PANEL)]
  k <- match(ell$colour, colour_of)
  distance <- numeric(nrow(ell))
  for (key in split(seq_len(nrow(ell)), list(its, k), drop = TRUE)) {
    comp <- component_at(fit, its[key[1L]], k[key[1L]], c(3, 1))
    diff <- cbind(ell$x[key], ell$y[key]) - rep(comp$mu, each = length(key))
    distance[key] <- sqrt(rowSums((diff %*% solve(comp$Sigma)) * diff))
  }
  expect_lt(max(abs(distance - 1.5)), 1e-8)
  # three components: the colour of the most likely one, opacity its responsibility
  pts <- built$data[[1L]]
  at3 <- pts[panel_iterations(built)[as.character(pts$PANEL)] == 3, ]
  r <- fit$resp[, , "3"]
  best <- max.col(r, ties.method = "first")
  expect_identical(at3$fill, c("#0072B2", "#E69F00", "#009E73")[best])
  expect_equal(at3$alpha, r[cbind(seq_len(nrow(r)), best)])
})

test_that("point colours follow the responsibilities", {
  fit <- fit_handout(max_iter = 10)
  resp <- fit$resp
  resp[1, , "5"] <- c(1, 0)
  resp[2, , "5"] <- c(0, 1)
  resp[3, , "5"] <- c(0.5, 0.5)
  fit$resp <- resp
  built <- ggplot2::ggplot_build(plot_mixtures(fit, iterations = c(0, 5)))
  pts <- built$data[[1L]]
  panel0 <- pts[pts$PANEL == 1, ]
  panel5 <- pts[pts$PANEL == 2, ]
  expect_identical(unique(panel0$fill), "#8C8C8C")
  expect_identical(panel5$fill[1:2], c("#0072B2", "#E69F00"))
  expect_lte(max(abs(drop(grDevices::col2rgb(panel5$fill[3])) - lab_midpoint("#0072B2", "#E69F00"))), 0.5 + 1e-6)
  # a blend: the more weight on component 1, the closer to its colour
  r1 <- fit$resp[, 1, "5"]
  closeness <- -colSums(abs(grDevices::col2rgb(panel5$fill) - drop(grDevices::col2rgb("#0072B2"))))
  expect_gt(stats::cor(r1, closeness, method = "spearman"), 0.95)

  # user colours are used the same way
  built <- ggplot2::ggplot_build(plot_mixtures(fit, iterations = 5, colours = c("red", "blue")))
  expect_identical(built$data[[1L]]$fill[1:2], c("#FF0000", "#0000FF"))
})

test_that("one-dimensional fits get a density panel per iteration", {
  fit <- gmm_em(faithful$eruptions, pi = c(0.5, 0.5), mu = list(2, 3),
                Sigma = list(matrix(0.5), matrix(0.5)), max_iter = 12)
  p <- plot_mixtures(fit, iterations = c(0, 4, 12))
  expect_identical(layer_geoms(p), c("GeomPoint", "GeomLine", "GeomSegment", "GeomPoint"))
  built <- ggplot2::ggplot_build(p)
  spans <- built$data[[3L]]
  its <- panel_iterations(built)[as.character(spans$PANEL)]
  colour_of <- built$plot$scales$get_scales("colour")$map(factor(1:2))
  linetype_of <- built$plot$scales$get_scales("linetype")$map(factor(1:2))
  k <- match(spans$colour, colour_of)
  j <- match(spans$linetype, linetype_of)
  for (i in seq_len(nrow(spans))) {
    comp <- component_at(fit, its[i], k[i], 1)
    expect_equal(abs(spans$x[i] - comp$mu), c(1, 2)[j[i]] * sqrt(drop(comp$Sigma)), tolerance = 1e-10)
    expect_equal(spans$yend[i], comp$pi * stats::dnorm(spans$x[i], comp$mu, sqrt(drop(comp$Sigma))))
  }
  expect_error(plot_mixtures(fit, dims = c(1, 2)), "`dims`")
})

test_that("without `iterations`, a short fit shows the handout's iterations it has, then its last", {
  fit <- fit_handout(max_iter = 12)
  built <- ggplot2::ggplot_build(plot_mixtures(fit))
  expect_identical(as.character(built$layout$layout$iteration), c("0", "1", "5", "10", "12"))
  fit0 <- fit_handout(max_iter = 0)
  expect_identical(as.character(ggplot2::ggplot_build(plot_mixtures(fit0))$layout$layout$iteration), "0")
})

test_that("bad arguments to plot_mixtures() name the argument", {
  fit <- fit_handout(max_iter = 50, keep = c(0, 10, 20))
  expect_error(plot_mixtures(fit, iterations = 60), "`iterations`.*at most 50")
  expect_error(plot_mixtures(fit, iterations = c(0, 5)), "`iterations`.*5.*keep")
  expect_error(plot_mixtures(fit, iterations = -1), "`iterations`")
  expect_error(plot_mixtures(fit, iterations = 1.5), "`iterations`")
  expect_error(plot_mixtures(fit, iterations = c(10, 10)), "`iterations`")
  expect_error(plot_mixtures(fit, iterations = character()), "`iterations`")
  expect_error(plot_mixtures(fit, iterations = NA), "`iterations`")
  expect_silent(plot_mixtures(fit, iterations = c(0, 10, 20, 50)))
  expect_error(plot_mixtures(fit, iterations = 0, dims = c(1, 3)), "`dims`")
  expect_error(plot_mixtures(fit, iterations = 0, dims = c(2, 2)), "`dims`")
  expect_error(plot_mixtures(fit, iterations = 0, dims = 1), "`dims`")
  expect_error(plot_mixtures(fit, iterations = 0, radii = -1), "`radii`")
  expect_error(plot_mixtures(fit, iterations = 0, radii = "1"), "`radii`")
  expect_error(plot_mixtures(fit, iterations = 0, radii = numeric()), "`radii`")
  expect_error(plot_mixtures(fit, iterations = 0, colours = "red"), "`colours`")
  expect_error(plot_mixtures(fit, iterations = 0, colours = c("red", "nocolour")), "`colours`")
  expect_error(plot_mixtures(fit, colour = "red"), "`...`.*`colour`")
  expect_error(plot_mixtures(fit, 0, 1:2, 1, "red"), "`...`.*unnamed")
  expect_error(plot_mixtures(list(data = 1)), "`fit`")
  expect_error(autoplot(fit, type = "bars"), "`type`")
})

test_that("autoplot() gives the same figure, or the log-likelihood", {
  fit <- fit_handout(max_iter = 40)
  p <- autoplot(fit, iterations = c(0, 40))
  q <- plot_mixtures(fit, iterations = c(0, 40))
  expect_identical(layer_geoms(p), layer_geoms(q))
  expect_equal(ggplot2::ggplot_build(p)$data, ggplot2::ggplot_build(q)$data)
  expect_identical(layer_geoms(autoplot(fit, type = "loglik")), "GeomLine")
})

test_that("plot_loglik() draws one line per fit", {
  one <- fit_handout(max_iter = 30)
  p <- plot_loglik(one)
  expect_identical(layer_geoms(p), "GeomLine")
  built <- ggplot2::ggplot_build(p)$data[[1L]]
  expect_identical(built$x, as.numeric(1:30))
  expect_equal(built$y, one$loglik$loglik[-1L])
  expect_null(p$mapping$colour)

  X <- generate_data(var1 = 3)
  other <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(-2, 2), c(2, -2)),
                  Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 20)
  fits <- list(handout = one, true = other)
  p <- plot_loglik(fits)
  built <- ggplot2::ggplot_build(p)
  expect_identical(length(unique(built$data[[1L]]$colour)), 2L)
  expect_identical(nrow(built$data[[1L]]), 30L + 20L)
  expect_identical(built$plot$scales$get_scales("colour")$get_labels(), c("handout", "true"))
  window <- ggplot2::ggplot_build(plot_loglik(fits, iterations = c(0, 5)))$data[[1L]]
  expect_identical(sort(unique(window$x)), as.numeric(0:5))
  expect_identical(nrow(ggplot2::ggplot_build(plot_loglik(fits, iterations = c(10, Inf)))$data[[1L]]),
                   21L + 11L)
})

test_that("bad arguments to plot_loglik() name the argument", {
  fit <- fit_handout(max_iter = 5)
  expect_error(plot_loglik(list(fit, fit)), "`x`.*named")
  expect_error(plot_loglik(list(a = fit, a = fit)), "`x`.*distinct")
  expect_error(plot_loglik(list(a = fit, b = 1)), "`x\\[\\[\"b\"\\]\\]`")
  expect_error(plot_loglik(list()), "`x`")
  expect_error(plot_loglik(data.frame()), "`x`")
  # a bare object of the class, which the fuzzer found gave an error naming no argument
  expect_error(plot_loglik(structure(list(), class = "gmm_em")), "`x` is not a complete `gmm_em` fit", fixed = TRUE)
  expect_error(plot_loglik(list(a = fit, b = structure(list(), class = "gmm_em"))), "`x[[\"b\"]]` is not a complete", fixed = TRUE)
  expect_error(plot_loglik(fit, iterations = 3), "`iterations`")
  expect_error(plot_loglik(fit, iterations = c(5, 1)), "`iterations`")
  expect_error(plot_loglik(fit, from = 1), "`...`")
})

test_that("plot_loglik() refuses an incomplete gmm_em object by name", {
  expect_error(plot_loglik(structure(list(), class = "gmm_em")), "`x` is not a complete `gmm_em` fit")
  expect_error(plot_loglik(list(a = structure(list(), class = "gmm_em"))), "`x\\[\\[\"a\"\\]\\]` is not a complete")
})
