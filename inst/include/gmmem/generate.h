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

// The order in which LAPACK's SVD (numpy's dgesdd, which for a diagonal matrix
// of at most 25 rows ends in dbdsdc -> dlasdq -> dbdsqr) returns the singular
// values of diag(variances): position p of the result is the variance index it
// came from. Distinct values come out in decreasing order; tied values are
// permuted by the three selection sorts those routines apply in turn, which a
// stable sort does not reproduce (for 5, 2, 2 position 2 holds index 3).
inline std::vector<int> lapack_diagonal_svd_order(const Eigen::VectorXd& variances) {
  const int d = static_cast<int>(variances.size());
  std::vector<double> s(variances.data(), variances.data() + d);
  std::vector<int> index(d);
  std::iota(index.begin(), index.end(), 0);
  auto swap = [&](int i, int j) {
    std::swap(s[i], s[j]);
    std::swap(index[i], index[j]);
  };
  // dbdsqr: the last smallest of s[0..m] moves to m, for m = d - 1, ..., 1
  for (int m = d - 1; m >= 1; --m) {
    int j = 0;
    for (int i = 1; i <= m; ++i)
      if (s[i] <= s[j]) j = i;
    if (j != m) swap(j, m);
  }
  // dlasdq: ascending, the first smallest of s[i..] moves to i
  for (int i = 0; i < d; ++i) {
    int j = i;
    for (int k = i + 1; k < d; ++k)
      if (s[k] < s[j]) j = k;
    if (j != i) swap(i, j);
  }
  // dbdsdc: descending, the first largest of s[i..] moves to i
  for (int i = 0; i + 1 < d; ++i) {
    int j = i;
    for (int k = i + 1; k < d; ++k)
      if (s[k] > s[j]) j = k;
    if (j != i) swap(i, j);
  }
  return index;
}

// Draws `size` rows from N(mean, diag(variances)) the way numpy's
// multivariate_normal does for a diagonal covariance: standard normals row by
// row, then z %*% (sqrt(s) * v) from the SVD of the covariance, where the p-th
// normal of a row feeds the column LAPACK put in position p. Only the product
// z * sqrt(s) is formed: the other terms of numpy's matrix product are exact
// zeros, so the result is bit for bit numpy's (checked for d <= 25, the range
// of LAPACK's path assumed above). `Rng` needs only `double normal()`.
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
  const std::vector<int> feeds = lapack_diagonal_svd_order(variances);
  Eigen::MatrixXd out(size, d);
  std::vector<double> z(d);
  for (int i = 0; i < size; ++i) {
    for (int j = 0; j < d; ++j) z[j] = rng.normal();
    for (int p = 0; p < d; ++p) {
      const int col = feeds[p];
      // numpy rounds the product before adding the mean; the volatile stops FMA fusion.
      volatile double scaled = z[p] * std::sqrt(variances[col]);
      out(i, col) = scaled + mean[col];
    }
  }
  return out;
}

// Blocks of rows from one stream, block k from N(means.col(k),
// diag(variances.col(k))): numpy's multivariate_normal called once per block,
// in order, after one seed.
template <class Rng>
Eigen::MatrixXd draw_normal_diagonal_blocks(Rng& rng, const std::vector<int>& sizes,
                                            const Eigen::MatrixXd& means,
                                            const Eigen::MatrixXd& variances) {
  int total = 0;
  for (int size : sizes) total += size;
  Eigen::MatrixXd out(total, means.rows());
  int row = 0;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    out.middleRows(row, sizes[k]) = draw_normal_diagonal(rng, sizes[k], means.col(k), variances.col(k));
    row += sizes[k];
  }
  return out;
}

// Draws `size` rows from N(mean, Sigma) for a symmetric positive definite
// Sigma through its Cholesky factor: x = mean + L z.
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
  const int d = static_cast<int>(mean1.size());
  Eigen::MatrixXd means(d, 2), variances(d, 2);
  means << mean1, mean2;
  variances.col(0).setConstant(var1);
  variances.col(1).setConstant(var2);
  return draw_normal_diagonal_blocks(rng, {n1, n2}, means, variances);
}

}  // namespace gmmem

#endif
