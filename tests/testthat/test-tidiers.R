# tidy(), glance() and augment(): base data frames with the documented columns,
# and values checked against the fit's own final state and sums done here.


test_that("the tidiers are generics' own, re-exported", {
  expect_identical(gmmem::tidy, generics::tidy)
  expect_identical(gmmem::glance, generics::glance)
  expect_identical(gmmem::augment, generics::augment)
})

test_that("tidy() has one row per component with the final parameters", {
  td <- tidy(fit_faithful())
  expect_identical(class(td), "data.frame")
  # named after the data's columns, as print() names the means
  expect_named(td, c("component", "pi", "mu_eruptions", "mu_waiting", "sigma_eruptions_eruptions",
                     "sigma_eruptions_waiting", "sigma_waiting_waiting"))
  expect_true(any(grepl("mu_eruptions", capture.output(print(fit_faithful())), fixed = TRUE)))
  expect_identical(td$component, 1:2)
  expect_identical(td$pi, unname(fit_faithful()$final$pi))
  for (k in 1:2) {
    S <- fit_faithful()$final$Sigma[, , k]
    expect_identical(c(td$mu_eruptions[k], td$mu_waiting[k]), unname(fit_faithful()$final$mu[k, ]))
    expect_identical(c(td$sigma_eruptions_eruptions[k], td$sigma_eruptions_waiting[k], td$sigma_waiting_waiting[k]),
                     c(S[1, 1], S[1, 2], S[2, 2]))
  }
  expect_equal(sum(td$pi), 1)
})

test_that("tidy() orders the covariance entries row by row in the upper triangle", {
  set.seed(3)
  X <- matrix(rnorm(300), 100, 3) %*% matrix(c(1, 0.3, 0.2, 0, 1, 0.5, 0, 0, 1), 3)
  fit <- gmm_em(X, k = 1, max_iter = 1)
  td <- tidy(fit)
  expect_named(td, c("component", "pi", "mu_1", "mu_2", "mu_3",
                     "sigma_1_1", "sigma_1_2", "sigma_1_3", "sigma_2_2", "sigma_2_3", "sigma_3_3"))
  S <- cov(X) * 99 / 100
  expect_equal(unlist(td[c("sigma_1_1", "sigma_1_2", "sigma_1_3", "sigma_2_2", "sigma_2_3", "sigma_3_3")], use.names = FALSE),
               c(S[1, 1], S[1, 2], S[1, 3], S[2, 2], S[2, 3], S[3, 3]), tolerance = 1e-12)
  expect_equal(unlist(td[c("mu_1", "mu_2", "mu_3")], use.names = FALSE), unname(colMeans(X)), tolerance = 1e-12)
})

test_that("tidy(iterations = ) gives the trace", {
  all <- tidy(fit_faithful(), iterations = "all")
  expect_identical(class(all), "data.frame")
  expect_identical(nrow(all), 2L * (fit_faithful()$n_iter + 1L))
  expect_identical(names(all), c("iteration", names(tidy(fit_faithful()))))
  expect_identical(all, fit_faithful()$params)
  some <- tidy(fit_faithful(), iterations = c(0, 2))
  expect_identical(some$iteration, c(0L, 0L, 2L, 2L))
  expect_identical(unname(unlist(some[1:2, c("pi", "mu_eruptions", "mu_waiting")])),
                   unname(c(fit_faithful()$start$pi, fit_faithful()$start$mu[, 1], fit_faithful()$start$mu[, 2])))
  last <- tidy(fit_faithful(), iterations = fit_faithful()$n_iter)
  expect_identical(last[-1], tidy(fit_faithful()))
  expect_error(tidy(fit_faithful(), iterations = fit_faithful()$n_iter + 1), "`iterations` must be")
  expect_error(tidy(fit_faithful(), iterations = -1), "`iterations` must not be negative")
  expect_error(tidy(fit_faithful(), iterations = "first"), "`iterations` must be one of")
})

