# Case weights: a fit with whole-number weights is the fit to the rows repeated that many times.

path_gap <- function(a, b) {
  max(abs(a$path$pi - b$path$pi), abs(a$path$mu - b$path$mu), abs(a$path$Sigma - b$path$Sigma))
}

test_that("whole-number weights give the fit to the repeated rows at every iteration (1e-10)", {
  X <- as.matrix(faithful)
  set.seed(3)
  w <- sample(0:3, nrow(X), replace = TRUE)
  repeated <- X[rep(seq_len(nrow(X)), w), ]
  start <- list(pi = c(0.5, 0.5), mu = rbind(c(2, 55), c(4.5, 80)), Sigma = list(diag(c(1, 50)), diag(c(1, 50))))
  for (model in c("VVV", "EEE", "VVI", "VEI", "EVE")) {
    fw <- gmm_em(X, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = 40, model = model, weights = w)
    fr <- gmm_em(repeated, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = 40, model = model)
    expect_lte(path_gap(fw, fr), 1e-10)
    expect_lte(max(abs(fw$path$loglik - fr$path$loglik) / abs(fr$path$loglik)), 1e-12)
  }
  fw <- gmm_em(X, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = 40, weights = w)
  fr <- gmm_em(repeated, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = 40)
  # the weighted count is the number of observations
  expect_identical(nobs(fw), sum(w) + 0)
  expect_identical(nobs(fw), as.double(nobs(fr)))
  expect_identical(attr(logLik(fw), "df"), attr(logLik(fr), "df"))
  expect_equal(BIC(fw), BIC(fr), tolerance = 1e-12)
  # BIC by its definition, with n = sum(w): df = 2 - 1 + 2 * 2 + 2 * 3
  expect_equal(BIC(fw), -2 * fr$path$loglik[[41]] + 11 * log(sum(w)), tolerance = 1e-12)
  expect_equal(glance(fw)$n, sum(w))
  expect_equal(summary(fw)$components$size, summary(fr)$components$size)
  # pi is N_k / sum(w): the weighted responsibilities' share
  r <- fw$resp[, , "40"]
  expect_equal(unname(fw$path$pi["40", ]), unname(colSums(r * w) / sum(w)), tolerance = 1e-12)
})

test_that("weights that are all 1 change nothing, and a start from z takes the weights", {
  X <- as.matrix(faithful)
  fit <- gmm_em(X, k = 2, seed = 1, max_iter = 20)
  ones <- gmm_em(X, k = 2, seed = 1, max_iter = 20, weights = rep(1, nrow(X)))
  expect_lte(path_gap(fit, ones), 1e-12)

  set.seed(5)
  w <- sample(1:3, nrow(X), replace = TRUE)
  labels <- ifelse(X[, "eruptions"] > 3, 2L, 1L)
  idx <- rep(seq_len(nrow(X)), w)
  fw <- gmm_em(X, z = labels, weights = w, max_iter = 15, model = "VEV")
  fr <- gmm_em(X[idx, ], z = labels[idx], max_iter = 15, model = "VEV")
  expect_lte(path_gap(fw, fr), 1e-10)
})

test_that("fractional weights scale: w and 2w give the same parameters", {
  X <- as.matrix(faithful)
  w <- seq(0.1, 2, length.out = nrow(X))
  a <- gmm_em(X, k = 2, seed = 2, max_iter = 25, weights = w)
  b <- gmm_em(X, k = 2, seed = 2, max_iter = 25, weights = 2 * w)
  expect_lte(path_gap(a, b), 1e-10)
  expect_equal(b$path$loglik, 2 * a$path$loglik, tolerance = 1e-12)
})

test_that("bad weights are errors naming `weights`", {
  X <- as.matrix(faithful)
  expect_error(gmm_em(X, k = 2, weights = 1:3), "`weights` must have one weight per row")
  expect_error(gmm_em(X, k = 2, weights = rep(-1, nrow(X))), "`weights` must be non-negative")
  expect_error(gmm_em(X, k = 2, weights = rep(NA_real_, nrow(X))), "`weights` must be non-negative")
  expect_error(gmm_em(X, k = 2, weights = rep(0, nrow(X))), "`weights` must not all be 0")
  expect_error(gmm_em(X, k = 2, weights = letters), "`weights` must be a numeric vector")
})
