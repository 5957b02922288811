# scikit-learn's four covariance types: gmm_em()'s iterates equal GaussianMixture's (fixtures/README.md).

# Both count an iteration the same way: iteration t is the E-step with
# theta_{t-1} and then the M-step, so after max_iter = t scikit-learn's
# weights_, means_ and covariances_ are gmmem's theta_t. Its lower_bound_ is
# the mean log-likelihood computed in that last E-step, i.e. at theta_{t-1};
# its score(X) is the mean log-likelihood at theta_t. The fixtures were made
# with reg_covar = 0 (scikit-learn's default 1e-6 would add to every
# covariance) and tol = 0 (so every iteration runs).

sklearn_reference <- function() {
  read.csv(fixture_path("sklearn_em.csv"), stringsAsFactors = FALSE)
}

# One parameter of one run and iteration in scikit-learn's own shape: a vector
# for weights_ and spherical covariances_, K x d for means_ and diag, d x d for
# tied, K x d x d for full.
sklearn_array <- function(ref, parameter) {
  rows <- ref[ref$parameter == parameter, ]
  index <- as.matrix(rows[c("i1", "i2", "i3")])
  index <- index[, colSums(!is.na(index)) > 0, drop = FALSE]
  if (ncol(index) == 1L) return(rows$value[order(index[, 1L])])
  out <- array(NA_real_, unname(apply(index, 2L, max)))
  out[index] <- rows$value
  out
}

# scikit-learn's covariances_ as gmmem's d x d x K array.
sklearn_sigma <- function(cov, type, K, d) {
  one <- switch(type,
    spherical = lapply(seq_len(K), function(k) diag(cov[k], d)),
    diag = lapply(seq_len(K), function(k) diag(cov[k, ], d)),
    tied = rep(list(cov), K),
    full = lapply(seq_len(K), function(k) cov[k, , ]))
  array(unlist(one), c(d, d, K))
}

# Largest difference, relative where the reference exceeds 1 in magnitude.
sklearn_gap <- function(got, want) {
  stopifnot(length(got) == length(want))
  max(abs(got - want) / pmax(1, abs(want)))
}

sklearn_data <- function() {
  handout <- numpy_generate_cases()
  handout <- handout[handout$case == "handout", c("x", "y")]
  list(handout = handout, iris = datasets::iris[1:4])
}

test_that("the fixtures' iris is R's", {
  exported <- read.csv(fixture_path("iris.csv"))
  expect_identical(exported, datasets::iris[1:4])
})

test_that("spherical, diag, tied and full equal scikit-learn's GaussianMixture at every recorded iteration (1e-10)", {
  ref_all <- sklearn_reference()
  data <- sklearn_data()
  for (set in names(data)) {
    X <- data[[set]]
    n <- nrow(X)
    d <- ncol(X)
    for (type in c("spherical", "diag", "tied", "full")) {
      ref <- ref_all[ref_all$data == set & ref_all$covariance_type == type, ]
      start <- ref[ref$iteration == 0, ]
      pi0 <- sklearn_array(start, "weights_")
      K <- length(pi0)
      mu0 <- sklearn_array(start, "means_")
      Sigma0 <- sklearn_sigma(sklearn_array(start, "covariances_"), type, K, d)
      iterations <- setdiff(sort(unique(ref$iteration)), 0L)
      expect_identical(iterations, c(1L, 2L, 3L, 5L, 10L, 20L))
      for (t in iterations) {
        label <- sprintf("%s, %s, t = %d", set, type, t)
        fit <- gmm_em(X, pi = pi0, mu = mu0, Sigma = Sigma0, model = type, max_iter = t)
        want <- ref[ref$iteration == t, ]
        expect_identical(fit$n_iter, t)
        expect_lt(sklearn_gap(fit$final$pi, sklearn_array(want, "weights_")), 1e-10, label = paste(label, "pi"))
        expect_lt(sklearn_gap(fit$final$mu, sklearn_array(want, "means_")), 1e-10, label = paste(label, "mu"))
        expect_lt(sklearn_gap(fit$final$Sigma, sklearn_sigma(sklearn_array(want, "covariances_"), type, K, d)),
                  1e-10, label = paste(label, "Sigma"))
        # the path's last entry is the final fit
        expect_identical(fit$path$pi[as.character(t), ], fit$final$pi)
        loglik <- fit$path$loglik
        expect_lt(sklearn_gap(loglik[[as.character(t)]] / n, want$value[want$parameter == "score"]), 1e-10,
                  label = paste(label, "score"))
        expect_lt(sklearn_gap(loglik[[as.character(t - 1L)]] / n, want$value[want$parameter == "lower_bound_"]),
                  1e-10, label = paste(label, "lower_bound_"))
      }
    }
  }
})
