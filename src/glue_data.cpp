// R entry points for the data checks: finiteness, and each column's range, mean, variance and centred cross-products.
#include <RcppEigen.h>
#include <algorithm>
#include <cmath>

// For an n x d matrix X: per column min, max, mean and variance (divisor n,
// about the mean, so data far from 0 lose nothing), and with `gram` the d x d
// cross-products of the centred columns (what crossprod(scale(X, scale =
// FALSE)) gives). Two passes over the data: ranges and means, then the
// centred products, a block of rows at a time so that the block stays in cache
// while every pair of its columns is summed and no centred copy of X is made.
// [[Rcpp::export(rng = false)]]
Rcpp::List column_summary_cpp(Eigen::Map<Eigen::MatrixXd> X, bool gram) {
  const Eigen::Index n = X.rows(), d = X.cols();
  Eigen::VectorXd lo(d), hi(d), mean(d), var(d);
  for (Eigen::Index j = 0; j < d; ++j) {
    const auto x = X.col(j).array();
    lo[j] = x.minCoeff();
    hi[j] = x.maxCoeff();
    mean[j] = x.sum() / static_cast<double>(n);
  }
  Eigen::MatrixXd G = Eigen::MatrixXd::Zero(d, d);
  const Eigen::Index block = 2048;
  for (Eigen::Index first = 0; first < n; first += block) {
    const Eigen::Index m = std::min(block, n - first);
    for (Eigen::Index j = 0; j < d; ++j) {
      const auto cj = X.col(j).segment(first, m).array() - mean[j];
      if (!gram) {
        G(j, j) += cj.square().sum();
        continue;
      }
      for (Eigen::Index l = j; l < d; ++l) G(l, j) += (cj * (X.col(l).segment(first, m).array() - mean[l])).sum();
    }
  }
  for (Eigen::Index j = 0; j < d; ++j) var[j] = G(j, j) / static_cast<double>(n);
  Rcpp::List out = Rcpp::List::create(Rcpp::Named("min") = Rcpp::wrap(lo), Rcpp::Named("max") = Rcpp::wrap(hi),
                                      Rcpp::Named("mean") = Rcpp::wrap(mean), Rcpp::Named("var") = Rcpp::wrap(var));
  if (gram) {
    const Eigen::MatrixXd full = G.selfadjointView<Eigen::Lower>();
    out["gram"] = Rcpp::wrap(full);
  }
  return out;
}

// Whether every value of a double vector (or matrix) is finite, without the
// logical copy that any(!is.finite(x)) makes.
// [[Rcpp::export(rng = false)]]
bool all_finite_cpp(Rcpp::NumericVector x) {
  return std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
}
