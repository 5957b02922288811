# The handout's data are named x and y; the numpy fixtures number the coordinates.
param_cols <- c("pi", "mu_x", "mu_y", "sigma_x_x", "sigma_x_y", "sigma_y_y")
ref_cols <- c("pi", "mu_1", "mu_2", "sigma_11", "sigma_12", "sigma_22")

test_that("the handout's three runs equal the numpy code at every iteration (1e-10)", {
  for (start in names(handout_starts)) {
    fit <- fit_handout(start)
    ref <- numpy_em_reference(start)
    expect_identical(fit$n_iter, 100L)
    expect_identical(fit$params$iteration, ref$params$iteration)
    expect_identical(fit$params$component, ref$params$component)
    expect_lte(max(abs(as.matrix(fit$params[param_cols]) - as.matrix(ref$params[ref_cols]))), 1e-10)
    # numpy's covariances are symmetric only to an ulp; ours exactly
    expect_lte(max(abs(fit$params$sigma_x_y - ref$params$sigma_21)), 1e-10)
    # the arrays of the path hold the same numbers
    expect_lte(max(abs(fit$path$Sigma[1, 2, , ] - matrix(ref$params$sigma_12, 2))), 1e-10)
    expect_lte(max(abs(t(fit$path$pi) - matrix(ref$params$pi, 2))), 1e-10)

    resp <- gmm_responsibilities(fit)
    expect_identical(nrow(resp), nrow(ref$resp))
    expect_identical(resp[c("iteration", "point", "component")], ref$resp[c("iteration", "point", "component")])
    expect_lte(max(abs(resp$r - ref$resp$r)), 1e-10)

    expect_lte(max(abs(fit$loglik$loglik - ref$loglik$loglik) / abs(ref$loglik$loglik)), 1e-12)
  }
})

test_that("iteration 0 is the start with uniform responsibilities", {
  fit <- fit_handout(max_iter = 3)
  p0 <- fit$params[fit$params$iteration == 0, ]
  expect_identical(p0$pi, c(0.1, 0.9))
  expect_identical(p0$mu_x, c(0.1, 0))
  expect_identical(p0$sigma_x_x, c(0.1, 0.1))
  expect_identical(p0$sigma_x_y, c(0, 0))
  r0 <- gmm_responsibilities(fit)
  expect_true(all(r0$r[r0$iteration == 0] == 0.5))
  expect_identical(fit$loglik$iteration, 0:3)
  expect_true(is.na(fit$loglik$change[1]))
  expect_equal(fit$loglik$change[-1], diff(fit$loglik$loglik))
})

test_that("the log-likelihood at t is that of the parameters at t", {
  X <- generate_data(var1 = 3)
  fit <- fit_handout(max_iter = 7)
  direct <- function(p) {
    dens <- sapply(seq_len(nrow(p)), function(k) {
      S <- matrix(c(p$sigma_x_x[k], p$sigma_x_y[k], p$sigma_x_y[k], p$sigma_y_y[k]), 2)
      dx <- sweep(as.matrix(X[c("x", "y")]), 2, c(p$mu_x[k], p$mu_y[k]))
      q <- rowSums((dx %*% solve(S)) * dx)
      p$pi[k] * exp(-q / 2) / (2 * base::pi * sqrt(det(S)))
    })
    sum(log(rowSums(dens)))
  }
  for (t in c(1, 4, 7)) {
    expect_equal(fit$loglik$loglik[t + 1], direct(fit$params[fit$params$iteration == t, ]), tolerance = 1e-12)
  }
})

test_that("mclust::em from the same start gives the same iterates (K = 3, d = 3)", {
  skip_if_not_installed("mclust")
  set.seed(20261126)
  X <- rbind(matrix(rnorm(300), ncol = 3),
             matrix(rnorm(450, 3), ncol = 3),
             matrix(rnorm(600, -2, 2), ncol = 3))
  pi0 <- c(0.2, 0.3, 0.5)
  mu0 <- rbind(c(0, 0, 0), c(2, 2, 2), c(-1, -1, -1))
  S0 <- array(diag(3), c(3, 3, 3))
  S0[, , 3] <- matrix(c(2, 0.5, 0, 0.5, 2, 0.3, 0, 0.3, 2), 3)
  fit <- gmm_em(X, pi0, mu0, S0, max_iter = 25)
  par0 <- list(pro = pi0, mean = t(mu0),
               variance = list(modelName = "VVV", d = 3, G = 3, sigma = S0,
                               cholsigma = array(apply(S0, 3, chol), c(3, 3, 3))))
  for (t in c(1, 2, 5, 25)) {
    m <- mclust::emVVV(data = X, parameters = par0,
                       control = mclust::emControl(tol = c(0, 0), itmax = c(t, t)))
    p <- fit$params[fit$params$iteration == t, ]
    expect_lte(max(abs(m$parameters$pro - p$pi)), 1e-12)
    expect_lte(max(abs(t(m$parameters$mean) - as.matrix(p[c("mu_1", "mu_2", "mu_3")]))), 1e-12)
    expect_lte(max(abs(m$parameters$variance$sigma - fit$path$Sigma[, , , t + 1])), 1e-12)
    sig <- m$parameters$variance$sigma
    for (k in 1:3) {
      ours <- c(p$sigma_1_1[k], p$sigma_1_2[k], p$sigma_1_3[k], p$sigma_2_2[k], p$sigma_2_3[k], p$sigma_3_3[k])
      theirs <- sig[, , k][upper.tri(diag(3), diag = TRUE)][c(1, 2, 4, 3, 5, 6)]
      expect_lte(max(abs(ours - theirs)), 1e-12)
    }
    expect_equal(fit$loglik$loglik[t + 1], m$loglik, tolerance = 1e-12)
  }
})

