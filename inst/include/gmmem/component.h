// A Gaussian component prepared for the E-step: its log normaliser and inverse Cholesky factor.
#ifndef GMMEM_COMPONENT_H
#define GMMEM_COMPONENT_H

#include <Eigen/Dense>
#include <cmath>
#include <limits>

namespace gmmem {

struct PreparedComponent {
  // log pi_k - d/2 log(2 pi) - 1/2 log |Sigma_k|; -inf for a component that has dropped out (pi_k = 0)
  double log_weight_norm = 0.0;
  // L^{-1} for Sigma = L L^T, so (x - mu)^T Sigma^{-1} (x - mu) = |L^{-1} (x - mu)|^2.
  Eigen::MatrixXd chol_inverse;
};

// The numerical positive-definiteness test, relative to each variable's own
// scale. For Sigma = L L^T, L_jj^2 / Sigma_jj is the j-th squared pivot of the
// correlation form D^-1/2 Sigma D^-1/2 (D = diag(Sigma)): rescaling a variable
// leaves it unchanged, so units never decide whether a fit can go on. A pivot
// at or below d * epsilon means the variable is, to rounding, a linear
// combination of the ones before it.
inline bool pivots_are_positive(const Eigen::MatrixXd& Sigma, const Eigen::MatrixXd& L) {
  const int d = static_cast<int>(Sigma.rows());
  const double floor = d * std::numeric_limits<double>::epsilon();
  for (int j = 0; j < d; ++j) {
    const double variance = Sigma(j, j);
    if (!(variance > 0.0) || !std::isfinite(variance)) return false;
    const double pivot = L(j, j);
    // pivot / sqrt(variance) rather than pivot^2 / variance: the squares of
    // tiny or huge scales leave double's range
    const double relative = pivot / std::sqrt(variance);
    if (!(relative * relative > floor)) return false;
  }
  return true;
}

// The lower Cholesky factor L of Sigma into `L` when Sigma is numerically
// positive definite; false otherwise.
inline bool positive_definite_factor(const Eigen::MatrixXd& Sigma, Eigen::MatrixXd& L) {
  if (!Sigma.allFinite()) return false;
  Eigen::LLT<Eigen::MatrixXd> llt(Sigma);
  if (llt.info() != Eigen::Success) return false;
  L = llt.matrixL();
  return pivots_are_positive(Sigma, L);
}

// Whether Sigma is numerically positive definite (the test prepare_component() applies).
inline bool is_positive_definite(const Eigen::MatrixXd& Sigma) {
  Eigen::MatrixXd L;
  return positive_definite_factor(Sigma, L);
}

// Returns false when Sigma is not numerically positive definite.
inline bool prepare_component(double weight, const Eigen::MatrixXd& Sigma,
                              PreparedComponent& out) {
  const int d = static_cast<int>(Sigma.rows());
  Eigen::MatrixXd L;
  if (!positive_definite_factor(Sigma, L)) return false;
  double log_det = 0.0;
  for (int j = 0; j < d; ++j) log_det += 2.0 * std::log(L(j, j));
  const double log_2pi = std::log(2.0 * 3.14159265358979323846);
  out.log_weight_norm = std::log(weight) - 0.5 * d * log_2pi - 0.5 * log_det;
  out.chol_inverse = L.triangularView<Eigen::Lower>().solve(Eigen::MatrixXd::Identity(d, d));
  return true;
}

}  // namespace gmmem

#endif
