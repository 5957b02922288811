# The bench's test problems, shared by bench.R and profile.R.

# K well-separated clusters with random full covariances, drawn with R's RNG,
# and a start near (not at) the truth: every peer begins from these numbers.
make_problem <- function(n, K, d, seed = 1) {
  set.seed(seed)
  centres <- matrix(rnorm(K * d, sd = 4), K, d)
  sizes <- as.vector(rmultinom(1, n, rep(1 / K, K)))
  X <- do.call(rbind, lapply(seq_len(K), function(k) {
    A <- matrix(rnorm(d * d, sd = 0.4), d) + diag(d)
    sweep(matrix(rnorm(sizes[k] * d), ncol = d) %*% A, 2, centres[k, ], "+")
  }))
  start <- list(pi = rep(1 / K, K),
                mu = centres + matrix(rnorm(K * d, sd = 0.5), K, d),
                Sigma = array(diag(d), c(d, d, K)))
  list(X = X, start = start)
}