test_that("glance() is one row with the fit's size, likelihood and criteria", {
  gl <- glance(fit_faithful())
  expect_identical(class(gl), "data.frame")
  expect_named(gl, c("model", "n", "k", "d", "logLik", "AIC", "BIC", "iterations", "converged", "last_change"))
  expect_identical(nrow(gl), 1L)
  expect_identical(c(gl$n, gl$k, gl$d), c(272L, 2L, 2L))
  ll <- fit_faithful()$loglik$loglik[fit_faithful()$n_iter + 1]
  expect_identical(gl$logLik, ll)
  expect_equal(gl$AIC, -2 * ll + 2 * 11)
  expect_equal(gl$BIC, -2 * ll + 11 * log(272))
  expect_identical(gl$iterations, fit_faithful()$n_iter)
  expect_true(gl$converged)
  # the optimum of two VVV components on faithful
  expect_lt(abs(gl$logLik - (-1130.264)), 5e-4)
  # without a tolerance, the rule at sqrt(eps) judges the last iteration, as print() says
  short <- gmm_em(faithful, k = 2, seed = 1, max_iter = 5)
  ll <- short$loglik$loglik
  expect_equal(glance(short)$last_change, (ll[6] - ll[5]) / (1 + abs(ll[6])))
  expect_identical(glance(short)$converged, abs(ll[6] - ll[5]) <= sqrt(.Machine$double.eps) * (1 + abs(ll[6])))
  expect_identical(glance(short)$converged, short$converged)
  expect_false(glance(gmm_em(faithful, k = 2, seed = 1, max_iter = 1, tol = 1e-12))$converged)
})

test_that("augment() adds clusters, uncertainty and responsibilities to the data", {
  aug <- augment(fit_faithful(), faithful)
  expect_identical(class(aug), "data.frame")
  expect_named(aug, c("eruptions", "waiting", ".cluster", ".uncertainty", ".r_1", ".r_2"))
  expect_identical(aug[1:2], faithful)
  r <- as.matrix(aug[c(".r_1", ".r_2")])
  expect_equal(unname(rowSums(r)), rep(1, 272), tolerance = 1e-12)
  expect_identical(aug$.uncertainty, unname(1 - pmax(r[, 1], r[, 2])))
  expect_identical(as.integer(aug$.cluster), unname(ifelse(r[, 2] > r[, 1], 2L, 1L)))
  expect_equal(unname(r), unname(fitted(fit_faithful())))
  # the default data is the fitted matrix, as a data frame
  expect_identical(augment(fit_faithful())[-(1:2)], aug[-(1:2)], ignore_attr = "row.names")
  expect_identical(names(augment(fit_faithful()))[1:2], c("eruptions", "waiting"))
})

test_that("augment() keeps the data's other columns and takes newdata", {
  fit <- gmm_em(iris[1:4], k = 3, n_init = 5, seed = 2, tol = 1e-10, max_iter = 1000)
  aug <- augment(fit, iris)
  expect_identical(aug[1:5], iris)
  expect_identical(names(aug)[6:10], c(".cluster", ".uncertainty", ".r_1", ".r_2", ".r_3"))
  # the best VVV fit puts setosa, and only setosa, in one component, and
  # misplaces a few of the other two species (mclust's classification too)
  tab <- table(aug$Species, aug$.cluster)
  expect_identical(sort(as.vector(tab["setosa", ])), c(0L, 0L, 50L))
  expect_identical(sum(tab[, tab["setosa", ] == 50]), 50L)
  expect_gte(sum(apply(tab, 1, max)), 145L)
  new <- iris[c(1, 51, 101), ]
  aug_new <- augment(fit, newdata = new)
  expect_identical(nrow(aug_new), 3L)
  expect_equal(aug_new[-(1:5)], aug[c(1, 51, 101), -(1:5)], tolerance = 1e-12)
  expect_identical(nrow(augment(fit, newdata = iris[0, ])), 0L)
  expect_error(augment(fit, data = iris[1:10, ]), "`data` must have the 150 rows")
  expect_error(augment(fit, newdata = iris[1:2]),
               "`newdata` lacks the columns `Petal.Length`, `Petal.Width` the model was fitted to", fixed = TRUE)
  expect_error(augment(fit, newdata = unname(as.matrix(iris[1:2]))), "`newdata` must have 4 columns")
})

test_that("augment() names unnamed columns as generate_data() does", {
  X <- unname(as.matrix(faithful))
  fit <- gmm_em(X, k = 2, seed = 1, max_iter = 20)
  expect_identical(names(augment(fit))[1:2], c("x", "y"))
  fit1 <- gmm_em(faithful$waiting, k = 2, seed = 1, max_iter = 20)
  expect_identical(names(augment(fit1)), c("x1", ".cluster", ".uncertainty", ".r_1", ".r_2"))
})

test_that("the tidiers work on a one-component, one-dimensional fit", {
  fit <- gmm_em(faithful$waiting, k = 1, max_iter = 1)
  expect_identical(nrow(tidy(fit)), 1L)
  expect_equal(tidy(fit)$mu_1, mean(faithful$waiting))
  expect_identical(glance(fit)$d, 1L)
  aug <- augment(fit)
  expect_true(all(aug$.r_1 == 1))
  expect_true(all(aug$.uncertainty == 0))
})
