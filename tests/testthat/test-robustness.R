# Hostile data and degenerate fits: each case with the outcome gmmem promises
# (the design note, "Bad input and failures"): a finite fit, or an error of class
# `gmmem_em_error` naming the iteration and component and pointing to `reg_covar`.

rob_handout_data <- function() as.matrix(generate_data(var1 = 3)[c("x", "y")])

# Every number a fit returns is finite (NaN and Inf included), the
# responsibilities are probabilities, and each row of them sums to 1.
expect_finite_fit <- function(fit) {
  expect_s3_class(fit, "gmm_em")
  expect_true(all(is.finite(as.matrix(fit$params))), label = "all parameters finite")
  expect_true(all(is.finite(fit$loglik$loglik)), label = "all log-likelihoods finite")
  resp <- fit$resp
  expect_true(all(is.finite(resp)) && all(resp >= 0 & resp <= 1), label = "responsibilities in [0, 1]")
  sums <- apply(resp, c(1L, 3L), sum)
  expect_true(all(abs(sums - 1) < 1e-12), label = "responsibilities sum to 1 for every point")
  invisible(fit)
}

# The error a degenerate fit must give: classed, with the iteration and the
# component as fields and in the message, and `reg_covar` named as the way out.
expect_em_error <- function(expr, iteration = NULL, component = NULL) {
  err <- tryCatch(expr, error = function(e) e)
  expect_s3_class(err, "gmmem_em_error")
  if (!inherits(err, "gmmem_em_error")) return(invisible(err))
  expect_true(is.numeric(err$iteration) && length(err$iteration) == 1L && err$iteration >= 0)
  expect_true(is.numeric(err$component) && length(err$component) == 1L && !is.na(err$component))
  msg <- conditionMessage(err)
  expect_match(msg, sprintf("iteration %d\\b", err$iteration))
  expect_match(msg, sprintf("component %d\\b", err$component))
  expect_match(msg, "`reg_covar`", fixed = TRUE)
  if (!is.null(iteration)) expect_identical(as.integer(err$iteration), as.integer(iteration))
  if (!is.null(component)) expect_identical(as.integer(err$component), as.integer(component))
  invisible(err)
}

final_mu <- function(fit) unname(fit$final$mu)

# Largest difference relative to the size of the reference: the measure of
# "equal to 1e-6 relative" for a group of numbers (all means, all covariances).
rel_diff <- function(x, ref) max(abs(x - ref)) / max(abs(ref))

# ---- densities that underflow -------------------------------------------------

test_that("a start whose every density underflows still finds the optimum", {
  X <- rob_handout_data()
  start <- list(pi = c(0.5, 0.5), mu = list(c(-2, 2), c(2, -2)),
                Sigma = list(diag(1e-3, 2), diag(1e-3, 2)))

  # The handout's probability-scale E-step: exp(-q / 2) underflows to 0 for
  # both components at most points, and r = 0 / 0 is NaN.
  naive <- sapply(1:2, function(k) {
    diff <- sweep(X, 2, start$mu[[k]])
    q <- rowSums((diff %*% solve(start$Sigma[[k]])) * diff)
    start$pi[k] * exp(-q / 2) / sqrt(det(start$Sigma[[k]]) * (2 * base::pi)^2)
  })
  expect_gt(sum(rowSums(naive) == 0), 200)
  expect_true(anyNA(naive / rowSums(naive)))

  fit <- gmm_em(X, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = 200)
  expect_finite_fit(fit)
  # The first E-step assigns every point to its nearer mean, not NaN.
  r1 <- fit$resp[, , "1"]
  expect_true(all(r1 > 1 - 1e-12 | r1 < 1e-12))
  expect_equal(tail(fit$loglik$loglik, 1), -1590.315623, tolerance = 1e-9)
  expect_equal(final_mu(fit), rbind(c(-2.05635, 2.104078), c(1.93918, -1.983926)), tolerance = 1e-5)
  expect_true(all(diff(fit$loglik$loglik) >= -1e-9 * (1 + abs(fit$loglik$loglik[-1]))))
})

# ---- an outlier far from everything -------------------------------------------

