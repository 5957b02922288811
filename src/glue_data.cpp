// R entry points for the data checks: finiteness, and each column's range, mean, variance and centred cross-products.
#include <RcppEigen.h>
#include <algorithm>
#include <cmath>

// For an n x d matrix X: per column min, max, mean and variance (divisor n,
// about the mean, so data far from 0 lose nothing), and with `gram` the d x d
// cross-products of the centred columns (what crossprod(scale(X, scale =
// FALSE)) gives), made in blocks of rows so that no centred copy of X is made.
// [[Rcpp::export(rng = false)]]
Rcpp::List column_summary_cpp(Eigen::Map<Eigen::MatrixXd> X, bool gram) {
  const Eigen::Index n = X.rows(), d = X.cols();
  const Eigen::VectorXd mean = X.colwise().mean().transpose();
  Eigen::VectorXd lo(d), hi(d), var(d);
  for (Eigen::Index j = 0; j < d; ++j) {
    lo[j] = X.col(j).minCoeff();
    hi[j] = X.col(j).maxCoeff();
    var[j] = (X.col(j).array() - mean[j]).square().sum() / static_cast<double>(n);
  }
  Rcpp::List out = Rcpp::List::create(Rcpp::Named("min") = Rcpp::wrap(lo), Rcpp::Named("max") = Rcpp::wrap(hi),
                                      Rcpp::Named("mean") = Rcpp::wrap(mean), Rcpp::Named("var") = Rcpp::wrap(var));
  if (gram) {
    const Eigen::Index block = 4096;
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(d, d);
    Eigen::MatrixXd centred(std::min(block, n), d);
    for (Eigen::Index first = 0; first < n; first += block) {
      const Eigen::Index m = std::min(block, n - first);
      centred.topRows(m) = X.middleRows(first, m).rowwise() - mean.transpose();
      G.selfadjointView<Eigen::Lower>().rankUpdate(centred.topRows(m).transpose());
    }
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
