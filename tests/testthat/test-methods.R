# summary, predict, logLik, nobs, coef and fitted, checked against sums written
# out here in plain R and against mclust on faithful and iris.

# log N(x_i | mu, S) for the rows of X, through R's own chol().
log_normal_by_hand <- function(X, mu, S) {
  U <- chol(S)
  z <- backsolve(U, t(X) - mu, transpose = TRUE)
  -0.5 * colSums(z^2) - sum(log(diag(U))) - 0.5 * ncol(X) * log(2 * base::pi)
}

# log pi_k + log N(x_i | mu_k, S_k) as an n x K matrix.
log_joint_by_hand <- function(X, w, mus, Ss) {
  sapply(seq_along(w), function(k) log(w[k]) + log_normal_by_hand(X, mus[[k]], Ss[[k]]))
}

loglik_by_hand <- function(X, w, mus, Ss) {
  lj <- log_joint_by_hand(X, w, mus, Ss)
  m <- apply(lj, 1, max)
  sum(m + log(rowSums(exp(lj - m))))
}

posterior_by_hand <- function(X, w, mus, Ss) {
  lj <- log_joint_by_hand(X, w, mus, Ss)
  p <- exp(lj - apply(lj, 1, max))
  p / rowSums(p)
}

# A fit's final parameters (K x d means, d x d x K covariances) as the lists
# the sums above take.
mus_of <- function(final) lapply(seq_along(final$pi), function(k) unname(final$mu[k, ]))
Ss_of <- function(final) lapply(seq_along(final$pi), function(k) unname(final$Sigma[, , k]))


test_that("logLik() is the log-likelihood of the final parameters, with df and nobs", {
  ll <- logLik(fit_faithful())
  expect_s3_class(ll, "logLik")
  by_hand <- loglik_by_hand(X_faithful, unname(fit_faithful()$final$pi), mus_of(fit_faithful()$final), Ss_of(fit_faithful()$final))
  expect_equal(as.numeric(ll), by_hand, tolerance = 1e-10)
  # (K - 1) + K d + K d (d + 1) / 2 with K = 2, d = 2: 1 + 4 + 6
  expect_identical(attr(ll, "df"), 11L)
  expect_identical(attr(ll, "nobs"), 272L)
  expect_identical(nobs(fit_faithful()), 272L)
  expect_equal(AIC(fit_faithful()), -2 * by_hand + 2 * 11, tolerance = 1e-10)
  expect_equal(BIC(fit_faithful()), -2 * by_hand + 11 * log(272), tolerance = 1e-10)
})

test_that("logLik() counts parameters for other K and d", {
  set.seed(11)
  X <- matrix(rnorm(120), 40, 3)
  fit <- gmm_em(X, k = 4, seed = 2, max_iter = 3, reg_covar = 1e-6)
  # K = 4, d = 3: 3 + 12 + 24
  expect_identical(attr(logLik(fit), "df"), 39L)
  fit1 <- gmm_em(X[, 1], k = 1, max_iter = 2)
  # K = 1, d = 1: 0 + 1 + 1
  expect_identical(attr(logLik(fit1), "df"), 2L)
  expect_equal(as.numeric(logLik(fit1)), sum(dnorm(X[, 1], mean(X[, 1]), sqrt(mean((X[, 1] - mean(X[, 1]))^2)), log = TRUE)),
               tolerance = 1e-10)
})

test_that("logLik() is the last iteration's even without convergence", {
  fit <- gmm_em(faithful, k = 2, seed = 1, max_iter = 2)
  expect_identical(as.numeric(logLik(fit)), fit$loglik$loglik[3])
})

test_that("predict() gives the posterior of the final parameters", {
  new <- data.frame(eruptions = c(2, 3.5, 4.5, 1.6), waiting = c(50, 70, 85, 95))
  prob <- predict(fit_faithful(), new, type = "prob")
  expect_identical(class(prob), "data.frame")
  expect_named(prob, c(".r_1", ".r_2"))
  by_hand <- posterior_by_hand(as.matrix(new), unname(fit_faithful()$final$pi), mus_of(fit_faithful()$final), Ss_of(fit_faithful()$final))
  expect_equal(unname(as.matrix(prob)), by_hand, tolerance = 1e-10)
  cls <- predict(fit_faithful(), new)
  expect_named(cls, ".cluster")
  expect_identical(levels(cls$.cluster), c("1", "2"))
  expect_identical(as.integer(cls$.cluster), max.col(by_hand, ties.method = "first"))
})

