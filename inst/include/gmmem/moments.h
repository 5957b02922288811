// What a set of rows contributes to EM for one set of parameters, and the exact merge of two such sets.
#ifndef GMMEM_MOMENTS_H
#define GMMEM_MOMENTS_H

#include <Eigen/Dense>

namespace gmmem {

// The E-step of one set of parameters over some rows, reduced to what the
// M-step and the log-likelihood need. Per component k, with weights
// w_i r_ik (case weight times responsibility):
//   weight[k]  N_k = sum_i w_i r_ik
//   offset     the weighted mean of x_i - c_k, c_k the reference (the
//              component's current mean): small, so it keeps its digits for
//              data far from 0
//   scatter    sum_i w_i r_ik (x_i - m_k)(x_i - m_k)^T about the rows' own
//              weighted mean m_k = c_k + offset_k, so no variance is ever
//              found as a difference of large second moments, however far
//              the mean moves in one step
// Two sets of rows merge exactly (Chan, Golub & LeVeque's pairwise update), so
// the rows may be cut into chunks of any size and merged in any order.
struct ChunkSums {
  double loglik = 0.0;        // sum_i w_i log sum_k pi_k N(x_i | k)
  double rows = 0.0;          // rows seen
  double total_weight = 0.0;  // sum_i w_i (= rows without case weights)
  Eigen::VectorXd weight;     // K
  Eigen::MatrixXd offset;     // d x K
  Eigen::MatrixXd scatter;    // (d*d) x K, column-major d x d; entries l >= j of column j filled
  int bad_row = -1;           // first row whose density is not finite, if any

  // Sizes the sums (outside any parallel region: this may allocate).
  void allocate(int d, int k) {
    if (weight.size() == k && offset.rows() == d) return;
    weight.resize(k);
    offset.resize(d, k);
    scatter.resize(d * d, k);
  }
  // Zeroes the sums; never allocates, so it is safe inside the parallel region.
  void clear() {
    loglik = 0.0;
    rows = 0.0;
    total_weight = 0.0;
    weight.setZero();
    offset.setZero();
    scatter.setZero();
    bad_row = -1;
  }
};

// Adds the rows of `b` to `a` (both about the same references). Only the
// entries l >= j are merged, and only the diagonal when `variances_only`
// (the structures that read nothing else).
inline void merge_sums(ChunkSums& a, const ChunkSums& b, bool variances_only) {
  a.loglik += b.loglik;
  a.rows += b.rows;
  a.total_weight += b.total_weight;
  const int d = static_cast<int>(a.offset.rows());
  for (int k = 0; k < a.weight.size(); ++k) {
    const double wa = a.weight[k], wb = b.weight[k];
    if (!(wb > 0.0)) continue;
    if (!(wa > 0.0)) {
      a.weight[k] = wb;
      a.offset.col(k) = b.offset.col(k);
      a.scatter.col(k) = b.scatter.col(k);
      continue;
    }
    const double w = wa + wb;
    const double between = wa * (wb / w);
    // element by element: this runs once per chunk, and must not allocate
    for (int j = 0; j < d; ++j) {
      const double delta_j = b.offset(j, k) - a.offset(j, k);
      const int last = variances_only ? j + 1 : d;
      for (int l = j; l < last; ++l) {
        const double delta_l = b.offset(l, k) - a.offset(l, k);
        a.scatter(j * d + l, k) += b.scatter(j * d + l, k) + between * delta_j * delta_l;
      }
    }
    for (int j = 0; j < d; ++j) a.offset(j, k) += (wb / w) * (b.offset(j, k) - a.offset(j, k));
    a.weight[k] = w;
  }
}

}  // namespace gmmem

#endif
