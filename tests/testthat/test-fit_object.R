# The fit object as users meet it: wide data through every method, prediction by
# name, memory for the iterations actually run, scale-free numerics, starts that
# fail, convergence made visible, and the small things (names, classes, formulas).

wide_data <- function(n = 400, d = 150) {
  set.seed(150)
  X <- rbind(matrix(rnorm(n / 2 * d), n / 2), matrix(rnorm(n / 2 * d, 1.5), n / 2))
  colnames(X) <- paste0("v", seq_len(d))
  X
}

test_that("wide data (d = 150, n = 400) go through every method", {
  X <- wide_data()
  fit <- gmm_em(X, k = 2, seed = 1, max_iter = 5)
  d <- 150L
  # d = 150 has (1, 111) and (11, 11): names must not collide
  expect_identical(anyDuplicated(names(fit$params)), 0L)
  expect_identical(ncol(fit$params), 3L + d + (d * (d + 1L)) %/% 2L)
  expect_true(all(c("sigma_v1_v111", "sigma_v11_v11") %in% names(fit$params)))
  expect_identical(fit$params$sigma_v1_v111[fit$params$iteration == 5], unname(fit$path$Sigma[1, 111, , "5"]))
  expect_identical(fit$params$sigma_v11_v11[fit$params$iteration == 5], unname(fit$path$Sigma[11, 11, , "5"]))
  # every reader agrees with the store
  expect_identical(unname(coef(fit)[, "sigma_v1_v111"]), unname(fit$final$Sigma[1, 111, ]))
  s <- summary(fit)
  expect_identical(s$Sigma[[2]][1, 111], fit$final$Sigma[1, 111, 2])
  expect_output(print(s), "Covariances: 2 matrices of 150 x 150")
  expect_output(print(fit), "and 142 more columns")
  r <- fitted(fit)
  expect_equal(rowSums(r), rep(1, 400), tolerance = 1e-12)
  expect_identical(predict(fit, X[, d:1])$.cluster, predict(fit)$.cluster)
  expect_identical(dim(augment(fit)), c(400L, d + 4L))
  expect_identical(dim(simulate(fit, seed = 1)), c(400L, d + 2L))
  expect_identical(nrow(tidy(fit)), 2L)
  expect_identical(glance(fit)$d, 150L)
  expect_s3_class(ggplot2::ggplot_build(plot_mixtures(fit, dims = c(1, 111))), "ggplot_built")
  # the unnamed form numbers the columns, unambiguously
  unnamed <- gmm_em(unname(X), k = 2, seed = 1, max_iter = 1)
  expect_true(all(c("sigma_1_111", "sigma_11_11") %in% names(unnamed$params)))
})

test_that("the params frame for d = 200 is built in well under a second", {
  set.seed(200)
  Y <- matrix(rnorm(1000 * 200), 1000)
  fit <- gmm_em(Y, k = 2, seed = 1, max_iter = 2)
  elapsed <- system.time(frame <- gmmem:::params_frame(fit$path, NULL))[["elapsed"]]
  expect_lt(elapsed, 1)
  expect_identical(dim(frame), c(6L, 3L + 200L + (200L * 201L) %/% 2L))
  expect_identical(frame, fit$params)
})

test_that("new data are matched by name, and missing or duplicated names are refused", {
  fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
  new <- data.frame(eruptions = c(2, 4.5), waiting = c(50, 85))
  expect_identical(predict(fit, new[2:1])$.cluster, predict(fit, new)$.cluster)
  expect_identical(predict(fit, cbind(new, foo = 1)), predict(fit, new))
  # the issue's example: waiting must never be read as eruptions
  expect_error(predict(fit, data.frame(waiting = c(50, 85), foo = c(2, 4.5))),
               "`newdata` lacks the column `eruptions` the model was fitted to; it has `foo`, which the model does not use.",
               fixed = TRUE)
  expect_error(predict(fit, data.frame(eruptions = 2, waiting = 50, waiting = 60, check.names = FALSE)),
               "`newdata` has the column `waiting` more than once", fixed = TRUE)
  expect_error(augment(fit, newdata = data.frame(waiting = 50)), "`newdata` lacks the column `eruptions`", fixed = TRUE)
  # unnamed data of the right width go by position
  expect_identical(predict(fit, unname(as.matrix(new))), predict(fit, new))
  # duplicated names are refused when fitting
  dup <- cbind(as.matrix(faithful), eruptions = faithful$eruptions * 2)
  expect_error(gmm_em(dup, k = 2), "`data` must have distinct column names; `eruptions` appears more than once.",
               fixed = TRUE)
})