test_that("predict() uses theta_T, not the last kept responsibilities r_T", {
  # after one iteration r_1 comes from the start theta_0 while predict uses theta_1
  fit <- gmm_em(faithful, k = 2, seed = 1, max_iter = 1)
  theta1 <- subset(fit$params, iteration == 1)
  mus <- lapply(1:2, function(k) c(theta1$mu_eruptions[k], theta1$mu_waiting[k]))
  Ss <- lapply(1:2, function(k) {
    matrix(c(theta1$sigma_eruptions_eruptions[k], theta1$sigma_eruptions_waiting[k],
             theta1$sigma_eruptions_waiting[k], theta1$sigma_waiting_waiting[k]), 2)
  })
  by_hand <- posterior_by_hand(X_faithful, theta1$pi, mus, Ss)
  prob <- as.matrix(predict(fit, type = "prob"))
  expect_equal(unname(prob), by_hand, tolerance = 1e-10)
  expect_gt(max(abs(prob - fit$resp[, , "1"])), 1e-3)
})

test_that("predict() finds the fitted columns by name and checks newdata", {
  fit <- gmm_em(iris[1:4], k = 3, n_init = 5, seed = 2, tol = 1e-8, max_iter = 500)
  expect_identical(predict(fit, iris), predict(fit, iris[1:4]))
  expect_identical(predict(fit, iris[5:1])$.cluster, predict(fit, iris[1:4])$.cluster)
  expect_identical(predict(fit)$.cluster, predict(fit, iris[1:4])$.cluster)
  expect_identical(nrow(predict(fit, iris[0, 1:4])), 0L)
  expect_identical(nrow(predict(fit, iris[0, 1:4], type = "prob")), 0L)
  expect_identical(nrow(predict(fit, iris[7, 1:4])), 1L)
  expect_error(predict(fit, iris[1:3]), "`newdata` lacks the column `Petal.Width` the model was fitted to", fixed = TRUE)
  expect_error(predict(fit, unname(as.matrix(iris[1:3]))), "`newdata` must have 4 columns")
  text <- iris[1:4]
  text$Petal.Width <- as.character(text$Petal.Width)
  expect_error(predict(fit, text), "`newdata` must have only numeric columns; `Petal.Width` is not numeric.", fixed = TRUE)
  bad <- iris[1:4]
  bad[2, 3] <- NA
  expect_error(predict(fit, bad), "`newdata` has NA or NaN values in 1 row (row 2)", fixed = TRUE)
  expect_error(predict(fit, iris, type = "response"), "`type` must be one of")
  expect_error(predict(fit, iris[1:4] * 1e300), "`newdata` cannot be clustered with the fitted parameters: observation 1")
  # without names, by position
  expect_identical(predict(fit, unname(as.matrix(iris[1:4]))), predict(fit, iris[1:4]))
})

test_that("fitted() is the n x K matrix of final responsibilities", {
  r <- fitted(fit_faithful())
  expect_identical(dim(r), c(272L, 2L))
  expect_identical(colnames(r), c("1", "2"))
  expect_equal(rowSums(r), rep(1, 272), tolerance = 1e-12)
  expect_equal(unname(r), posterior_by_hand(X_faithful, unname(fit_faithful()$final$pi), mus_of(fit_faithful()$final), Ss_of(fit_faithful()$final)),
               tolerance = 1e-10)
})

test_that("coef() is a K-row matrix of weights, means and covariance entries", {
  cf <- coef(fit_faithful())
  expect_identical(dim(cf), c(2L, 6L))
  expect_identical(colnames(cf), c("pi", "mu_eruptions", "mu_waiting", "sigma_eruptions_eruptions",
                                   "sigma_eruptions_waiting", "sigma_waiting_waiting"))
  expect_identical(rownames(cf), c("1", "2"))
  for (k in 1:2) {
    S <- fit_faithful()$final$Sigma[, , k]
    expect_equal(unname(cf[k, ]), unname(c(fit_faithful()$final$pi[k], fit_faithful()$final$mu[k, ], S[1, 1], S[1, 2], S[2, 2])))
  }
})

test_that("summary() has its own class, the right numbers and a print method", {
  s <- summary(fit_faithful())
  expect_s3_class(s, "summary.gmm_em")
  expect_identical(c(s$n, s$d, s$k), c(272L, 2L, 2L))
  expect_equal(s$loglik, as.numeric(logLik(fit_faithful())))
  expect_identical(s$df, 11L)
  expect_equal(s$BIC, BIC(fit_faithful()))
  expect_identical(sum(s$components$size), 272L)
  expect_identical(s$components$size, as.vector(table(predict(fit_faithful())$.cluster)))
  expect_named(s$components, c("component", "pi", "mu_eruptions", "mu_waiting", "size"))
  expect_equal(s$Sigma[[2]], fit_faithful()$final$Sigma[, , 2])
  expect_identical(s$init, "kmeans++")
  out <- capture.output(res <- print(s))
  expect_identical(res, s)
  expect_true(any(grepl("BIC", out)))
  expect_true(any(grepl("kmeans\\+\\+ start", out)))
  expect_output(print(summary(fit_handout(max_iter = 3))), "the start given")
  expect_error(print(s, digits = 0), "`digits` must be at least 1")
})

