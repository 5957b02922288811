# Independent numbers for the views' tests: parameters read from the public
# tidy() frame by column name, and densities written here from the formula.

# pi, mu (d x K) and Sigma (list of K d x d) at iteration t, from tidy().
tidy_params <- function(fit, t) {
  tp <- tidy(fit, iterations = t)
  tp <- tp[order(tp$component), ]
  d <- ncol(fit$data)
  K <- nrow(tp)
  mu <- sapply(seq_len(K), function(k) vapply(seq_len(d), function(j) tp[[paste0("mu_", j)]][k], numeric(1)))
  Sigma <- lapply(seq_len(K), function(k) {
    S <- matrix(0, d, d)
    for (i in seq_len(d)) for (j in i:d) S[i, j] <- S[j, i] <- tp[[paste0("sigma_", i, j)]][k]
    S
  })
  list(pi = tp$pi, mu = matrix(mu, d, K), Sigma = Sigma)
}

# Multivariate normal density from the textbook formula (solve and det, no
# Cholesky factor), one row of x per point.
dmvn <- function(x, mu, S) {
  x <- sweep(as.matrix(x), 2L, mu)
  q <- rowSums((x %*% solve(S)) * x)
  exp(-q / 2) / sqrt(det(2 * pi * S))
}

# Mixture density of the marginal on `dims`: means and covariances restricted
# to those coordinates.
mixture_pdf <- function(x, params, dims) {
  Reduce(`+`, lapply(seq_along(params$pi), function(k) {
    params$pi[k] * dmvn(x, params$mu[dims, k], params$Sigma[[k]][dims, dims, drop = FALSE])
  }))
}

# Squared Mahalanobis distance of rows of xy from mu under S.
mahalanobis2 <- function(xy, mu, S) unname(stats::mahalanobis(as.matrix(xy), mu, S))

# Responsibilities of the final parameters, from predict().
final_prob <- function(fit) as.matrix(predict(fit, type = "prob"))

iris_fit <- function() gmm_em(iris[1:4], k = 3, seed = 1, n_init = 5, tol = 1e-8, max_iter = 500)