test_that("kept responsibilities grow with the iterations run, and a binding budget is said once", {
  # a tol that stops early allocates nothing for the iterations that never run
  X <- as.matrix(faithful)
  fit <- gmm_em(X, k = 1, tol = 1e-8, max_iter = 1e6)
  expect_lte(fit$n_iter, 3L)
  expect_identical(dim(fit$resp)[3L], fit$n_iter + 1L)
  expect_lt(as.numeric(object.size(fit)), 1e6)
  # keep = "all" with a huge max_iter is fine when few run
  expect_silent(all <- gmm_em(X, k = 1, tol = 1e-8, max_iter = 1e8, keep = "all"))
  expect_identical(dimnames(all$resp)[[3L]], as.character(0:all$n_iter))
  # no message when everything that ran was kept
  expect_silent(gmm_em(X, k = 2, seed = 1, tol = 1e-8, max_iter = 5000))
  # the budget counts the parameter path of the iterations run: with room for
  # 3 matrices beside the path of 21 iterations, iterations 0, 1 and the last
  old <- options(gmmem.keep_budget = gmmem:::path_size(2, 2, 20) + 3 * 8 * 272 * 2)
  on.exit(options(old))
  msgs <- character()
  small <- withCallingHandlers(gmm_em(X, k = 2, seed = 1, max_iter = 20),
                               message = function(m) {
                                 msgs <<- c(msgs, conditionMessage(m))
                                 invokeRestart("muffleMessage")
                               })
  expect_length(msgs, 1L)
  expect_match(msgs, "Responsibilities kept for iterations 0, 1, 20 of the 21 that ran")
  expect_identical(dimnames(small$resp)[[3L]], c("0", "1", "20"))
})

test_that("rescaling any column by 1e-150..1e150 gives the same responsibilities", {
  X <- as.matrix(faithful)
  base <- gmm_em(X, k = 2, seed = 1, max_iter = 30)
  for (a in c(1e-150, 1e-8, 1e8, 1e150)) {
    Y <- X
    Y[, 2] <- Y[, 2] * a
    fit <- gmm_em(Y, k = 2, seed = 1, max_iter = 30)
    expect_lt(max(abs(fit$resp - base$resp)), 1e-8, label = paste("scale", a))
    expect_lt(max(abs(fit$final$mu[, 2] / a - base$final$mu[, 2]) / abs(base$final$mu[, 2])), 1e-8)
  }
  # a column a hundred million times smaller than the other fits from gmmem's own start
  set.seed(1)
  tiny <- cbind(rnorm(200), rnorm(200, sd = 1e-8))
  expect_s3_class(gmm_em(tiny, k = 2, seed = 1, max_iter = 20), "gmm_em")
  # a uniform 1e-200 gets the same clear message as 1e200
  expect_error(gmm_em(faithful * 1e-200, k = 2), "whose spread is too small for double precision", fixed = TRUE)
  expect_error(gmm_em(faithful * 1e200, k = 2), "whose spread is too large for double precision", fixed = TRUE)
  expect_error(gmm_em(faithful * 1e-200, k = 2), "rescale the data", fixed = TRUE)
  # a huge but valid starting covariance is a start like any other
  fit <- gmm_em(faithful, pi = 1, mu = list(c(3, 70)), Sigma = list(diag(1e300, 2)), max_iter = 3)
  expect_equal(unname(fit$final$mu[1, ]), unname(colMeans(faithful)), tolerance = 1e-12)
})

test_that("the failure messages say what happened, and reg_covar's advice is a value it takes", {
  err <- tryCatch(gmm_em(rbind(as.matrix(faithful), c(20, 300), c(20, 300)), pi = c(0.5, 0.5),
                         mu = list(c(3, 70), c(20, 300)), Sigma = list(diag(2), diag(2))),
                  error = function(e) e)
  expect_s3_class(err, "gmmem_em_error")
  expect_identical(err$kind, "singular_covariance")
  expect_identical(err$component, 2L)
  advice <- regmatches(conditionMessage(err), regexpr("for example [0-9.e-]+", conditionMessage(err)))
  value <- as.numeric(sub("for example ", "", advice))
  expect_true(is.finite(value) && value > 0)
  # the advised value is one reg_covar accepts, and it makes the fit well-posed
  expect_s3_class(gmm_em(rbind(as.matrix(faithful), c(20, 300), c(20, 300)), pi = c(0.5, 0.5),
                         mu = list(c(3, 70), c(20, 300)), Sigma = list(diag(2), diag(2)), reg_covar = value),
                  "gmm_em")
  empty <- tryCatch(gmm_em(c(-1, 0, 1), pi = c(0.5, 0.5), mu = list(0, 39.4), Sigma = list(1, 1)),
                    error = function(e) e)
  expect_identical(empty$kind, "empty_component")
  expect_match(conditionMessage(empty), "component 2 lost all its weight")
})