test_that("the log-likelihood never decreases", {
  for (start in names(handout_starts)) {
    ll <- fit_handout(start)$loglik$loglik
    expect_true(all(diff(ll) >= -1e-9 * (1 + abs(ll[-1]))))
  }
})

test_that("K = 1 is the sample mean and the maximum-likelihood covariance", {
  set.seed(5)
  X <- matrix(rnorm(60), 20, 3) %*% matrix(c(1, 0.5, 0, 0, 1, 0.2, 0, 0, 1), 3)
  fit <- gmm_em(X, pi = 1, mu = list(c(0, 0, 0)), Sigma = list(diag(3)), max_iter = 2)
  expect_equal(unname(fit$final$mu[1, ]), unname(colMeans(X)), tolerance = 1e-12)
  expect_equal(unname(fit$final$Sigma[, , 1]), unname(cov(X) * 19 / 20), tolerance = 1e-12)
  expect_identical(unname(fit$final$pi), 1)
})

test_that("one-dimensional data work from a vector", {
  set.seed(6)
  x <- c(rnorm(100, -3), rnorm(100, 3))
  fit <- gmm_em(x, pi = c(0.5, 0.5), mu = list(-1, 1), Sigma = list(1, 1), tol = 1e-10, max_iter = 500)
  expect_true(fit$converged)
  means <- sort(as.vector(fit$final$mu))
  expect_equal(means, c(mean(x[1:100]), mean(x[101:200])), tolerance = 1e-3)
})

test_that("`tol` stops at the first iteration that meets the design note's rule", {
  tol <- 1e-6
  fit <- fit_handout(tol = tol)
  ll <- fit$loglik$loglik
  T <- fit$n_iter
  met <- abs(diff(ll)) <= tol * (1 + abs(ll[-1]))
  expect_true(fit$converged)
  expect_true(met[T])
  expect_false(any(met[seq_len(T - 1)]))
  expect_lt(T, 100)
  # the path up to there is the full run's path
  full <- fit_handout()
  expect_identical(fit$params, full$params[full$params$iteration <= T, ])
  expect_false(fit_handout(tol = 0, max_iter = 5)$converged)
})

test_that("results do not depend on the number of threads", {
  set.seed(11)
  X <- rbind(matrix(rnorm(20000), ncol = 2), matrix(rnorm(20000, 2), ncol = 2))  # 20000 rows: 2 threads
  one <- gmm_em(X, c(0.5, 0.5), list(c(0, 0), c(1, 1)), list(diag(2), diag(2)), max_iter = 20, threads = 1)
  two <- gmm_em(X, c(0.5, 0.5), list(c(0, 0), c(1, 1)), list(diag(2), diag(2)), max_iter = 20, threads = 2)
  expect_identical(one$params, two$params)
  expect_identical(one$loglik, two$loglik)
  expect_identical(one$resp, two$resp)
})

test_that("mu and Sigma may be a matrix and an array; final has one shape whatever the start's", {
  X <- generate_data(var1 = 3)
  a <- fit_handout(max_iter = 10)
  b <- gmm_em(X, pi = c(0.1, 0.9), mu = rbind(c(0.1, 0), c(0, 0)),
              Sigma = array(c(diag(0.1, 2), diag(0.1, 2)), c(2, 2, 2)), max_iter = 10)
  expect_identical(a$params, b$params)
  expect_identical(a$final, b$final)
  expect_identical(dim(a$final$mu), c(2L, 2L))
  expect_identical(dimnames(a$final$mu), list(c("1", "2"), c("x", "y")))
  expect_identical(dim(a$final$Sigma), c(2L, 2L, 2L))
  last <- a$params[a$params$iteration == 10, ]
  expect_equal(unname(a$final$mu[2, ]), c(last$mu_x[2], last$mu_y[2]))
  expect_equal(unname(a$final$Sigma[, , 1]),
               matrix(c(last$sigma_x_x[1], last$sigma_x_y[1], last$sigma_x_y[1], last$sigma_y_y[1]), 2))
  expect_identical(unname(a$final$pi), last$pi)
  # the start is kept in the same shape
  expect_identical(unname(a$start$mu), rbind(c(0.1, 0), c(0, 0)))
})