test_that("an outlier pulls a component onto itself: collapse error, or a finite fit with reg_covar", {
  X <- rbind(rob_handout_data(), c(1000, 1000))
  start <- list(pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                Sigma = list(diag(0.1, 2), diag(0.1, 2)))
  # Component 1 (weight 0.1) drifts to the outlier and collapses onto it: its
  # covariance at iteration 5 is numerically zero.
  err <- expect_em_error(gmm_em(X, pi = start$pi, mu = start$mu, Sigma = start$Sigma),
                         iteration = 5, component = 1)
  expect_match(conditionMessage(err), "the covariance of component 1 is singular", fixed = TRUE)
  expect_identical(err$kind, "singular_covariance")

  fit <- gmm_em(X, pi = start$pi, mu = start$mu, Sigma = start$Sigma, reg_covar = 1e-6)
  expect_finite_fit(fit)
  # The outlier keeps a component of its own, with the floor covariance.
  expect_equal(unname(fit$final$mu[1, ]), c(1000, 1000))
  expect_equal(unname(fit$final$pi[1]), 1 / nrow(X))
  expect_equal(unname(fit$final$Sigma[, , 1]), diag(1e-6, 2))
})

# ---- data far from the origin, and at extreme scales ---------------------------

# The fit of a * X + b from the start transformed the same way, compared with
# the fit of X transformed: means map by a * mu + b, covariances by a^2 Sigma,
# weights stay, and the log-likelihood shifts by -n d log|a| (the Jacobian).
expect_affine_equivariant <- function(X, start, a, b, max_iter, tol = 1e-6) {
  fit0 <- gmm_em(X, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = max_iter)
  fit1 <- gmm_em(a * X + b, pi = start$pi, mu = lapply(start$mu, function(m) a * m + b),
                 Sigma = lapply(start$Sigma, function(S) a^2 * S), max_iter = max_iter)
  expect_finite_fit(fit1)
  p0 <- fit0$params
  p1 <- fit1$params
  mu_cols <- grep("^mu_", names(p0))
  sigma_cols <- grep("^sigma_", names(p0))
  expect_lt(rel_diff((as.matrix(p1[mu_cols]) - b) / a, as.matrix(p0[mu_cols])), tol)
  expect_lt(rel_diff(as.matrix(p1[sigma_cols]) / a^2, as.matrix(p0[sigma_cols])), tol)
  expect_lt(max(abs(p1$pi - p0$pi)), tol)
  shift <- -nrow(X) * ncol(X) * log(abs(a))
  expect_lt(rel_diff(fit1$loglik$loglik - shift, fit0$loglik$loglik), tol)
}

test_that("shifting every coordinate by 1e8 leaves the fit unchanged", {
  X <- rob_handout_data()
  true_start <- list(pi = c(0.5, 0.5), mu = list(c(-2, 2), c(2, -2)), Sigma = list(diag(2), diag(2)))
  handout_start <- list(pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                        Sigma = list(diag(0.1, 2), diag(0.1, 2)))
  expect_affine_equivariant(X, true_start, a = 1, b = 1e8, max_iter = 100)
  # The handout's whole path, 100 iterations from its poor start.
  expect_affine_equivariant(X, handout_start, a = 1, b = 1e8, max_iter = 100)
})

test_that("scaling the data by 1e-6 or 1e6 scales the fit", {
  X <- rob_handout_data()
  handout_start <- list(pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                        Sigma = list(diag(0.1, 2), diag(0.1, 2)))
  for (a in c(1e-6, 1e6)) expect_affine_equivariant(X, handout_start, a = a, b = 0, max_iter = 100)
  # Far beyond: covariances of order 1e-300 and 1e300 are still fine.
  for (a in c(1e-150, 1e150)) expect_affine_equivariant(X, handout_start, a = a, b = 0, max_iter = 40)
})

test_that("the start gmm_em() chooses from k is as indifferent to scale", {
  # All iterations, not `tol`: its rule |change| <= tol (1 + |loglik|) depends
  # on the units, since the log-likelihood shifts by -n d log(a).
  X <- rob_handout_data()
  fit0 <- gmm_em(X, k = 2, seed = 1, max_iter = 60)
  for (a in c(1e-150, 1e-6, 1e6, 1e150)) {
    fit1 <- gmm_em(a * X, k = 2, seed = 1, max_iter = 60)
    expect_finite_fit(fit1)
    expect_lt(rel_diff(final_mu(fit1) / a, final_mu(fit0)), 1e-6)
    expect_lt(rel_diff(fit1$loglik$loglik + nrow(X) * 2 * log(a), fit0$loglik$loglik), 1e-6)
  }
  # Beyond double precision: an error naming the data, not one from eigen().
  expect_error(gmm_em(X * 1e300, k = 2, seed = 1), "`data`", fixed = TRUE)
})

