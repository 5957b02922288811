# Starts chosen from k (k-means++ or random), seeds and the user's RNG state,
# given starts honoured exactly, and recovery of simulated parameters.

ml_variances <- function(X) colMeans((X - rep(colMeans(X), each = nrow(X)))^2)

test_that("gmm_start() returns n_init starts in the documented form", {
  starts <- gmm_start(X_faithful, 3, n_init = 4, seed = 1)
  expect_length(starts, 4)
  for (s in starts) {
    expect_named(s, c("pi", "mu", "Sigma"))
    expect_equal(sum(s$pi), 1)
    expect_true(all(s$pi > 0))
    expect_identical(dim(s$mu), c(2L, 3L))
    expect_identical(dim(s$Sigma), c(2L, 2L, 3L))
    # the means are data points, and every covariance is positive definite
    for (k in 1:3) {
      expect_true(any(X_faithful[, 1] == s$mu[1, k] & X_faithful[, 2] == s$mu[2, k]))
      expect_true(all(eigen(s$Sigma[, , k], symmetric = TRUE)$values > 0))
    }
  }
})

test_that("k-means++ on two far-apart groups takes one centre from each", {
  set.seed(10)
  A <- cbind(rnorm(30, 0, 1), rnorm(30, 0, 2))
  B <- cbind(rnorm(20, 100, 1), rnorm(20, 100, 0.5))
  X <- rbind(A, B)
  v <- ml_variances(X)
  for (seed in 1:5) {
    s <- gmm_start(X, 2, seed = seed)[[1]]
    in_A <- which(s$mu[1, ] < 50)
    expect_length(in_A, 1)
    in_B <- 3L - in_A
    # weights from the group sizes, covariance of each group (divisor n_k) plus
    # a ridge of 1e-6 times the data's variances
    expect_equal(s$pi[c(in_A, in_B)], c(30, 20) / 50)
    expect_equal(s$Sigma[, , in_A], cov(A) * 29 / 30 + diag(1e-6 * v), tolerance = 1e-12)
    expect_equal(s$Sigma[, , in_B], cov(B) * 19 / 20 + diag(1e-6 * v), tolerance = 1e-12)
  }
})

test_that("k-means++ picks the first centre uniformly, the next by squared distance", {
  # the algorithm redone by hand on standardised columns
  X <- X_faithful[1:40, ]
  scaled <- X / rep(sqrt(ml_variances(X)), each = 40)
  set.seed(77)
  first <- sample.int(40, 1)
  d2 <- colSums((t(scaled) - scaled[first, ])^2)
  second <- sample.int(40, 1, replace = TRUE, prob = d2)
  d2 <- pmin(d2, colSums((t(scaled) - scaled[second, ])^2))
  third <- sample.int(40, 1, replace = TRUE, prob = d2)
  s <- gmm_start(X, 3, seed = 77)[[1]]
  expect_identical(s$mu, unname(t(X[c(first, second, third), ])))
})

test_that("init = \"random\" takes k distinct rows as the means", {
  X <- X_faithful[1:50, ]
  set.seed(4)
  rows <- sample.int(50, 5)
  s <- gmm_start(X, 5, init = "random", seed = 4)[[1]]
  expect_identical(s$mu, unname(t(X[rows, ])))
  fit <- gmm_em(faithful, k = 2, init = "random", seed = 4, max_iter = 5)
  expect_identical(fit$control$init, "random")
})

test_that("the distances do not depend on the units of the columns", {
  # scaling by powers of two is exact, so the standardised data are the same bits
  X <- X_faithful
  Y <- X %*% diag(c(1024, 1 / 1024))
  a <- gmm_start(X, 3, seed = 9)[[1]]
  b <- gmm_start(Y, 3, seed = 9)[[1]]
  expect_identical(b$mu, diag(c(1024, 1 / 1024)) %*% a$mu)
  expect_identical(b$pi, a$pi)
  # far from unit scale too, covariances included
  for (a_scale in c(2^-500, 2^500)) {
    c <- gmm_start(X * a_scale, 3, seed = 9)[[1]]
    expect_identical(c$mu, a_scale * a$mu)
    expect_equal(c$Sigma / a_scale^2, a$Sigma, tolerance = 1e-12)
  }
})

