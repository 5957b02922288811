// A Gaussian component prepared for the E-step: its log normaliser and inverse Cholesky factor.
#ifndef GMMEM_COMPONENT_H
#define GMMEM_COMPONENT_H

#include <Eigen/Dense>
#include <cmath>
#include <limits>

namespace gmmem {

struct PreparedComponent {
  // log pi_k - d/2 log(2 pi) - 1/2 log |Sigma_k|
  double log_weight_norm = 0.0;
  // L^{-1} for Sigma = L L^T, so (x - mu)^T Sigma^{-1} (x - mu) = |L^{-1} (x - mu)|^2.
  Eigen::MatrixXd chol_inverse;
};

// Returns false when Sigma is not numerically positive definite: the Cholesky
// factor fails, or a pivot is so small relative to the largest variance that
// its inverse is rounding noise (the same idea as mclust's rcond test).
inline bool prepare_component(double weight, const Eigen::MatrixXd& Sigma,
                              PreparedComponent& out) {
  const int d = static_cast<int>(Sigma.rows());
  if (!Sigma.allFinite()) return false;
  Eigen::LLT<Eigen::MatrixXd> llt(Sigma);
  if (llt.info() != Eigen::Success) return false;
  const Eigen::MatrixXd L = llt.matrixL();
  const double largest = Sigma.diagonal().maxCoeff();
  const double floor = largest * d * std::numeric_limits<double>::epsilon();
  double log_det = 0.0;
  for (int j = 0; j < d; ++j) {
    const double pivot = L(j, j);
    if (!(pivot * pivot > floor)) return false;
    log_det += 2.0 * std::log(pivot);
  }
  const double log_2pi = std::log(2.0 * 3.14159265358979323846);
  out.log_weight_norm = std::log(weight) - 0.5 * d * log_2pi - 0.5 * log_det;
  out.chol_inverse = L.triangularView<Eigen::Lower>().solve(Eigen::MatrixXd::Identity(d, d));
  return true;
}

}  // namespace gmmem

#endif