# ---- duplicate points and components that collapse -----------------------------

test_that("data that are all one point: a constant-column error, or Sigma = reg_covar * I", {
  D <- matrix(c(1, 2), 20, 2, byrow = TRUE)
  start <- list(pi = 1, mu = list(c(0, 0)), Sigma = list(diag(2)))
  # no covariance of a constant column is positive definite, whatever the start
  expect_error(gmm_em(D, pi = start$pi, mu = start$mu, Sigma = start$Sigma),
               "`data` has columns 1, 2 that are constant, so no covariance of them is positive definite: drop them, or set `reg_covar` > 0.",
               fixed = TRUE)
  named <- data.frame(a = rnorm(20), b = 3)
  expect_error(gmm_em(named, k = 2, seed = 1), "`data` has column `b` that is constant", fixed = TRUE)
  fit <- gmm_em(D, pi = start$pi, mu = start$mu, Sigma = start$Sigma, reg_covar = 1e-6)
  expect_finite_fit(fit)
  expect_equal(unname(fit$final$mu[1, ]), c(1, 2))
  expect_equal(unname(fit$final$Sigma[, , 1]), diag(1e-6, 2))

  # One observation (n = K = 1) is the same case.
  expect_em_error(gmm_em(matrix(c(1, 2), 1), pi = 1, mu = list(c(0, 0)), Sigma = list(diag(2))),
                  iteration = 1, component = 1)
  expect_finite_fit(gmm_em(matrix(c(1, 2), 1), pi = 1, mu = list(c(0, 0)), Sigma = list(diag(2)),
                           reg_covar = 1e-6))
})

test_that("a component that collapses onto repeated points: error naming it, or a finite fit", {
  set.seed(1)
  Y <- rbind(matrix(rnorm(100), 50), matrix(c(5, 5), 10, 2, byrow = TRUE))
  start <- list(pi = c(0.5, 0.5), mu = list(c(0, 0), c(5, 5)), Sigma = list(diag(2), diag(2)))
  expect_em_error(gmm_em(Y, pi = start$pi, mu = start$mu, Sigma = start$Sigma),
                  iteration = 2, component = 2)
  fit <- gmm_em(Y, pi = start$pi, mu = start$mu, Sigma = start$Sigma, reg_covar = 1e-6)
  expect_finite_fit(fit)
  expect_equal(unname(fit$final$mu[2, ]), c(5, 5))
  expect_equal(unname(fit$final$pi[2]), 10 / 60)
  expect_equal(unname(fit$final$Sigma[, , 2]), diag(1e-6, 2))

  # d = 1, and K = n with every component on its own point.
  expect_em_error(gmm_em(1:3, pi = c(0.2, 0.3, 0.5), mu = list(1, 2, 3), Sigma = list(1, 1, 1)))
  expect_finite_fit(gmm_em(1:3, pi = c(0.2, 0.3, 0.5), mu = list(1, 2, 3), Sigma = list(1, 1, 1),
                           reg_covar = 1e-3))
})

test_that("data on a line make every covariance singular: an error naming the column, or a finite fit with reg_covar", {
  x <- seq(-2, 2, length.out = 50)
  L <- cbind(x, 2 * x + 1)
  # cbind() leaves the second column unnamed: it is called V2, as as.data.frame() would
  expect_error(gmm_em(L, pi = 1, mu = list(c(0, 0)), Sigma = list(diag(2))),
               "`data` has column `V2` that is exactly a linear combination of the other columns", fixed = TRUE)
  W <- data.frame(a = x, b = sin(x), c = x - 3 * sin(x))
  # which of the three is named depends on the pivoting; each is a combination of the other two
  expect_error(gmm_em(W, k = 2, seed = 1), "`data` has column `[abc]` that is exactly a linear combination")
  # more columns than rows
  expect_error(gmm_em(matrix(rnorm(12), 3, 4), k = 1), "`data` has 3 rows and 4 columns", fixed = TRUE)
  fit <- gmm_em(L, pi = 1, mu = list(c(0, 0)), Sigma = list(diag(2)), reg_covar = 1e-6)
  expect_finite_fit(fit)
  expect_equal(unname(fit$final$Sigma[, , 1]), unname(cov(L) * 49 / 50 + diag(1e-6, 2)))
})

