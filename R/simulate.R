# Drawing data from a Gaussian mixture: gmm_simulate() (R's RNG, or numpy's
# legacy stream where it can be matched) and simulate() for fitted mixtures.

#' Simulate data from a Gaussian mixture
#'
#' Draws `n` points from the mixture \eqn{\sum_k \pi_k N(\mu_k, \Sigma_k)}
#' with any number of components and dimensions and full covariances, through
#' R's random number generator; or, for diagonal covariances, exactly as a
#' given numpy program does.
#'
#' @section `rng = "r"`:
#' The component of each point is drawn first, with `sample.int(K, n, replace
#' = TRUE, prob = pi)`; then, component by component, its points get
#' \eqn{\mu_k + L_k z} where \eqn{L_k} is the lower Cholesky factor of
#' \eqn{\Sigma_k} and \eqn{z} holds \eqn{d} standard normals from R's
#' generator (as [rnorm()]), point by point. The rows come in the order of the
#' draws, so the components are mixed. With `seed = NULL` the draws continue R's
#' random number stream (call [set.seed()] first to reproduce them); with a
#' number they are made as after `set.seed(seed)`, and the stream is then put
#' back as it was.
#'
#' @section `rng = "numpy"`:
#' Reproduces, bit for bit, numpy's legacy generator (numpy 1.24; LAPACK's
#' reference SVD) running
#' ```
#' np.random.seed(seed)
#' X = np.vstack([np.random.multivariate_normal(mu[k], np.diag(variances[k]), counts[k])
#'                for k in range(K)])
#' ```
#' that is, the components' points in blocks, component 1 first, all from one
#' seeded stream. The counts are fixed, not random: \eqn{n_k = \lfloor n
#' \pi_k \rfloor}, and the points left over go one each to the components with
#' the largest remainders \eqn{n \pi_k - \lfloor n \pi_k \rfloor} (ties to the
#' lower component). So `gmm_simulate(400, c(0.5, 0.5), list(c(-2, 2), c(2,
#' -2)), list(diag(3, 2), diag(2)), rng = "numpy", seed = 42)` is the
#' handout's data set, `generate_data(var1 = 3)`. numpy transforms its
#' standard normals by an SVD of the covariance; that can be reproduced exactly
#' only when the covariance is diagonal (its SVD is then a permutation, which
#' gmmem follows, including LAPACK's order for tied variances) and has at most
#' 25 dimensions (above that LAPACK orders tied variances differently), so
#' other covariances are an error. `data-raw/make_simulate_fixtures.py` has
#' the numpy code the tests compare with.
#'
#' @param n Number of points, a whole number (0 allowed).
#' @param pi Weights: a positive vector of length \eqn{K} that sums to 1.
#' @param mu Means: a list of \eqn{K} vectors of length \eqn{d}, or a
#'   \eqn{K \times d} matrix (for \eqn{K = 1}, also one vector).
#' @param Sigma Covariances: a list of \eqn{K} symmetric positive definite
#'   \eqn{d \times d} matrices, or a \eqn{d \times d \times K} array.
#' @param rng `"r"` (the default) for R's random number generator, or
#'   `"numpy"` to match numpy's legacy generator (diagonal covariances only).
#' @param seed With `rng = "r"`: `NULL` (the default) or a whole number for
#'   [set.seed()] (the user's RNG state is restored afterwards). With
#'   `rng = "numpy"`: required, the numpy seed, a whole number from 0 to
#'   \eqn{2^{32} - 1}; R's own generator is then neither used nor changed.
#' @return A data frame of class `gmm_data` (as [generate_data()]) with one
#'   row per point: the coordinates, named after `mu`'s names when it has
#'   them and otherwise `x` and `y` (\eqn{d = 2}) or `x1`, ..., `xd`, and
#'   `cluster`, the component each point was drawn from (a factor with levels
#'   `1`..`K`), which [gmm_em()] ignores.
#' @seealso [simulate.gmm_em()] to draw from a fitted mixture.
#' @examples
#' Sigma <- list(matrix(c(1, 0.8, 0.8, 1), 2), diag(c(0.5, 2)), diag(2))
#' X <- gmm_simulate(600, pi = c(0.2, 0.3, 0.5),
#'                   mu = list(c(0, 0), c(4, 0), c(0, 5)), Sigma = Sigma, seed = 1)
#' head(X)
#' table(X$cluster)
#' gmm_em(X, k = 3, seed = 1, tol = 1e-8)
#'
#' # numpy's stream: the handout's data set again
#' H <- gmm_simulate(400, c(0.5, 0.5), list(c(-2, 2), c(2, -2)),
#'                   list(diag(3, 2), diag(2)), rng = "numpy", seed = 42)
#' all.equal(H, generate_data(var1 = 3), check.attributes = FALSE)
#' @export
gmm_simulate <- function(n, pi, mu, Sigma, rng = c("r", "numpy"), seed = NULL) {
  n <- as.integer(check_whole_number(n, "n", min = 0, max = .Machine$integer.max))
  rng <- check_choice(rng, c("r", "numpy"), "rng")
  pi <- check_pi(pi)
  K <- length(pi)
  d <- mean_length(mu)
  if (d == 0L) abort_arg("mu", "must have at least one coordinate.")
  mu_m <- check_mu(mu, K, d)
  Sigma_a <- check_Sigma(Sigma, K, d)
  check_draw_size(n, d, "n")
  names <- mean_names(mu, d)
  if (rng == "numpy") {
    if (is.null(seed)) abort_arg("seed", "must be given with rng = \"numpy\": the numpy seed, from 0 to 2^32 - 1.")
    seed <- check_whole_number(seed, "seed", min = 0, max = 2^32 - 1)
    check_numpy_covariances(Sigma, Sigma_a)
    draws <- simulate_numpy(n, pi, mu_m, Sigma_a, seed)
  } else {
    seed <- check_seed(seed)
    draws <- with_seed(seed, simulate_r(n, pi, mu_m, Sigma_a))
  }
  mixture_frame(draws$x, draws$component, K, names)
}

