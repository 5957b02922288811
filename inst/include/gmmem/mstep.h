// The M-step from merged ChunkSums: the next parameters under a covariance structure.
#ifndef GMMEM_MSTEP_H
#define GMMEM_MSTEP_H

#include <Eigen/Dense>
#include <limits>
#include <vector>

#include "covariance_models.h"
#include "moments.h"
#include "types.h"

namespace gmmem {

// theta_t from the sums of r_t, taken about the means of `before` (theta_{t-1}),
// whose covariances also warm-start the iterative structures. Weights are
// N_k / sum_i w_i. The same step whether the sums came from one pass over data
// in memory or were merged from chunks read anywhere.
inline Params mstep_from_sums(const ChunkSums& sums, const Params& before, const Control& control,
                              int iteration) {
  const int K = before.k();
  const int d = before.d();
  Params next;
  next.pi.resize(K);
  next.mu.resize(d, K);
  next.Sigma = before.Sigma;  // the previous covariances: kept when dropped, warm start otherwise
  Eigen::VectorXd weights = Eigen::VectorXd::Zero(K);  // 0 marks a dropped component
  std::vector<Eigen::MatrixXd> scatter(K);  // W_k / n_k about the new mean
  for (int k = 0; k < K; ++k) {
    const double weight = sums.weight[k];
    // A subnormal weight is as good as none: its moments keep no significant digit.
    // A component that had already dropped out (pi = 0, say from a restart)
    // stays out whatever reg_covar is.
    if (!(weight >= std::numeric_limits<double>::min())) {
      if (control.reg_covar > 0.0 || before.pi[k] == 0.0) {
        // An empty component is kept where it was, with no weight: it takes
        // no further part, and the other components fit the data.
        next.pi[k] = 0.0;
        next.mu.col(k) = before.mu.col(k);
        continue;
      }
      throw em_error(Failure::empty_component, iteration, k);
    }
    next.pi[k] = weight / sums.total_weight;
    weights[k] = weight;
    next.mu.col(k) = before.mu.col(k) + sums.offset.col(k);
    Eigen::MatrixXd& S = scatter[k];
    S.resize(d, d);
    for (int j = 0; j < d; ++j) {
      for (int l = j; l < d; ++l) {
        S(j, l) = sums.scatter(j * d + l, k) / weight;
        S(l, j) = S(j, l);
      }
    }
  }
  fit_covariances(control.model, weights, scatter, next.Sigma, control.reg_covar, control.model_inner, true);
  for (int k = 0; k < K; ++k) {
    if (weights[k] == 0.0) continue;
    const Eigen::MatrixXd& S = next.Sigma[k];
    if (!S.allFinite() || !next.mu.col(k).allFinite()) {
      throw em_error(Failure::nonfinite_parameters, iteration, k);
    }
  }
  return next;
}

}  // namespace gmmem

#endif