test_that("a component whose weight goes to zero: error naming it, or it drops out with reg_covar", {
  set.seed(2)
  Y <- matrix(rnorm(120), 60)
  start <- list(pi = c(0.5, 0.5), mu = list(c(0, 0), c(100, 100)), Sigma = list(diag(2), diag(0.01, 2)))
  err <- expect_em_error(gmm_em(Y, pi = start$pi, mu = start$mu, Sigma = start$Sigma),
                         iteration = 1, component = 2)
  expect_match(conditionMessage(err), "weight")

  fit <- gmm_em(Y, pi = start$pi, mu = start$mu, Sigma = start$Sigma, reg_covar = 1e-6)
  expect_finite_fit(fit)
  expect_identical(unname(fit$final$pi), c(1, 0))
  # The surviving component is the one-component fit.
  expect_equal(unname(fit$final$mu[1, ]), unname(colMeans(Y)))
  expect_equal(unname(fit$final$Sigma[, , 1]), unname(cov(Y) * 59 / 60 + diag(1e-6, 2)))
})

test_that("a component whose weight is subnormal drops out with reg_covar instead of failing", {
  # The far component's responsibilities are about 1e-320: subnormal numbers,
  # whose weighted moments keep no significant digit. With reg_covar it must
  # drop out like an empty component; without, it is an error naming it.
  expect_em_error(gmm_em(c(-1, 0, 1), pi = c(0.5, 0.5), mu = list(0, 39.4), Sigma = list(1, 1)),
                  iteration = 1, component = 2)
  for (far in c(39.2, 39.4, 39.5, 39.6)) {
    fit <- gmm_em(c(-1, 0, 1), pi = c(0.5, 0.5), mu = list(0, far), Sigma = list(1, 1),
                  reg_covar = 1e-6, max_iter = 10)
    expect_finite_fit(fit)
    expect_equal(unname(fit$final$pi), c(1, 0))
    expect_equal(tail(fit$loglik$loglik, 1), sum(dnorm(c(-1, 0, 1), 0, sqrt(2 / 3 + 1e-6), log = TRUE)))
  }
})

test_that("a starting weight of 5e-324 is an empty component: an error naming it, or it drops out", {
  # The component's responsibilities underflow to subnormal numbers, whose
  # weighted moments keep no significant digit: it is empty at iteration 1.
  err <- expect_em_error(gmm_em(1:3, pi = c(1, 5e-324), mu = list(2, 2), Sigma = list(1, 1)),
                         iteration = 1, component = 2)
  expect_identical(err$kind, "empty_component")
  fit <- gmm_em(1:3, pi = c(1, 5e-324), mu = list(2, 2), Sigma = list(1, 1), reg_covar = 1e-6)
  expect_finite_fit(fit)
  expect_identical(unname(fit$final$pi), c(1, 0))
})

test_that("a point too far for double precision is an error naming the iteration and observation", {
  # Beyond double's range for any variance: said before EM starts.
  expect_error(gmm_em(c(0, 1, 1e200), pi = 1, mu = list(0), Sigma = list(1)),
               "`data` has column 1 whose spread is too large for double precision", fixed = TRUE)
  # Within range, but so many standard deviations from the only mean that the
  # squared distance overflows: EM names the observation.
  err <- tryCatch(gmm_em(c(0, 1, 1e10), pi = 1, mu = list(0), Sigma = list(1e-300)), error = function(e) e)
  expect_s3_class(err, "gmmem_em_error")
  expect_identical(err$iteration, 1L)
  expect_identical(err$observation, 3L)
  expect_identical(err$kind, "unplaceable_observation")
  expect_match(conditionMessage(err), "iteration 1\\b")
  expect_match(conditionMessage(err), "observation 3\\b")
  # In a larger data set the first such row is named, whichever of the work's
  # blocks (4096 rows) and threads meets it first: rows 2000 (block 1) and
  # 30000 (block 8) are out of reach, and 30000 alone when 2000 is not.
  set.seed(4)
  x <- rnorm(40000)
  x[c(2000, 30000)] <- 1e10
  for (threads in 1:2) {
    err <- tryCatch(gmm_em(x, pi = 1, mu = list(0), Sigma = list(1e-300), threads = threads), error = function(e) e)
    expect_identical(err$observation, 2000L, label = paste(threads, "threads"))
    expect_identical(err$kind, "unplaceable_observation")
    x2 <- x
    x2[2000] <- 0.5
    err <- tryCatch(gmm_em(x2, pi = 1, mu = list(0), Sigma = list(1e-300), threads = threads), error = function(e) e)
    expect_identical(err$observation, 30000L, label = paste(threads, "threads"))
  }
  # A component of its own at a far point: collapse, or with reg_covar a finite fit.
  expect_em_error(gmm_em(c(0, 1, 1e100), pi = c(0.5, 0.5), mu = list(0, 1e100), Sigma = list(1, 1)),
                  iteration = 1, component = 2)
  expect_finite_fit(gmm_em(c(0, 1, 2, 1e100), pi = c(0.5, 0.5), mu = list(0, 1e100), Sigma = list(1, 1),
                           reg_covar = 1e-6))
})

