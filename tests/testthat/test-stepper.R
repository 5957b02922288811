# gmm_stepper(): the app's logic (data, clicks, start, fit, moves) as plain functions, and its server.

skip_if_not_installed("shiny")

handout_label <- "Handout: generate_data(var1 = 3)"

test_that("gmm_stepper() returns a Shiny app and names the argument it refuses", {
  expect_s3_class(gmm_stepper(), "shiny.appobj")
  expect_s3_class(gmm_stepper(iris, k = 3, max_iter = 5, model = "EEE"), "shiny.appobj")
  expect_error(gmm_stepper(k = 0), "`k` must be at least 1", fixed = TRUE)
  expect_error(gmm_stepper(k = 8), "`k` must be at most 7", fixed = TRUE)
  expect_error(gmm_stepper(k = 1.5), "`k` must be a single whole number", fixed = TRUE)
  expect_error(gmm_stepper(max_iter = 0), "`max_iter` must be at least 1", fixed = TRUE)
  expect_error(gmm_stepper(data = iris[5]), "`data` must have at least two numeric columns", fixed = TRUE)
  expect_error(gmm_stepper(data = letters), "`data` must be NULL, a data frame", fixed = TRUE)
  expect_error(gmm_stepper(mu = list(0, 1)), "`mu` is set by the app", fixed = TRUE)
  expect_error(gmm_stepper(NULL, 2, 10, "EEE"), "`...` must be named", fixed = TRUE)
})

test_that("the data sets are the handout's, faithful standardised by hand and raw, and the user's columns", {
  sets <- stepper_datasets()
  expect_named(sets, c(handout_label, "faithful, standardised", "faithful, raw"))
  handout <- generate_data(var1 = 3)
  expect_equal(unname(sets[[1]]), unname(cbind(handout$x, handout$y)))
  f <- datasets::faithful
  by_hand <- cbind((f$eruptions - mean(f$eruptions)) / sd(f$eruptions),
                   (f$waiting - mean(f$waiting)) / sd(f$waiting))
  expect_equal(unname(sets[["faithful, standardised"]]), by_hand)
  expect_equal(unname(sets[["faithful, raw"]]), unname(as.matrix(f)))

  own <- data.frame(name = c("a", "b", "c", "d"), u = c(1, 2, NA, 4), v = c(5, 6, 7, 9), w = c(0, 1, 0, 1))
  sets <- stepper_datasets(own)
  X <- stepper_data(sets, "Your data")
  expect_equal(X, cbind(u = c(1, 2, 4), v = c(5, 6, 9)), ignore_attr = "na.action")
  expect_equal(unname(stepper_data(sets, "Your data", c("w", "u"))), cbind(c(0, 1, 1), c(1, 2, 4)),
               ignore_attr = "na.action")
  expect_error(stepper_data(sets, "Your data", c("u", "u")), "`columns` must be two different numeric", fixed = TRUE)
  expect_error(stepper_data(sets, "Your data", c("name", "u")), "`columns` must be two different numeric", fixed = TRUE)
  # a numeric matrix without names gets V1, V2, ...
  expect_equal(colnames(stepper_data(stepper_datasets(matrix(1:6, 3)), "Your data")), c("V1", "V2"))
})

test_that("each click sets the next mean, around the K means", {
  clicks <- stepper_no_means(2)
  expect_true(all(is.na(clicks$means)))
  clicks <- stepper_click(clicks$means, clicks$next_mean, -1, 2)
  clicks <- stepper_click(clicks$means, clicks$next_mean, 3, -4)
  expect_equal(clicks$means, rbind(c(-1, 2), c(3, -4)))
  expect_equal(clicks$next_mean, 1L)
  clicks <- stepper_click(clicks$means, clicks$next_mean, 5, 6) # the third click moves mean 1
  expect_equal(clicks$means, rbind(c(5, 6), c(3, -4)))
  expect_equal(clicks$next_mean, 2L)
  expect_equal(stepper_placed(rbind(c(-1.234, 2), c(NA, NA))), "1 of 2 means placed: (-1.23, 2.00).")
})

test_that("the start has equal weights and the data's variances over K on the diagonal", {
  X <- cbind(a = c(0, 2, 4, 6), b = c(1, 1, 2, 4))
  # sample variances by hand: a: sum((x - 3)^2) / 3 = 20 / 3; b: sum((x - 2)^2) / 3 = 6 / 3
  start <- stepper_start(X, rbind(c(0, 1), c(6, 4), c(3, 2)))
  expect_equal(start$pi, rep(1 / 3, 3))
  expect_equal(start$mu, list(c(0, 1), c(6, 4), c(3, 2)))
  expect_equal(start$Sigma, rep(list(diag(c(20 / 3, 2) / 3)), 3))
  expect_error(stepper_start(X, rbind(c(0, 1), c(NA, NA))), "`means` must all be placed: click on the plot 2 times",
               fixed = TRUE)
})

