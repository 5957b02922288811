# Independent numbers for the views' tests: parameters read from the fit's
# store (the arrays of the path), and densities written here from the formula.

# pi, mu (d x K) and Sigma (list of K d x d) at iteration t.
tidy_params <- function(fit, t) {
  at <- as.character(t)
  d <- ncol(fit$data)
  K <- ncol(fit$path$pi)
  list(pi = unname(fit$path$pi[at, ]), mu = unname(matrix(fit$path$mu[, , at], d, K)),
       Sigma = lapply(seq_len(K), function(k) unname(matrix(fit$path$Sigma[, , k, at], d, d))))
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