# ---- starting covariances the core cannot use ----------------------------------

test_that("a starting Sigma that is numerically singular is an argument error, not an EM error", {
  set.seed(3)
  Y <- matrix(rnorm(20), 10)
  # chol() accepts both, but a pivot is rounding noise next to its own
  # variable's variance: an R error naming the argument before any C++ runs,
  # not an EM error at iteration 0.
  expect_error(gmm_em(Y, pi = 1, mu = list(c(0, 0)), Sigma = list(matrix(c(1, 1, 1, 1 + 1e-16), 2))),
               "`Sigma[[1]]` must be symmetric positive definite", fixed = TRUE)
  expect_error(gmm_em(Y, pi = c(0.5, 0.5), mu = list(c(0, 0), c(1, 1)),
                      Sigma = list(diag(2), 1e300 * matrix(c(1, 1, 1, 1 + 1e-16), 2))),
               "`Sigma[[2]]`", fixed = TRUE)
  # Scale alone is no reason: variances 1e-17 and 1e300 beside 1 are well-conditioned.
  expect_finite_fit(gmm_em(Y, pi = 1, mu = list(c(0, 0)), Sigma = list(diag(c(1, 1e-17))), max_iter = 3))
  expect_finite_fit(gmm_em(Y, pi = c(0.5, 0.5), mu = list(c(0, 0), c(1, 1)),
                           Sigma = list(diag(2), diag(c(1e300, 1))), max_iter = 3))
})

test_that("an asymmetric Sigma at a small scale is rejected as asymmetric", {
  Y <- cbind(1:5, c(2, 1, 4, 3, 5)) * 1e-6
  # Upper triangle 5e-13, lower 0: half the size of the variances, not rounding.
  S <- matrix(c(1e-12, 0, 5e-13, 1e-12), 2)
  expect_error(gmm_em(Y, pi = 1, mu = list(c(3e-6, 3e-6)), Sigma = list(S)),
               "`Sigma[[1]]` must be symmetric", fixed = TRUE)
})

test_that("a reg_covar too small for the data's scale is named as the problem, not as the way out", {
  # Points on a line, in units of 1e6: a covariance of order 1e12, singular in
  # one direction, which reg_covar = 1e-6 cannot lift above rounding.
  x <- seq(-2, 2, length.out = 50)
  L <- cbind(x, 2 * x + 1) * 1e6
  err <- expect_em_error(gmm_em(L, pi = 1, mu = list(c(0, 0)), Sigma = list(diag(1e12, 2)), reg_covar = 1e-6),
                         component = 1)
  expect_false(grepl("Set `reg_covar` > 0", conditionMessage(err), fixed = TRUE),
               label = "advice to set reg_covar > 0 when it is set")
  expect_finite_fit(gmm_em(L, pi = 1, mu = list(c(0, 0)), Sigma = list(diag(1e12, 2)), reg_covar = 1))
})

# ---- bad input the numerics depend on ------------------------------------------

test_that("more points than a matrix can hold is an argument error, not std::bad_alloc", {
  expect_error(generate_data(.Machine$integer.max), "`n_samples_cluster1`", fixed = TRUE)
  expect_error(generate_data(.Machine$integer.max, .Machine$integer.max), "`n_samples_cluster1`", fixed = TRUE)
})

test_that("a bad gmmem.keep_budget option is an error naming it", {
  X <- rob_handout_data()
  old <- options(gmmem.keep_budget = NA)
  on.exit(options(old))
  for (bad in list(NA, "a", c(1, 2), -1)) {
    options(gmmem.keep_budget = bad)
    expect_error(gmm_em(X, pi = c(0.5, 0.5), mu = list(c(-2, 2), c(2, -2)), Sigma = list(diag(2), diag(2))),
                 "gmmem.keep_budget", fixed = TRUE)
  }
})