test_that("Fit runs EM from the clicked start, keeps every iteration, and its first step is EM's by hand", {
  X <- stepper_datasets()[["faithful, standardised"]]
  means <- rbind(c(-1, -1), c(1, 1))
  fit <- stepper_fit(X, means, max_iter = 4)
  expect_equal(fit$n_iter, 4)
  expect_equal(kept_iterations(fit), 0:4)
  expect_equal(unname(fit$path$mu[, , "0"]), t(means))

  # one E-step and M-step from the start, written out with base R
  S0 <- diag(apply(X, 2, var) / 2)
  dens <- sapply(1:2, function(k) {
    D <- sweep(X, 2, means[k, ])
    0.5 * exp(-0.5 * rowSums((D %*% solve(S0)) * D)) / (2 * pi * sqrt(det(S0)))
  })
  r <- unname(dens / rowSums(dens))
  expect_equal(responsibilities_at(fit, 1), r, tolerance = 1e-12)
  nk <- colSums(r)
  mu1 <- t(X) %*% r / rep(nk, each = 2)
  expect_equal(unname(fit$path$mu[, , "1"]), unname(mu1), tolerance = 1e-12)
  S1 <- crossprod(sqrt(r[, 2]) * sweep(X, 2, mu1[, 2])) / nk[2]
  expect_equal(unname(fit$path$Sigma[, , 2, "1"]), unname(S1), tolerance = 1e-12)
  expect_equal(fit$loglik$loglik[1], sum(log(rowSums(dens))), tolerance = 1e-12)

  # further gmm_em() arguments reach it
  expect_equal(stepper_fit(X, means, max_iter = 2, em_args = list(model = "EII"))$model, "EII")
})

test_that("moves stay within 0 and the last iteration", {
  expect_equal(stepper_move(3, 1, 10), 4L)
  expect_equal(stepper_move(10, 1, 10), 10L)
  expect_equal(stepper_move(0, -1, 10), 0L)
  expect_equal(stepper_move(7, -10, 10), 0L)
})

test_that("the log-likelihood panel marks the iteration shown", {
  fit <- stepper_fit(stepper_datasets()[[1]], rbind(c(-2, 2), c(2, -2)), max_iter = 5)
  built <- ggplot2::ggplot_build(stepper_plot_loglik(fit, 3))
  expect_equal(built$data[[2]]$xintercept, 3)
  expect_equal(built$data[[3]]$y, fit$loglik$loglik[fit$loglik$iteration == 3])
  expect_s3_class(stepper_plot_start(stepper_datasets()[[1]], rbind(c(0, 0), c(NA, NA))), "ggplot")
})

test_that("the server places means by clicks, fits, and steps, goes back and rewinds", {
  shiny::testServer(gmm_stepper(max_iter = 20), {
    session$setInputs(dataset = handout_label, k = 2, t = 0)
    state <- session$userData$state
    current <- session$userData$current
    session$setInputs(fit = 1) # before the clicks: no fit, and why
    expect_null(state$fit)
    expect_match(output$status, "`means` must all be placed")

    session$setInputs(plot_click = list(x = -2, y = 2))
    session$setInputs(plot_click = list(x = 2, y = -2))
    expect_equal(output$status, "2 of 2 means placed: (-2.00, 2.00), (2.00, -2.00).")
    session$setInputs(fit = 2)
    expect_equal(state$fit$n_iter, 20)
    expect_equal(unname(state$fit$path$mu[, , "0"]), cbind(c(-2, 2), c(2, -2)))
    for (i in 1:3) session$setInputs(step = i)
    expect_equal(current(), 3L)
    session$setInputs(back = 1)
    expect_equal(current(), 2L)
    expect_match(output$status, "^Iteration 2 of 20; log-likelihood ")
    session$setInputs(t = 15) # the slider, as its play button moves it
    expect_equal(current(), 15L)
    session$setInputs(rewind = 1)
    expect_equal(current(), 0L)

    session$setInputs(k = 3) # another K starts over
    expect_null(state$fit)
    expect_equal(dim(state$clicks$means), c(3L, 2L))
    expect_equal(output$status, "0 of 3 means placed.")
  })
})
