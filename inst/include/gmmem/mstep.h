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

namespace mstep_detail {

// A subnormal weight is as good as none: its moments keep no significant digit.
inline bool is_empty(double weight) { return !(weight >= std::numeric_limits<double>::min()); }

// An empty component is kept where it was, with no weight: it takes no further
// part, and the other components fit the data. Without reg_covar that is an
// error, unless the component had already dropped out (pi = 0, say from a
// restart): it then stays out whatever reg_covar is.
inline void drop_component(const Params& before, int k, const Control& control, int iteration, Params& next) {
  if (!(control.reg_covar > 0.0 || before.pi[k] == 0.0)) throw em_error(Failure::empty_component, iteration, k);
  next.pi[k] = 0.0;
  next.mu.col(k) = before.mu.col(k);
}

// pi_k, mu_k and W_k / N_k (about the new mean) from the merged sums.
inline void mean_and_scatter(const ChunkSums& sums, const Params& before, int k, Params& next, Eigen::MatrixXd& S) {
  const int d = before.d();
  const double weight = sums.weight[k];
  next.pi[k] = weight / sums.total_weight;
  next.mu.col(k) = before.mu.col(k) + sums.offset.col(k);
  S.resize(d, d);
  for (int j = 0; j < d; ++j) {
    for (int l = j; l < d; ++l) {
      S(j, l) = sums.scatter(j * d + l, k) / weight;
      S(l, j) = S(j, l);
    }
  }
}

inline void check_finite(const Params& next, const Eigen::VectorXd& weights, int iteration) {
  for (int k = 0; k < next.k(); ++k) {
    if (weights[k] == 0.0) continue;
    if (!next.Sigma[k].allFinite() || !next.mu.col(k).allFinite()) {
      throw em_error(Failure::nonfinite_parameters, iteration, k);
    }
  }
}

}  // namespace mstep_detail

// theta_t from the sums of r_t, taken about the means of `before` (theta_{t-1}),
// whose covariances also warm-start the iterative structures. Weights are
// N_k / sum_i w_i. The same step whether the sums came from one pass over data
// in memory or were merged from chunks read anywhere. In steps: the empty
// components' rule, each weight, mean and scatter, the structure and ridge
// (fit_covariances), then the check that every number is finite.
inline Params mstep_from_sums(const ChunkSums& sums, const Params& before, const Control& control,
                              int iteration) {
  const int K = before.k();
  Params next;
  next.pi.resize(K);
  next.mu.resize(before.d(), K);
  next.Sigma = before.Sigma;  // the previous covariances: kept when dropped, warm start otherwise
  Eigen::VectorXd weights = Eigen::VectorXd::Zero(K);  // 0 marks a dropped component
  std::vector<Eigen::MatrixXd> scatter(K);  // W_k / N_k about the new mean
  for (int k = 0; k < K; ++k) {
    if (mstep_detail::is_empty(sums.weight[k])) {
      mstep_detail::drop_component(before, k, control, iteration, next);
      continue;
    }
    weights[k] = sums.weight[k];
    mstep_detail::mean_and_scatter(sums, before, k, next, scatter[k]);
  }
  fit_covariances(control.model, weights, scatter, next.Sigma, control.reg_covar, control.model_inner, true);
  mstep_detail::check_finite(next, weights, iteration);
  return next;
}

}  // namespace gmmem

#endif