# ---- the log-likelihood never decreases -----------------------------------------

# A random problem: clustered data (sometimes with repeated points), K up to 6,
# d up to 4, and a random start (means at data points or anywhere, random
# covariances over three orders of magnitude).
rob_random_problem <- function() {
  d <- sample(1:4, 1)
  K <- sample(1:6, 1)
  n <- sample(max(K, 5):150, 1)
  n_centres <- sample(1:4, 1)
  centres <- matrix(rnorm(n_centres * d, sd = sample(c(1, 3, 10), 1)), n_centres, d)
  X <- centres[sample(n_centres, n, TRUE), , drop = FALSE] +
    matrix(rnorm(n * d), n, d) * sample(c(0.3, 1, 2), 1)
  if (runif(1) < 0.2) {
    dup <- max(2, n %/% 10)
    X[sample(n, dup), ] <- X[rep(sample(n, 1), dup), , drop = FALSE]
  }
  w <- rexp(K)
  list(X = X, pi = w / sum(w),
       mu = lapply(seq_len(K), function(k) if (runif(1) < 0.5) X[sample(n, 1), ] else rnorm(d, sd = 3)),
       Sigma = lapply(seq_len(K), function(k) {
         A <- matrix(rnorm(d * d), d)
         (crossprod(A) / d + diag(0.05, d)) * 10^runif(1, -2, 1)
       }))
}

rob_run_random <- function(seed, problems, reg_covar) {
  set.seed(seed)
  out <- list(fits = 0L, em_errors = 0L, other = character(), decreases = 0L, warned = 0L,
              unwarned_decreases = character(), worst = 0)
  for (i in seq_len(problems)) {
    p <- rob_random_problem()
    warned <- FALSE
    res <- withCallingHandlers(
      tryCatch(gmm_em(p$X, pi = p$pi, mu = p$mu, Sigma = p$Sigma, max_iter = 60,
                      reg_covar = reg_covar, threads = 1),
               error = function(e) e),
      warning = function(w) {
        warned <<- TRUE
        invokeRestart("muffleWarning")
      })
    if (inherits(res, "gmmem_em_error")) {
      out$em_errors <- out$em_errors + 1L
      next
    }
    if (inherits(res, "error")) {
      out$other <- c(out$other, sprintf("problem %d: %s", i, conditionMessage(res)))
      next
    }
    out$fits <- out$fits + 1L
    out$warned <- out$warned + warned
    ll <- res$loglik$loglik
    if (!all(is.finite(ll)) || !all(is.finite(as.matrix(res$params)))) {
      out$other <- c(out$other, sprintf("problem %d: non-finite fit", i))
      next
    }
    drop <- -diff(ll) / (1 + abs(ll[-1]))
    out$worst <- max(out$worst, drop)
    if (any(drop > 1e-12)) {
      out$decreases <- out$decreases + 1L
      if (!warned) out$unwarned_decreases <- c(out$unwarned_decreases, sprintf("problem %d", i))
    }
  }
  out
}

test_that("the log-likelihood never decreases by more than rounding over 200 random problems", {
  seed <- 20240607
  res <- rob_run_random(seed, problems = 200, reg_covar = 0)
  info <- sprintf("seed %d: %d fits, %d gmmem_em_error, worst relative decrease %.3g",
                  seed, res$fits, res$em_errors, res$worst)
  expect_identical(res$other, character(), label = info)
  # Random starts on small data often collapse; enough must succeed to mean something.
  expect_gte(res$fits, 50)
  expect_identical(res$fits + res$em_errors + length(res$other), 200L)
  expect_lte(res$worst, 1e-12, label = info)
  # Were there a decrease, the fit would have to say so.
  expect_identical(res$unwarned_decreases, character(), label = info)
})

test_that("with reg_covar > 0 every one of 200 random problems gives a finite fit", {
  seed <- 20240608
  res <- rob_run_random(seed, problems = 200, reg_covar = 1e-6)
  info <- sprintf("seed %d: %d fits, %d gmmem_em_error", seed, res$fits, res$em_errors)
  expect_identical(res$other, character(), label = info)
  expect_identical(res$em_errors, 0L, label = info)
  expect_identical(res$fits, 200L, label = info)
})
