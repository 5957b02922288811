// Multivariate normal draws and the handout's two-cluster data generator.
#ifndef GMMEM_GENERATE_H
#define GMMEM_GENERATE_H

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace gmmem {

// Draws `size` rows from N(mean, diag(variances)) the way numpy's
// multivariate_normal does for a diagonal covariance: standard normals row by
// row, then z %*% (sqrt(s) * v) from the SVD of the covariance. For a diagonal
// matrix LAPACK returns s sorted in decreasing order (ties keep their order) and
// v the matching permutation, so output column j takes the normal drawn in
// position order[j]. Only the product z * sqrt(s) is formed: the other terms of
// numpy's matrix product are exact zeros, so the result is bit for bit numpy's.
// `Rng` needs only `double normal()`.
template <class Rng>
Eigen::MatrixXd draw_normal_diagonal(Rng& rng, int size, const Eigen::VectorXd& mean,
                                     const Eigen::VectorXd& variances) {
  const int d = static_cast<int>(mean.size());
  if (variances.size() != d) throw std::invalid_argument("mean and variances differ in length");
  if (size < 0) throw std::invalid_argument("size must be non-negative");
  for (int j = 0; j < d; ++j) {
    if (!(variances[j] >= 0.0) || !std::isfinite(variances[j]))
      throw std::invalid_argument("variances must be finite and non-negative");
  }
  std::vector<int> by_variance(d);
  std::iota(by_variance.begin(), by_variance.end(), 0);
  std::stable_sort(by_variance.begin(), by_variance.end(),
                   [&](int a, int b) { return variances[a] > variances[b]; });
  // position p of the sorted singular values feeds output column by_variance[p]
  Eigen::MatrixXd out(size, d);
  std::vector<double> z(d);
  for (int i = 0; i < size; ++i) {
    for (int j = 0; j < d; ++j) z[j] = rng.normal();
    for (int p = 0; p < d; ++p) {
      const int col = by_variance[p];
      // numpy rounds the product before adding the mean; the volatile stops FMA fusion.
      volatile double scaled = z[p] * std::sqrt(variances[col]);
      out(i, col) = scaled + mean[col];
    }
  }
  return out;
}

// Draws `size` rows from N(mean, Sigma) for any symmetric positive
// (semi-)definite Sigma through its Cholesky factor: x = mean + L z.
template <class Rng>
Eigen::MatrixXd draw_normal_full(Rng& rng, int size, const Eigen::VectorXd& mean,
                                 const Eigen::MatrixXd& Sigma) {
  const int d = static_cast<int>(mean.size());
  Eigen::LLT<Eigen::MatrixXd> llt(Sigma);
  if (llt.info() != Eigen::Success) throw std::invalid_argument("Sigma is not positive definite");
  const Eigen::MatrixXd L = llt.matrixL();
  Eigen::MatrixXd out(size, d);
  Eigen::VectorXd z(d);
  for (int i = 0; i < size; ++i) {
    for (int j = 0; j < d; ++j) z[j] = rng.normal();
    out.row(i) = (mean + L * z).transpose();
  }
  return out;
}

// The handout's generate_data(): n1 points around mean1 with variance var1 * I,
// then n2 around mean2 with var2 * I, drawn from one stream in that order.
template <class Rng>
Eigen::MatrixXd generate_two_clusters(Rng& rng, int n1, int n2, const Eigen::VectorXd& mean1,
                                      const Eigen::VectorXd& mean2, double var1, double var2) {
  const Eigen::VectorXd v1 = Eigen::VectorXd::Constant(mean1.size(), var1);
  const Eigen::VectorXd v2 = Eigen::VectorXd::Constant(mean2.size(), var2);
  const Eigen::MatrixXd a = draw_normal_diagonal(rng, n1, mean1, v1);
  const Eigen::MatrixXd b = draw_normal_diagonal(rng, n2, mean2, v2);
  Eigen::MatrixXd out(n1 + n2, mean1.size());
  out.topRows(n1) = a;
  out.bottomRows(n2) = b;
  return out;
}

}  // namespace gmmem

#endif
