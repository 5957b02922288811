// R entry points for random data: the handout's numpy generator and draws through R's RNG.
#include <RcppEigen.h>
#include <gmmem/generate.h>
#include <vector>
#include <gmmem/numpy_legacy_rng.h>
#include <cstdint>
#include "r_adapters.h"

// The handout's generate_data(); `seed` is a whole number in [0, 2^32 - 1],
// checked in R and passed as a double because R's integers stop at 2^31 - 1.
// [[Rcpp::export(rng = false)]]
Eigen::MatrixXd generate_numpy_cpp(int n1, int n2, Eigen::VectorXd mean1, Eigen::VectorXd mean2,
                                   double var1, double var2, double seed) {
  gmmem::NumpyLegacy rng(static_cast<std::uint32_t>(seed));
  return gmmem::generate_two_clusters(rng, n1, n2, mean1, mean2, var1, var2);
}

// Blocks of sizes[k] draws from N(means[, k], diag(variances[, k])) exactly as
// numpy's multivariate_normal called once per block after np.random.seed(seed).
// [[Rcpp::export(rng = false)]]
Eigen::MatrixXd draw_numpy_blocks_cpp(std::vector<int> sizes, Eigen::MatrixXd means,
                                      Eigen::MatrixXd variances, double seed) {
  gmmem::NumpyLegacy rng(static_cast<std::uint32_t>(seed));
  return gmmem::draw_normal_diagonal_blocks(rng, sizes, means, variances);
}

// n draws from N(mean, Sigma) through R's RNG.
// [[Rcpp::export]]
Eigen::MatrixXd draw_r_full_cpp(int n, Eigen::VectorXd mean, Eigen::MatrixXd Sigma) {
  Rcpp::RNGScope scope;
  RNormal rng;
  return gmmem::draw_normal_full(rng, n, mean, Sigma);
}