test_that("duplicated points and K = n still give positive definite starts", {
  X <- rbind(matrix(0, 10, 2), matrix(1, 10, 2))
  v <- ml_variances(X)
  s <- gmm_start(X, 3, seed = 1)[[1]]
  # two centres at the two distinct points, the third a copy of one of them
  # (it gets no points, and counts one)
  expect_identical(s$mu[1, ], s$mu[2, ])
  expect_setequal(s$mu[1, ], c(0, 1))
  expect_identical(sort(s$pi), sort(c(10, 10, 1) / 21))
  for (k in 1:3) expect_identical(s$Sigma[, , k], diag(v))
  # EM from such a start finds the two points, each with half the weight
  fit <- gmm_em(X, k = 2, seed = 1, max_iter = 10, reg_covar = 1e-3)
  expect_equal(unname(sort(fit$final$mu[, 1])), c(0, 1), tolerance = 1e-9)
  expect_equal(unname(fit$final$pi), c(0.5, 0.5), tolerance = 1e-9)
  expect_equal(unname(fit$final$Sigma[, , 1]), diag(1e-3, 2), tolerance = 1e-9)

  # K = n: every point its own centre; cells of one point fall back to diag(v)
  Z <- X_faithful[1:6, ]
  s <- gmm_start(Z, 6, seed = 2)[[1]]
  expect_setequal(s$mu[1, ], Z[, 1])
  expect_equal(s$pi, rep(1 / 6, 6))
  for (k in 1:6) expect_equal(s$Sigma[, , k], diag(ml_variances(Z)))

  # one row, one component
  s <- gmm_start(X_faithful[1, , drop = FALSE], 1, seed = 1)[[1]]
  expect_identical(s$pi, 1)
  expect_true(all(diag(s$Sigma[, , 1]) > 0))
})

test_that("reg_covar is added to the starting covariances", {
  a <- gmm_start(X_faithful, 2, seed = 3)[[1]]
  b <- gmm_start(X_faithful, 2, seed = 3, reg_covar = 0.5)[[1]]
  expect_equal(b$Sigma - a$Sigma, array(diag(0.5, 2), c(2, 2, 2)))
})

test_that("seed = NULL follows set.seed(); a seed leaves the RNG as it was", {
  set.seed(21)
  a <- gmm_em(faithful, k = 2, max_iter = 3)
  set.seed(21)
  b <- gmm_em(faithful, k = 2, max_iter = 3)
  expect_identical(a$params, b$params)
  # seed = 21 is the same as set.seed(21) beforehand
  c <- gmm_em(faithful, k = 2, seed = 21, max_iter = 3)
  expect_identical(c$params, a$params)
  set.seed(99)
  before <- .Random.seed
  gmm_em(faithful, k = 2, seed = 5, n_init = 3, max_iter = 3)
  expect_identical(.Random.seed, before)
  # other seeds, other starts
  d <- gmm_em(faithful, k = 2, seed = 22, max_iter = 3)
  expect_false(identical(d$start, a$start))
})

test_that("a seed does not create an RNG state where there was none", {
  env <- globalenv()
  had <- exists(".Random.seed", envir = env, inherits = FALSE)
  if (had) saved <- get(".Random.seed", envir = env)
  on.exit(if (had) assign(".Random.seed", saved, envir = env))
  if (had) rm(".Random.seed", envir = env)
  s <- gmm_start(X_faithful, 2, seed = 1)
  expect_false(exists(".Random.seed", envir = env, inherits = FALSE))
  expect_identical(s, gmm_start(X_faithful, 2, seed = 1))
})

test_that("n_init keeps the start with the highest final log-likelihood", {
  X <- as.matrix(iris[1:4])
  starts <- gmm_start(X, 3, n_init = 6, seed = 1)
  # a start whose EM breaks down (a component collapsing) is passed over
  finals <- vapply(starts, function(s) {
    tryCatch(gmm_em(X, pi = s$pi, mu = t(s$mu), Sigma = s$Sigma, max_iter = 60)$loglik$loglik[61],
             gmmem_em_error = function(e) -Inf)
  }, numeric(1))
  expect_true(any(finals == -Inf))
  fit <- gmm_em(X, k = 3, n_init = 6, seed = 1, max_iter = 60)
  expect_identical(fit$control$n_starts, 6L)
  expect_identical(fit$loglik$loglik[61], max(finals))
  best <- starts[[which.max(finals)]]
  expect_identical(unname(fit$start$pi), best$pi)
  expect_identical(unname(fit$start$mu), t(best$mu))
  expect_identical(unname(fit$start$Sigma), best$Sigma)
  # the start chosen is kept as iteration 0
  expect_identical(subset(fit$params, iteration == 0)$pi, best$pi)
  # every start is recorded: the ones that broke down with their iteration and reason
  expect_identical(fit$starts$start, 1:6)
  expect_identical(is.na(fit$starts$error), is.finite(finals))
  expect_identical(fit$starts$loglik[is.finite(finals)], finals[is.finite(finals)])
  expect_match(fit$starts$error[!is.finite(finals)], "^EM stopped at iteration [0-9]+: ")
  out <- capture.output(print(fit))
  expect_true(any(grepl(sprintf("%d of 6 starts failed:", sum(!is.finite(finals))), out, fixed = TRUE)))
})