# At most 2^28 numbers (2 GiB) in one call, so that a mistyped n fails at
# once rather than after minutes of drawing or an allocation R cannot make.
check_draw_size <- function(n, d, arg) {
  if (as.double(n) * d > 2^28) {
    abort_arg(arg, "asks for ", format(as.double(n) * d, big.mark = ","), " numbers (",
              "points times dimensions); at most 2^28 are drawn in one call, so draw in batches.")
  }
}

# The coordinates' names for data without any: x, y in two dimensions (as
# generate_data()), x1..xd otherwise.
data_column_names <- function(d) {
  if (d == 2L) c("x", "y") else paste0("x", seq_len(d))
}

mean_length <- function(mu) {
  if (is.list(mu) && !is.data.frame(mu)) return(if (length(mu) == 0L) 0L else length(mu[[1L]]))
  if (is.matrix(mu)) return(ncol(mu))
  length(mu)
}

mean_names <- function(mu, d) {
  nm <- if (is.list(mu) && !is.data.frame(mu)) names(mu[[1L]]) else if (is.matrix(mu)) colnames(mu) else names(mu)
  if (is.null(nm) || length(nm) != d || anyNA(nm) || any(nm == "") || anyDuplicated(nm)) data_column_names(d) else nm
}

mixture_frame <- function(x, component, K, names) {
  colnames(x) <- names
  out <- as.data.frame(x)
  out$cluster <- factor(component, levels = seq_len(K))
  class(out) <- c("gmm_data", "data.frame")
  out
}

# Component labels by sample.int(), then each component's points through R's
# normals: mu_k + L_k z.
simulate_r <- function(n, pi, mu, Sigma) {
  K <- length(pi)
  d <- nrow(mu)
  component <- sample.int(K, n, replace = TRUE, prob = pi)
  x <- matrix(0, n, d)
  for (k in seq_len(K)) {
    rows <- which(component == k)
    if (length(rows) > 0L) x[rows, ] <- draw_r_full_cpp(length(rows), mu[, k], matrix(Sigma[, , k], d, d))
  }
  list(x = x, component = component)
}

# numpy's counts for `n` points: floor(n pi_k), then one more point for each of
# the components with the largest remainders (ties to the lower component).
numpy_counts <- function(n, pi) {
  q <- n * pi
  counts <- floor(q)
  short <- n - sum(counts)
  if (short < 0) {
    abort_arg("pi", "sums to more than 1 by enough to give more than n = ", n, " points; normalise it.")
  }
  if (short > 0) {
    top <- order(-(q - counts), seq_along(pi))[seq_len(short)]
    counts[top] <- counts[top] + 1
  }
  as.integer(counts)
}