# --- real data against mclust --------------------------------------------------

# mclust's own start for model VVV (its hierarchical clustering), then EM by
# mclust and by gmmem from it with the same relative tolerance (both stop when
# |l_t - l_{t-1}| <= tol (1 + |l_t|)).
compare_with_mclust <- function(X, G, tol = 1e-10) {
  X <- as.matrix(X)
  classes <- mclust::hclass(mclust::hcVVV(X), G)[, 1]
  par <- mclust::mstepVVV(X, z = mclust::unmap(classes))$parameters
  m <- mclust::emVVV(X, parameters = par,
                     control = mclust::emControl(tol = c(tol, sqrt(.Machine$double.eps)), itmax = c(5000, 5000)))
  fit <- gmm_em(X, pi = par$pro, mu = t(par$mean), Sigma = par$variance$sigma, tol = tol, max_iter = 5000)
  list(m = m, fit = fit)
}

test_that("faithful, K = 2: gmmem and mclust::em agree from mclust's start", {
  skip_if_not_installed("mclust")
  r <- compare_with_mclust(faithful, 2)
  expect_equal(as.numeric(logLik(r$fit)), r$m$loglik, tolerance = 1e-6)
  expect_lte(abs(as.numeric(logLik(r$fit)) - r$m$loglik), 1e-6)
  expect_lte(max(abs(r$fit$final$pi - r$m$parameters$pro)), 1e-6)
  expect_lte(max(abs(t(r$fit$final$mu) - r$m$parameters$mean)), 1e-6)
  expect_lte(max(abs(r$fit$final$Sigma - r$m$parameters$variance$sigma)), 1e-6)
  # the well-known optimum of VVV with two components on faithful
  expect_lt(abs(r$m$loglik - (-1130.264)), 5e-4)
  # mclust's BIC is 2 l - df log n, larger is better: ours is minus that
  bic_mclust <- mclust::bic("VVV", r$m$loglik, n = 272, d = 2, G = 2)
  expect_lte(abs(BIC(r$fit) + bic_mclust), 1e-6)
  expect_identical(attr(logLik(r$fit), "df"), as.integer(mclust::nMclustParams("VVV", d = 2, G = 2)))
})

test_that("iris, K = 3: gmmem and mclust::em agree from mclust's start", {
  skip_if_not_installed("mclust")
  r <- compare_with_mclust(iris[1:4], 3)
  expect_lte(abs(as.numeric(logLik(r$fit)) - r$m$loglik), 1e-6)
  expect_lte(max(abs(r$fit$final$pi - r$m$parameters$pro)), 1e-6)
  expect_lte(max(abs(t(r$fit$final$mu) - r$m$parameters$mean)), 1e-6)
  expect_lte(max(abs(r$fit$final$Sigma - r$m$parameters$variance$sigma)), 1e-6)
  bic_mclust <- mclust::bic("VVV", r$m$loglik, n = 150, d = 4, G = 3)
  expect_lte(abs(BIC(r$fit) + bic_mclust), 1e-6)
  # (K - 1) + K d + K d (d + 1) / 2 = 2 + 12 + 30
  expect_identical(attr(logLik(r$fit), "df"), 44L)
  expect_identical(as.integer(mclust::nMclustParams("VVV", d = 4, G = 3)), 44L)
})

test_that("mclust::em started from gmmem's own k-means++ start ends where gmmem does", {
  skip_if_not_installed("mclust")
  for (case in list(list(X = as.matrix(faithful), k = 2, seed = 3),
                    list(X = as.matrix(iris[1:4]), k = 3, seed = 2))) {
    fit <- gmm_em(case$X, k = case$k, n_init = 3, seed = case$seed, tol = 1e-10, max_iter = 5000)
    d <- ncol(case$X)
    start <- fit$start
    # estepVVV() reads the Cholesky factors, so they go in with the covariances
    Sigma0 <- unname(start$Sigma)
    par <- list(pro = unname(start$pi), mean = t(unname(start$mu)),
                variance = list(modelName = "VVV", d = d, G = case$k, sigma = Sigma0,
                                cholsigma = array(apply(Sigma0, 3, chol), dim(Sigma0))))
    m <- mclust::emVVV(case$X, parameters = par,
                       control = mclust::emControl(tol = c(1e-10, sqrt(.Machine$double.eps)), itmax = c(5000, 5000)))
    expect_lte(abs(as.numeric(logLik(fit)) - m$loglik), 1e-6)
    expect_lte(max(abs(fit$final$pi - m$parameters$pro)), 1e-6)
    expect_lte(max(abs(t(fit$final$mu) - m$parameters$mean)), 1e-6)
    expect_lte(max(abs(fit$final$Sigma - m$parameters$variance$sigma)), 1e-6)
  }
})