test_that("plots work for K = 1 and n = 1, plot() draws the figure, and the aspect follows the data", {
  one <- gmm_em(faithful, k = 1, max_iter = 3)
  expect_s3_class(ggplot2::ggplot_build(plot_mixtures(one)), "ggplot_built")
  single <- gmm_em(matrix(c(1, 2), 1), pi = 1, mu = list(c(0, 0)), Sigma = list(diag(2)), max_iter = 0)
  expect_s3_class(ggplot2::ggplot_build(plot_mixtures(single)), "ggplot_built")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  drawn <- plot(one)
  expect_s3_class(drawn, "ggplot")
  # faithful's columns differ in range by a factor of 10: square panels, not equal units
  fit <- gmm_em(faithful, k = 2, seed = 1, max_iter = 5)
  ratio <- plot_mixtures(fit)$coordinates$ratio
  expect_gt(ratio, 0.05)
  expect_lt(ratio, 0.2)
  expect_identical(plot_mixtures(fit, coord = "equal")$coordinates$ratio, 1)
  handout <- gmm_em(generate_data(var1 = 3), pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                    Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 5)
  expect_identical(plot_mixtures(handout)$coordinates$ratio, 1)
})

test_that("a fit whose component dropped out restarts from its final state, and df counts live components", {
  set.seed(2)
  Y <- matrix(rnorm(120), 60)
  fit <- gmm_em(Y, pi = c(0.5, 0.5), mu = list(c(0, 0), c(100, 100)), Sigma = list(diag(2), diag(0.01, 2)),
                reg_covar = 1e-6)
  expect_identical(unname(fit$final$pi), c(1, 0))
  expect_identical(attr(logLik(fit), "df"), 5L)  # one component in two dimensions: 2 + 3
  again <- gmm_em(Y, pi = fit$final$pi, mu = fit$final$mu, Sigma = fit$final$Sigma, max_iter = 3)
  expect_identical(unname(again$final$pi), c(1, 0))
  expect_equal(unname(again$final$mu[1, ]), unname(fit$final$mu[1, ]), tolerance = 1e-12)
})

test_that("convergence is visible: print, summary and glance agree, and a moving fit says so", {
  moving <- gmm_em(faithful, k = 5, seed = 1)
  expect_false(moving$converged)
  expect_identical(glance(moving)$converged, FALSE)
  expect_identical(summary(moving)$converged, FALSE)
  change <- diff(tail(moving$loglik$loglik, 2))
  expect_gt(change, 0)
  expect_output(print(moving), sprintf("Not converged (no tol given): the log-likelihood rose by %s", format(change, digits = 3)),
                fixed = TRUE)
  expect_output(print(summary(moving)), "EM was still moving", fixed = TRUE)
  settled <- gmm_em(generate_data(var1 = 3), pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                    Sigma = list(diag(0.1, 2), diag(0.1, 2)))
  expect_true(settled$converged)
  expect_identical(glance(settled)$converged, TRUE)
  expect_output(print(settled), "Converged (no tol given)", fixed = TRUE)
})

test_that("the small things: names, classes, NA rows, formulas", {
  fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
  expect_identical(colnames(coef(fit))[2:3], c("mu_eruptions", "mu_waiting"))
  bad <- faithful
  bad$eruptions[c(3, 9)] <- NA
  bad$waiting[3] <- NA
  expect_error(gmm_em(bad, k = 2), "`data` has NA or NaN values in 2 rows (rows 3, 9). Drop them first, for example with na.omit().",
               fixed = TRUE)
  by_formula <- gmm_em(~ eruptions + waiting, faithful, k = 2, seed = 1, tol = 1e-8)
  expect_identical(by_formula$final, fit$final)
  named <- gmm_em(~ Sepal.Length + log(Petal.Length), data = iris, k = 2, seed = 1, max_iter = 5)
  expect_identical(colnames(named$data), c("Sepal.Length", "log(Petal.Length)"))
  expect_equal(unname(named$data[, 2]), log(iris$Petal.Length))
  expect_error(gmm_em(Species ~ Sepal.Length, iris, k = 2), "`formula` must be one-sided", fixed = TRUE)
})

test_that("augment() keeps a tibble a tibble", {
  skip_if_not_installed("tibble")
  fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
  aug <- augment(fit, tibble::as_tibble(faithful))
  expect_s3_class(aug, "tbl_df")
  expect_identical(names(aug), c("eruptions", "waiting", ".cluster", ".uncertainty", ".r_1", ".r_2"))
  expect_identical(aug$.cluster, predict(fit)$.cluster)
})

test_that("a matrix with an empty column name predicts on itself, and z is not blamed for the data", {
  set.seed(1)
  x <- faithful$eruptions
  m <- cbind(x, 2 * x + rnorm(272))  # cbind() leaves the second name empty
  fit <- gmm_em(m, k = 2, seed = 1, tol = 1e-8)
  expect_identical(colnames(fit$data), c("x", "V2"))
  expect_identical(predict(fit, m), predict(fit))
  expect_identical(augment(fit, m)$.cluster, predict(fit)$.cluster)
  X <- cbind(a = faithful$eruptions, b = 1)
  expect_error(gmm_em(X, z = faithful$waiting > 70), "`data` has column `b` that is constant", fixed = TRUE)
  # a logical matrix of responsibilities is a 0/1 one
  z <- cbind(faithful$waiting > 70, faithful$waiting <= 70)
  expect_identical(gmm_em(faithful, z = z, max_iter = 3)$final, gmm_em(faithful, z = z * 1, max_iter = 3)$final)
})
