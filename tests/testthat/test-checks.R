# Every bad argument of gmm_em() gets an error that names it.

X <- as.matrix(generate_data(10, 10)[c("x", "y")])
ok_pi <- c(0.5, 0.5)
ok_mu <- list(c(-2, 2), c(2, -2))
ok_Sigma <- list(diag(2), diag(2))
em <- function(data = X, pi = ok_pi, mu = ok_mu, Sigma = ok_Sigma, max_iter = 2, ...) {
  gmm_em(data, pi = pi, mu = mu, Sigma = Sigma, max_iter = max_iter, ...)
}

test_that("the data must be a finite numeric matrix or data frame", {
  expect_error(em(data = "a"), "`data` must be a numeric matrix")
  expect_error(em(data = list(1, 2)), "`data`")
  expect_error(em(data = NULL), "`data`")
  expect_error(em(data = X[0, ]), "`data` must have at least one row")
  expect_error(em(data = matrix(numeric(), 3, 0)), "`data` must have at least one column")
  bad <- X
  bad[3, 1] <- NA
  expect_error(em(data = bad), "`data` has NA or NaN values in 1 row (row 3). Drop them first, for example with na.omit().", fixed = TRUE)
  bad[3, 1] <- NaN
  expect_error(em(data = bad), "`data` has NA or NaN values in 1 row (row 3). Drop them first, for example with na.omit().", fixed = TRUE)
  bad[3, 1] <- Inf
  expect_error(em(data = bad), "`data` has infinite values in 1 row (row 3).", fixed = TRUE)
  df <- data.frame(a = X[, 1], b = letters[1:20])
  expect_error(em(data = df), "`data` must have only numeric columns; `b` is not numeric")
  df <- data.frame(a = X[, 1], b = factor(X[, 2]))
  expect_error(em(data = df), "`b` is not numeric")
  expect_error(em(data = X[, 1, drop = FALSE]), "`mu\\[\\[1\\]\\]` must have length 1")
})

test_that("pi must be a probability vector", {
  expect_error(em(pi = c(0.5, 0.6)), "`pi` must sum to 1")
  expect_error(em(pi = c(-0.5, 1.5)), "`pi` must have only non-negative weights")
  expect_error(em(pi = c(0, 0)), "`pi` must have at least one positive weight")
  expect_error(em(pi = c(NA, 0.5)), "`pi` must not contain NA")
  expect_error(em(pi = "a"), "`pi` must be a numeric vector")
  expect_error(em(pi = numeric()), "`pi` must not be empty")
  expect_error(em(pi = c(1 / 3, 1 / 3, 1 / 3)), "`mu` must have 3 means")
})

test_that("mu must have K means of length d", {
  expect_error(em(mu = list(c(0, 0))), "`mu` must have 2 means")
  expect_error(em(mu = list(c(0, 0), c(0, 0, 0))), "`mu\\[\\[2\\]\\]` must have length 2")
  expect_error(em(mu = list(c(0, NA), c(0, 0))), "`mu\\[\\[1\\]\\]` must not contain NA")
  expect_error(em(mu = list(c(0, Inf), c(0, 0))), "`mu\\[\\[1\\]\\]`")
  expect_error(em(mu = list("a", c(0, 0))), "`mu\\[\\[1\\]\\]` must be a numeric vector")
  expect_error(em(mu = matrix(0, 2, 3)), "`mu` must be a K x d matrix \\(2 x 2\\), not 2 x 3")
  expect_error(em(mu = matrix(NA_real_, 2, 2)), "`mu` must not contain NA")
  expect_error(em(mu = "a"), "`mu` must be a list of 2 mean vectors")
})

test_that("Sigma must be K symmetric positive definite d x d matrices", {
  expect_error(em(Sigma = list(diag(2))), "`Sigma` must have 2 covariance matrices")
  expect_error(em(Sigma = list(diag(2), diag(3))), "`Sigma\\[\\[2\\]\\]` must be 2 x 2")
  expect_error(em(Sigma = list(diag(2), matrix(c(1, 0.5, 0, 1), 2))), "`Sigma\\[\\[2\\]\\]` must be symmetric")
  expect_error(em(Sigma = list(diag(2), matrix(c(1, 2, 2, 1), 2))), "`Sigma\\[\\[2\\]\\]` must be symmetric positive definite")
  expect_error(em(Sigma = list(diag(2), diag(c(1, 0)))), "`Sigma\\[\\[2\\]\\]` must be symmetric positive definite")
  expect_error(em(Sigma = list(diag(2), matrix(NA_real_, 2, 2))), "`Sigma\\[\\[2\\]\\]` must not contain NA")
  expect_error(em(Sigma = list(diag(2), "a")), "`Sigma\\[\\[2\\]\\]` must be a numeric 2 x 2 matrix")
  expect_error(em(Sigma = array(diag(2), c(2, 2, 3))), "`Sigma` must be a d x d x K array \\(2 x 2 x 2\\)")
  expect_error(em(Sigma = array(c(diag(2), -diag(2)), c(2, 2, 2))), "`Sigma\\[, , 2\\]` must be symmetric positive definite")
  expect_error(em(Sigma = diag(2)), "`Sigma` must be a list of 2 covariance matrices")
})

test_that("a start must be complete, and K must not exceed n", {
  expect_error(gmm_em(X, pi = ok_pi, mu = ok_mu), "`Sigma` is missing")
  expect_error(gmm_em(X, mu = ok_mu, Sigma = ok_Sigma), "`pi` is missing")
  expect_error(gmm_em(X), "`k` is missing")
  expect_error(gmm_em(X[1:2, ], pi = rep(1 / 3, 3), mu = list(0:1, 0:1, 0:1), Sigma = rep(list(diag(2)), 3)),
               "`pi` has 3 components but `data` has only 2 rows")
  expect_error(em(k = 3), "`k` is 3 but `pi` has 2 weights")
})

test_that("the controls are checked", {
  expect_error(em(max_iter = -1), "`max_iter` must be at least 0")
  expect_error(em(max_iter = 1.5), "`max_iter` must be a single whole number")
  expect_error(em(max_iter = NA), "`max_iter`")
  expect_error(em(max_iter = c(1, 2)), "`max_iter`")
  expect_error(em(tol = -1), "`tol` must be at least 0")
  expect_error(em(tol = NA), "`tol` must be a single finite number or NULL")
  expect_error(em(tol = "a"), "`tol`")
  expect_error(em(reg_covar = -1e-6), "`reg_covar` must be at least 0")
  expect_error(em(reg_covar = Inf), "`reg_covar`")
  expect_error(em(reg_covar = NULL), "`reg_covar`")
  expect_error(em(threads = 0), "`threads` must be at least 1")
  expect_error(em(threads = "two"), "`threads`")
  expect_error(em(keep = "some"), "`keep` must be")
  expect_error(em(keep = 3), "`keep` must be .* from 0 to `max_iter` \\(2\\)")
  expect_error(em(keep = -1), "`keep`")
  expect_error(em(keep = NA), "`keep`")
})

test_that("the default thread count follows the option", {
  old <- options(gmmem.threads = 1)
  on.exit(options(old))
  expect_identical(gmm_threads(), 1L)
  options(gmmem.threads = 0)
  expect_error(gmm_threads(), "gmmem.threads")
  options(gmmem.threads = NULL)
  # the smaller of 2 and the number of cores
  expect_identical(gmm_threads(), min(2L, as.integer(parallel::detectCores())))
})
