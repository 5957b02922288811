// R entry points for the data checks: finiteness, and each column's range, mean, variance and centred cross-products.
#include <RcppEigen.h>
#include <algorithm>
#include <cmath>
#include <string>
#include "glue_kernel.h"

// For an n x d matrix X: per column min, max, mean and variance (divisor n,
// about the mean), and with `gram` the d x d cross-products of the centred
// columns (what crossprod(scale(X, scale = FALSE)) gives), from the chosen
// kernel on up to `threads` threads (gmmem::column_summary(): two passes, no
// centred copy of X, the same result whatever the number of threads).
// [[Rcpp::export(rng = false)]]
Rcpp::List column_summary_cpp(Eigen::Map<Eigen::MatrixXd> X, bool gram, int threads = 1, std::string kernel = "auto") {
  const int n = static_cast<int>(X.rows()), d = static_cast<int>(X.cols());
  Eigen::VectorXd lo(d), hi(d), mean(d), var(d);
  Eigen::MatrixXd G(d, d);
  kernel_for(kernel).column_summary(X.data(), n, d, gram, threads, lo.data(), hi.data(), mean.data(), var.data(),
                                    G.data());
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