test_that("`keep` chooses which responsibilities are kept; the last is always there", {
  all <- fit_handout(max_iter = 30)
  last <- fit_handout(max_iter = 30, keep = "last")
  expect_identical(dimnames(last$resp)[[3]], "30")
  expect_identical(last$resp[, , 1], all$resp[, , "30"])
  some <- fit_handout(max_iter = 30, keep = c(0, 7))
  expect_identical(dimnames(some$resp)[[3]], c("0", "7", "30"))
  expect_identical(some$resp[, , "7"], all$resp[, , "7"])

  # past the memory budget (here: room for 7 matrices of 4000 x 2 beside the
  # path of 51 iterations, which is a fifth of a matrix), the figure's
  # iterations and the last, with a message
  big <- generate_data(2000, 2000, var1 = 3)
  old <- options(gmmem.keep_budget = gmmem:::path_size(2, 2, 50) + 7 * 8 * 4000 * 2)
  on.exit(options(old))
  expect_message(small <- gmm_em(big, pi = c(0.1, 0.9), mu = handout_starts$handout,
                                 Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 50),
                 "Responsibilities kept for iterations 0, 1, 5, 10, 25, 40, 50 of the 51")
  expect_identical(dimnames(small$resp)[[3]], c("0", "1", "5", "10", "25", "40", "50"))
  expect_match(small$control$keep_note, "keep = \"all\"")
  # with tol the last is where it stopped, recomputed exactly
  conv <- fit_handout(tol = 1e-6, keep = "last")
  full <- fit_handout(keep = "all")
  expect_identical(conv$resp[, , 1], full$resp[, , as.character(conv$n_iter)])
})

test_that("the tidy frames have the documented columns", {
  fit <- gmm_em(matrix(rnorm(30), 10, 3), pi = c(0.5, 0.5), mu = list(c(0, 0, 0), c(1, 1, 1)),
                Sigma = list(diag(3), diag(3)), max_iter = 2, reg_covar = 1e-6)
  expect_named(fit$params, c("iteration", "component", "pi", "mu_1", "mu_2", "mu_3",
                             "sigma_1_1", "sigma_1_2", "sigma_1_3", "sigma_2_2", "sigma_2_3", "sigma_3_3"))
  expect_named(fit$loglik, c("iteration", "loglik", "change"))
  resp <- gmm_responsibilities(fit)
  expect_named(resp, c("iteration", "point", "component", "r"))
  expect_identical(nrow(resp), 10L * 2L * 3L)
  expect_identical(tidy(fit, iterations = "all", what = "responsibilities"), resp)
  expect_identical(resp$r[resp$iteration == 2], as.vector(t(fit$resp[, , "2"])))
  sums <- tapply(resp$r, resp[c("iteration", "point")], sum)
  expect_equal(as.vector(sums), rep(1, 30), tolerance = 1e-14)
})

test_that("a collapsing component is an error naming the iteration and component", {
  X <- rbind(generate_data(var1 = 3)[c("x", "y")], data.frame(x = c(50, 50), y = c(50, 50)))
  err <- expect_error(gmm_em(X, pi = c(0.5, 0.5), mu = list(c(0, 0), c(50, 50)),
                             Sigma = list(diag(2), diag(2)), max_iter = 5),
                      class = "gmmem_em_error")
  expect_match(conditionMessage(err), "iteration 1")
  expect_match(conditionMessage(err), "component 2")
  expect_match(conditionMessage(err), "reg_covar")
  expect_identical(err$component, 2L)
  expect_identical(err$iteration, 1L)
  expect_identical(err$kind, "singular_covariance")
  fit <- gmm_em(X, pi = c(0.5, 0.5), mu = list(c(0, 0), c(50, 50)),
                Sigma = list(diag(2), diag(2)), max_iter = 5, reg_covar = 1e-6)
  expect_true(all(is.finite(fit$loglik$loglik)))
  expect_equal(unname(fit$final$pi[2]), 2 / 402)
})

test_that("print() shows the final state and returns the fit invisibly", {
  fit <- fit_handout()
  out <- capture.output(res <- withVisible(print(fit)))
  expect_false(res$visible)
  expect_identical(res$value, fit)
  expect_match(out[1], "n = 400, d = 2, K = 2")
  expect_true(any(grepl("100 iterations", out)))
  expect_true(any(grepl("-1590.316", out, fixed = TRUE)))
  expect_true(any(grepl("1.939", out, fixed = TRUE)))
})

test_that("a double matrix is fitted where it lies: gmm_em() and predict() make no copy of it", {
  skip_if_not(capabilities("profmem"), "R was built without memory profiling (tracemem)")
  X <- as.matrix(faithful)
  tracemem(X)
  on.exit(untracemem(X))
  copies <- capture.output({
    fit <- gmm_em(X, k = 2, seed = 1, max_iter = 5, keep = "last")
    labels <- predict(fit, X)
  })
  expect_identical(copies, character())
  expect_identical(fit$data, X)
})
