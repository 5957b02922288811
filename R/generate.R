#' Generate the handout's two-cluster data set
#'
#' Draws `n_samples_cluster1` points around `mean1` with covariance `var1 * I`,
#' then `n_samples_cluster2` around `mean2` with `var2 * I`, exactly as the GMM
#' handout's numpy function does after `np.random.seed(seed)`: the same
#' Mersenne Twister stream, the same polar Gaussian (with its cached second
#' value) and the same `multivariate_normal` transform, so the result equals
#' numpy's bit for bit. R's own random number generator is neither used nor
#' changed.
#'
#' @param n_samples_cluster1,n_samples_cluster2 Number of points in each cluster.
#' @param var1,var2 Variance of each coordinate in each cluster (positive).
#' @param mean1,mean2 Centres of the clusters, numeric vectors of one length
#'   `d` (the handout's are `c(-2, 2)` and `c(2, -2)`).
#' @param seed The numpy seed, a whole number from 0 to 2^32 - 1.
#' @return A data frame of class `gmm_data` with columns `x` and `y` (for
#'   `d = 2`; `x1`, ..., `xd` otherwise) and the true `cluster` (a factor).
#'   [gmm_em()] ignores `cluster`, so the data frame can be passed as it is.
#' @examples
#' X <- generate_data(var1 = 3)
#' head(X, 2)
#' table(X$cluster)
#' @export
generate_data <- function(n_samples_cluster1 = 200, n_samples_cluster2 = 200, var1 = 1, var2 = 1,
                          mean1 = c(-2, 2), mean2 = c(2, -2), seed = 42) {
  n1 <- check_whole_number(n_samples_cluster1, "n_samples_cluster1", min = 0, max = .Machine$integer.max)
  n2 <- check_whole_number(n_samples_cluster2, "n_samples_cluster2", min = 0, max = .Machine$integer.max)
  if (n1 + n2 == 0) abort_arg("n_samples_cluster1", "and `n_samples_cluster2` must not both be 0.")
  var1 <- check_number(var1, "var1", min = 0)
  var2 <- check_number(var2, "var2", min = 0)
  if (var1 == 0) abort_arg("var1", "must be positive.")
  if (var2 == 0) abort_arg("var2", "must be positive.")
  mean1 <- check_numeric_vector(mean1, "mean1")
  mean2 <- check_numeric_vector(mean2, "mean2", length(mean1))
  seed <- check_whole_number(seed, "seed", min = 0, max = 2^32 - 1)
  # R's matrices hold at most 2^31 - 1 rows
  if (n1 + n2 > .Machine$integer.max) {
    abort_arg("n_samples_cluster1", "and `n_samples_cluster2` add up to more rows than R can hold (2^31 - 1).")
  }

  d <- length(mean1)
  # Up to 2^31 - 1 rows pass the checks: a machine without the memory for them
  # makes Eigen throw std::bad_alloc, which names no argument.
  X <- tryCatch(generate_numpy_cpp(as.integer(n1), as.integer(n2), mean1, mean2, var1, var2, seed),
                error = function(e) {
                  if (!grepl("bad_alloc", conditionMessage(e), fixed = TRUE)) stop(e)
                  size <- format(structure(8 * (n1 + n2) * d, class = "object_size"), units = "auto")
                  abort_arg("n_samples_cluster1", "and `n_samples_cluster2` ask for ", format(n1 + n2, big.mark = ","),
                            " points of ", d, " coordinates (", size, "): more memory than there is.")
                })
  mixture_frame(X, rep(c(1L, 2L), c(n1, n2)), 2L, data_column_names(d))
}