test_that("a given start is honoured exactly", {
  w <- c(0.3, 0.7)
  mus <- list(c(2, 55), c(4.5, 80))
  Ss <- list(matrix(c(0.1, 0.3, 0.3, 30), 2), matrix(c(0.2, 0.5, 0.5, 40), 2))
  fit <- gmm_em(faithful, pi = w, mu = mus, Sigma = Ss, max_iter = 2)
  start <- subset(fit$params, iteration == 0)
  expect_identical(start$pi, w)
  expect_identical(start$mu_eruptions, c(2, 4.5))
  expect_identical(start$mu_waiting, c(55, 80))
  expect_identical(start$sigma_eruptions_waiting, c(0.3, 0.5))
  expect_identical(fit$control$init, "given")
  expect_identical(fit$control$n_starts, 1L)
  # the arguments of the chooser are refused rather than ignored
  expect_error(gmm_em(faithful, pi = w, mu = mus, Sigma = Ss, n_init = 5), "`n_init` applies only when")
  expect_error(gmm_em(faithful, pi = w, mu = mus, Sigma = Ss, seed = 1), "`seed` applies only when")
  expect_error(gmm_em(faithful, pi = w, mu = mus, Sigma = Ss, init = "random"), "`init` applies only when")
  # NULL, the default, is "not given": a wrapper can pass the chooser's arguments through
  expect_silent(gmm_em(faithful, pi = w, mu = mus, Sigma = Ss, init = NULL, n_init = NULL, seed = NULL,
                       max_iter = 1))
})

test_that("bad start arguments are errors that name them", {
  expect_error(gmm_em(faithful, k = 273), "`k` is 273 but `data` has only 272 rows")
  expect_error(gmm_em(faithful, k = 0), "`k` must be at least 1")
  expect_error(gmm_em(faithful, k = 1.5), "`k` must be a single whole number")
  expect_error(gmm_em(faithful, k = 2, init = "kmeans"), "`init` must be one of \"kmeans\\+\\+\", \"random\"")
  expect_error(gmm_em(faithful, k = 2, n_init = 0), "`n_init` must be at least 1")
  expect_error(gmm_em(faithful, k = 2, n_init = NA), "`n_init` must be a single whole number")
  expect_error(gmm_em(faithful, k = 2, seed = "a"), "`seed` must be a single whole number")
  expect_error(gmm_em(faithful, k = 2, seed = 2^31), "`seed` must be at most")
  expect_error(gmm_em(faithful), "`k` is missing")
  expect_error(gmm_em(faithful * 1e300, k = 2),
               "`data` has columns `eruptions`, `waiting` whose spread is too large for double precision")
  expect_error(gmm_em(faithful, k = 2, n_inits = 3), "unused argument")
})

test_that("gmm_em() with k reaches mclust's optimum on faithful", {
  # VVV, two components: log-likelihood -1130.264 (mclust's Mclust() too)
  for (seed in 1:3) {
    fit <- gmm_em(faithful, k = 2, seed = seed, tol = 1e-10, max_iter = 1000)
    expect_lt(abs(as.numeric(logLik(fit)) - (-1130.264)), 5e-4)
  }
  one_d <- gmm_em(faithful$waiting, k = 2, seed = 1, tol = 1e-10, max_iter = 1000)
  expect_identical(ncol(one_d$data), 1L)
  expect_equal(sort(as.vector(one_d$final$mu)), c(54.6, 80.1), tolerance = 0.01)
})

test_that("a fit from k recovers simulated parameters within a few standard errors", {
  w <- c(0.2, 0.3, 0.5)
  mus <- list(c(0, 0), c(4, 0), c(0, 5))
  Ss <- list(matrix(c(1, 0.8, 0.8, 1), 2), diag(c(0.5, 2)), matrix(c(2, -0.5, -0.5, 1), 2))
  n <- 5000
  X <- gmm_simulate(n, w, mus, Ss, seed = 101)
  fit <- gmm_em(X, k = 3, n_init = 3, seed = 1, tol = 1e-10, max_iter = 2000, keep = "last")
  est_mu <- fit$final$mu
  # match the components by their means
  match_k <- vapply(mus, function(m) which.min(colSums((t(est_mu) - m)^2)), 1L)
  expect_setequal(match_k, 1:3)
  for (k in 1:3) {
    j <- match_k[k]
    # standard errors as if the labels were known: the mixture's are a little
    # larger, which four of them cover
    se_pi <- sqrt(w[k] * (1 - w[k]) / n)
    expect_lt(abs(fit$final$pi[j] - w[k]), 4 * se_pi)
    se_mu <- sqrt(diag(Ss[[k]]) / (n * w[k]))
    expect_true(all(abs(unname(est_mu[j, ]) - mus[[k]]) < 4 * se_mu))
    se_var <- sqrt(2 * diag(Ss[[k]])^2 / (n * w[k]))
    expect_true(all(abs(diag(fit$final$Sigma[, , j]) - diag(Ss[[k]])) < 4 * se_var))
  }
})
