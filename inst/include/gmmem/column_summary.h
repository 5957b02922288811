// Each column's range, mean and variance, and the centred cross-products: what the data checks read, in two passes.
#ifndef GMMEM_COLUMN_SUMMARY_H
#define GMMEM_COLUMN_SUMMARY_H

#include <Eigen/Dense>
#include <algorithm>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace gmmem {

// For an n x d column-major matrix: per column min, max, mean and variance
// (divisor n, about the mean, so data far from 0 lose nothing), and with
// `gram` every centred cross-product sum_i (x_ij - mean_j)(x_il - mean_l)
// (entries l >= j of column j; without it only the diagonal). Two passes
// over fixed blocks of rows, the threads taking blocks and the blocks' sums
// added in order, so the result does not depend on the number of threads;
// each block's columns are read once from memory in a pass and summed with
// unaligned packet loads, so it does not depend on where the data lie either.
struct ColumnSummary {
  Eigen::VectorXd lo, hi, mean, var;
  Eigen::MatrixXd gram;  // d x d, lower triangle (the diagonal alone without `gram`)
};

namespace column_detail {

using Packet = Eigen::internal::packet_traits<double>::type;
constexpr int width = Eigen::internal::unpacket_traits<Packet>::size;
constexpr int block_rows = 2048;

// min, max and sum of x[0..m), m >= 1, in one read
inline void range_and_sum(const double* x, int m, double& lo, double& hi, double& sum) {
  using namespace Eigen::internal;
  int i = 0;
  lo = hi = x[0];
  sum = 0.0;
  if (m >= width) {
    Packet pl = ploadu<Packet>(x), ph = pl, ps = pset1<Packet>(0.0);
    for (; i + width <= m; i += width) {
      const Packet v = ploadu<Packet>(x + i);
      pl = pmin(pl, v);
      ph = pmax(ph, v);
      ps = padd(ps, v);
    }
    lo = predux_min(pl);
    hi = predux_max(ph);
    sum = predux(ps);
  }
  for (; i < m; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
    sum += x[i];
  }
}

// sum_i (x_i - mx)(y_i - my) over i < m
inline double centred_products(const double* x, const double* y, int m, double mx, double my) {
  using namespace Eigen::internal;
  int i = 0;
  double sum = 0.0;
  if (m >= width) {
    const Packet px = pset1<Packet>(mx), py = pset1<Packet>(my);
    Packet ps = pset1<Packet>(0.0);
    for (; i + width <= m; i += width) {
      ps = pmadd(psub(ploadu<Packet>(x + i), px), psub(ploadu<Packet>(y + i), py), ps);
    }
    sum = predux(ps);
  }
  for (; i < m; ++i) sum += (x[i] - mx) * (y[i] - my);
  return sum;
}

}  // namespace column_detail

inline ColumnSummary column_summary(const double* X, int n, int d, bool gram, int threads,
                                    int min_rows_per_thread = 8192) {
  using namespace column_detail;
  ColumnSummary out;
  out.lo.resize(d);
  out.hi.resize(d);
  out.mean.setZero(d);
  out.var.resize(d);
  out.gram.setZero(d, d);
  if (n < 1) return out;
  const int n_blocks = (n + block_rows - 1) / block_rows;
  threads = std::max(1, std::min(threads, n / std::max(1, min_rows_per_thread)));
  // every block's partial results, allocated before the parallel regions
  Eigen::MatrixXd lo(d, n_blocks), hi(d, n_blocks), sums(d, n_blocks), products(d * d, n_blocks);
  auto x = [&](int j, int first) { return X + static_cast<std::ptrdiff_t>(j) * n + first; };
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(static)
#endif
  for (int b = 0; b < n_blocks; ++b) {
    const int first = b * block_rows, m = std::min(block_rows, n - first);
    for (int j = 0; j < d; ++j) range_and_sum(x(j, first), m, lo(j, b), hi(j, b), sums(j, b));
  }
  for (int j = 0; j < d; ++j) {
    out.lo[j] = lo.row(j).minCoeff();
    out.hi[j] = hi.row(j).maxCoeff();
    double total = 0.0;
    for (int b = 0; b < n_blocks; ++b) total += sums(j, b);
    out.mean[j] = total / n;
  }
  const Eigen::VectorXd mean = out.mean;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(static)
#endif
  for (int b = 0; b < n_blocks; ++b) {
    const int first = b * block_rows, m = std::min(block_rows, n - first);
    for (int j = 0; j < d; ++j) {
      const int last = gram ? d : j + 1;
      for (int l = j; l < last; ++l) {
        products(j * d + l, b) = centred_products(x(j, first), x(l, first), m, mean[j], mean[l]);
      }
    }
  }
  for (int j = 0; j < d; ++j) {
    const int last = gram ? d : j + 1;
    for (int l = j; l < last; ++l) {
      double total = 0.0;
      for (int b = 0; b < n_blocks; ++b) total += products(j * d + l, b);
      out.gram(l, j) = total;
    }
    out.var[j] = out.gram(j, j) / n;
  }
  return out;
}

}  // namespace gmmem

#endif
