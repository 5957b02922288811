# EM's statistics: against a direct computation, merged in any order, and driving EM to the in-memory path.

faithful_start <- list(pi = c(0.5, 0.5), mu = rbind(c(2, 55), c(4.5, 80)),
                       Sigma = list(diag(c(1, 50)), diag(c(1, 50))))

# Responsibilities and log-likelihood by the Gaussian density formula, in R.
direct_estep <- function(X, theta) {
  K <- length(theta$pi)
  dens <- sapply(seq_len(K), function(k) {
    S <- theta$Sigma[[k]]
    dx <- sweep(X, 2, theta$mu[k, ])
    q <- rowSums((dx %*% solve(S)) * dx)
    theta$pi[k] * exp(-q / 2) / sqrt(det(2 * base::pi * S))
  })
  list(r = dens / rowSums(dens), l = log(rowSums(dens)))
}

test_that("a chunk's statistics are the weighted moments the E-step implies", {
  X <- as.matrix(faithful)
  w <- seq(0.5, 2, length.out = nrow(X))
  s <- gmm_stats(X[1:100, ], faithful_start, weights = w[1:100])
  e <- direct_estep(X[1:100, ], faithful_start)
  expect_equal(s$n, 100)
  expect_equal(s$nobs, sum(w[1:100]))
  expect_equal(s$loglik, sum(w[1:100] * e$l), tolerance = 1e-12)
  for (k in 1:2) {
    rw <- e$r[, k] * w[1:100]
    m <- colSums(rw * X[1:100, ]) / sum(rw)
    expect_equal(unname(s$weight[k]), sum(rw), tolerance = 1e-12)
    expect_equal(unname(s$offset[, k]), unname(m - faithful_start$mu[k, ]), tolerance = 1e-10)
    dx <- sweep(X[1:100, ], 2, m)
    expect_equal(unname(s$scatter[, , k]), unname(crossprod(dx * sqrt(rw))), tolerance = 1e-12)
  }
})

test_that("merging is exact and does not depend on the order or the cut", {
  X <- as.matrix(faithful)
  whole <- gmm_stats(X, faithful_start)
  set.seed(11)
  cuts <- split(sample(nrow(X)), sample(1:7, nrow(X), replace = TRUE))
  parts <- lapply(cuts, function(i) gmm_stats(X[i, , drop = FALSE], faithful_start))
  left <- Reduce(gmm_stats_merge, parts)
  right <- Reduce(gmm_stats_merge, rev(parts))
  tree <- gmm_stats_merge(do.call(gmm_stats_merge, unname(parts[1:3])), do.call(gmm_stats_merge, unname(parts[4:7])))
  for (m in list(left, right, tree)) {
    expect_equal(m$n, whole$n)
    expect_lte(max(abs(m$weight - whole$weight) / whole$weight), 1e-12)
    expect_lte(max(abs(m$offset - whole$offset)), 1e-12 * max(abs(X)))
    expect_lte(max(abs(m$scatter - whole$scatter) / max(abs(whole$scatter))), 1e-12)
    expect_lte(abs(m$loglik - whole$loglik) / abs(whole$loglik), 1e-12)
  }
})

test_that("EM driven through gmm_stats() with chunks of 1, 37 and n rows follows the in-memory path (1e-10)", {
  X <- as.matrix(faithful)
  n <- nrow(X)
  fit <- gmm_em(X, pi = faithful_start$pi, mu = faithful_start$mu, Sigma = faithful_start$Sigma, max_iter = 12)
  for (rows in c(1, 37, n)) {
    cuts <- split(seq_len(n), ceiling(seq_len(n) / rows))
    set.seed(rows)
    order <- sample(length(cuts))
    theta <- faithful_start
    for (t in 1:12) {
      s <- Reduce(gmm_stats_merge, lapply(cuts[order], function(i) gmm_stats(X[i, , drop = FALSE], theta)))
      expect_lte(abs(s$loglik - fit$path$loglik[[t]]), 1e-10 * abs(fit$path$loglik[[t]]))
      theta <- gmm_mstep(s)
      expect_lte(max(abs(theta$mu - t(fit$path$mu[, , t + 1]))), 1e-10)
      expect_lte(max(abs(theta$Sigma - fit$path$Sigma[, , , t + 1])), 1e-10)
      expect_lte(max(abs(theta$pi - fit$path$pi[t + 1, ])), 1e-10)
    }
  }
})