check_numpy_covariances <- function(Sigma, Sigma_a) {
  d <- dim(Sigma_a)[1L]
  K <- dim(Sigma_a)[3L]
  label <- if (is.list(Sigma)) sprintf("Sigma[[%d]]", seq_len(K)) else if (K == 1L && length(dim(Sigma)) < 3L) "Sigma" else sprintf("Sigma[, , %d]", seq_len(K))
  if (d > 25L) {
    abort_arg("Sigma", "has ", d, " dimensions: rng = \"numpy\" is exact for at most 25 ",
              "(beyond that LAPACK orders tied variances in a way gmmem does not reproduce); use rng = \"r\".")
  }
  for (k in seq_len(K)) {
    S <- matrix(Sigma_a[, , k], d, d)
    if (any(S[row(S) != col(S)] != 0)) {
      abort_arg(label[k], "must be diagonal with rng = \"numpy\": numpy's draws can be matched exactly ",
                "only for diagonal covariances; use rng = \"r\" for full ones.")
    }
  }
}

# One numpy stream: numpy's multivariate_normal(mu[, k], diag(Sigma_k), n_k)
# for each component in turn, after one np.random.seed(seed).
simulate_numpy <- function(n, pi, mu, Sigma, seed) {
  K <- length(pi)
  d <- nrow(mu)
  counts <- numpy_counts(n, pi)
  variances <- vapply(seq_len(K), function(k) Sigma[cbind(seq_len(d), seq_len(d), k)], numeric(d))
  x <- draw_numpy_blocks_cpp(counts, mu, matrix(variances, d, K), seed)
  list(x = x, component = rep(seq_len(K), counts))
}

#' Simulate data sets from a fitted mixture
#'
#' Draws `nsim` data sets, each as large as the data the model was fitted to,
#' from the final parameters of a fit, through R's random number generator as
#' [gmm_simulate()] with `rng = "r"` does. As [stats::simulate()], `seed` is
#' either `NULL` (the draws continue R's random number stream) or a number for
#' [set.seed()], after which the stream is put back as it was.
#'
#' @param object A `gmm_em` fit.
#' @param nsim Number of data sets.
#' @param seed `NULL` or a whole number.
#' @param ... Ignored.
#' All `nsim * nobs(object)` points are drawn in one go, so the result is
#' `gmm_simulate(nsim * nobs(object), ...)` from the final parameters with the
#' same seed, cut into `nsim` data sets.
#'
#' @return A data frame with `nsim * nobs(object)` rows: `sim` (which data set,
#'   `1`..`nsim`), the coordinates (named as the data's columns) and
#'   `cluster`, the component each point was drawn from (a factor). As with
#'   [stats::simulate()], attribute `"seed"` holds the state of R's generator
#'   before the draws (`seed = NULL`), or `seed` with attribute `"kind"`, the
#'   [RNGkind()] in use.
#' @examples
#' fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-8)
#' sims <- simulate(fit, nsim = 2, seed = 1)
#' head(sims)
#' # refit the first simulated data set
#' gmm_em(sims[sims$sim == 1, c("eruptions", "waiting")], k = 2, seed = 1, tol = 1e-8)
#' @export
simulate.gmm_em <- function(object, nsim = 1, seed = NULL, ...) {
  nsim <- as.integer(check_whole_number(nsim, "nsim", min = 1, max = .Machine$integer.max))
  seed <- check_seed(seed)
  if (is.null(seed)) {
    if (!exists(".Random.seed", envir = globalenv(), inherits = FALSE)) stats::runif(1)
    rng_state <- get(".Random.seed", envir = globalenv(), inherits = FALSE)
  } else {
    rng_state <- structure(seed, kind = as.list(RNGkind()))
  }
  X <- fit_data(object, "object")
  n <- nrow(X)
  d <- ncol(X)
  check_draw_size(as.double(nsim) * n, d, "nsim")
  theta <- final_params(object)
  draws <- with_seed(seed, simulate_r(nsim * n, theta$pi, theta$mu, theta$Sigma))
  colnames(draws$x) <- if (is.null(colnames(X))) data_column_names(d) else colnames(X)
  out <- data.frame(sim = rep(seq_len(nsim), each = n))
  out <- cbind(out, as.data.frame(draws$x))
  out$cluster <- factor(draws$component, levels = seq_along(theta$pi))
  attr(out, "seed") <- rng_state
  out
}
