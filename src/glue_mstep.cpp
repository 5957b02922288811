// R entry points for the covariance structures alone: one M-step from given responsibilities, and df.
#include <RcppEigen.h>
#include <gmmem/covariance_models.h>
#include <vector>
#include "glue_models.h"

// The M-step from responsibilities z (n x K): pi, mu (d x K) and Sigma
// (d x d x K) under `model`, the iterative structures started cold (from the
// identity, as mclust's mstep) and iterated to `inner_tol` or `inner_max_iter`.
// A component with no weight gets NA parameters.
// [[Rcpp::export(rng = false)]]
Rcpp::List mstep_cpp(Eigen::Map<Eigen::MatrixXd> X, Eigen::Map<Eigen::MatrixXd> z, std::string model,
                     double reg_covar, double inner_tol = 1e-10, int inner_max_iter = 100) {
  const int n = static_cast<int>(X.rows()), d = static_cast<int>(X.cols()), K = static_cast<int>(z.cols());
  if (z.rows() != n) Rcpp::stop("`z` must have one row per row of `X`.");
  const gmmem::CovarianceModel structure = covariance_model_from_r(model, d);
  Eigen::VectorXd weights = z.colwise().sum().transpose();
  Eigen::MatrixXd mu = Eigen::MatrixXd::Constant(d, K, NA_REAL);
  std::vector<Eigen::MatrixXd> S(K);
  for (int k = 0; k < K; ++k) {
    if (!(weights[k] > 0.0)) {
      weights[k] = 0.0;
      continue;
    }
    mu.col(k) = X.transpose() * z.col(k) / weights[k];
    // two passes (mean, then moments about it) so that data far from 0 lose nothing
    const Eigen::MatrixXd centred = X.rowwise() - mu.col(k).transpose();
    S[k] = centred.transpose() * z.col(k).asDiagonal() * centred / weights[k];
  }
  gmmem::InnerControl inner;
  inner.tol = inner_tol;
  inner.max_iter = inner_max_iter;
  std::vector<Eigen::MatrixXd> Sigma;
  const int iterations = gmmem::fit_covariances(structure, weights, S, Sigma, reg_covar, inner, false);

  Rcpp::NumericVector Sigma_out(static_cast<R_xlen_t>(d) * d * K, NA_REAL);
  for (int k = 0; k < K; ++k) {
    if (weights[k] > 0.0) std::copy(Sigma[k].data(), Sigma[k].data() + d * d, Sigma_out.begin() + static_cast<R_xlen_t>(k) * d * d);
  }
  Sigma_out.attr("dim") = Rcpp::IntegerVector::create(d, d, K);
  return Rcpp::List::create(Rcpp::Named("pi") = Rcpp::wrap(Eigen::VectorXd(weights / n)),
                            Rcpp::Named("mu") = Rcpp::wrap(mu), Rcpp::Named("Sigma") = Sigma_out,
                            Rcpp::Named("inner_iterations") = iterations);
}

// Free covariance parameters of `model` for d dimensions and K components.
// [[Rcpp::export(rng = false)]]
int covariance_df_cpp(std::string model, int d, int K) {
  return gmmem::covariance_df(covariance_model_from_r(model, d), d, K);
}