test_that("gmm_mstep() is gmm_em()'s M-step for every covariance model", {
  X <- as.matrix(iris[1:4])
  start <- list(pi = c(0.3, 0.3, 0.4), mu = as.matrix(iris[c(1, 51, 101), 1:4]),
                Sigma = replicate(3, diag(0.3, 4), simplify = FALSE))
  for (model in c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")) {
    fit <- gmm_em(X, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = 2, model = model)
    theta <- start
    for (t in 1:2) theta <- gmm_mstep(gmm_stats(X, theta, model = model))
    expect_lte(max(abs(theta$Sigma - fit$final$Sigma)), 1e-10)
    expect_lte(max(abs(theta$mu - fit$final$mu)), 1e-10)
  }
})

test_that("data far from 0 and a mean that moves 1e5 standard deviations keep their digits", {
  set.seed(2)
  X <- cbind(a = rnorm(500), b = rnorm(500))
  X[, "b"] <- X[, "b"] + 0.5 * X[, "a"]
  exact <- crossprod(sweep(X, 2, colMeans(X))) / nrow(X)
  # one component whose mean starts 1e5 standard deviations away: r = 1 for every row,
  # so the M-step is the sample mean and covariance (divisor n)
  far <- list(pi = 1, mu = matrix(c(1e5, -1e5), 1), Sigma = list(diag(2)))
  step <- gmm_mstep(gmm_stats(X, far))
  expect_lte(max(abs(step$Sigma[, , 1] - exact)) / max(abs(exact)), 1e-10)
  fit <- gmm_em(X, pi = far$pi, mu = far$mu, Sigma = far$Sigma, max_iter = 1)
  expect_lte(max(abs(fit$final$Sigma[, , 1] - exact)) / max(abs(exact)), 1e-10)
  # the same data shifted far from 0: the covariance does not move
  shifted <- X + 1e6
  mean_start <- list(pi = 1, mu = matrix(colMeans(shifted) + 3, 1), Sigma = list(diag(2)))
  step <- gmm_mstep(gmm_stats(shifted, mean_start))
  expect_lte(max(abs(step$Sigma[, , 1] - exact)) / max(abs(exact)), 1e-8)
})

test_that("statistics check their arguments", {
  X <- as.matrix(faithful)
  a <- gmm_stats(X[1:10, ], faithful_start)
  other <- faithful_start
  other$pi <- c(0.4, 0.6)
  b <- gmm_stats(X[11:20, ], other)
  expect_error(gmm_stats_merge(a, b), "`..1` was computed for other parameters")
  expect_error(gmm_stats_merge(a, list()), "`..1` must be statistics")
  expect_error(gmm_stats_merge(), "`stats` is missing")
  expect_error(gmm_stats(X, list(pi = 1)), "`params` must be a list with `pi`, `mu` and `Sigma`")
  expect_error(gmm_stats(X, faithful_start, weights = -X[, 1]), "`weights` must be non-negative")
  diag_stats <- gmm_stats(X, faithful_start, model = "VVI")
  expect_error(gmm_mstep(diag_stats, model = "VVV"), "`model` \"VVV\" needs the whole scatter")
  expect_error(gmm_mstep(a, reg_covar = -1), "`reg_covar` must be at least 0")
  expect_s3_class(gmm_mstep(diag_stats)$Sigma, NA)
  expect_output(print(a), "EM statistics of 10 rows")
})
