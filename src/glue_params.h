// Parameters and core errors between R and the core, shared by the glue files.
#ifndef GMMEM_GLUE_PARAMS_H
#define GMMEM_GLUE_PARAMS_H

#include <RcppEigen.h>
#include <gmmem/types.h>

// pi (K), mu (d x K) and Sigma (d x d x K, column-major) as the core's Params.
inline gmmem::Params params_from_r(const Eigen::VectorXd& pi, const Eigen::MatrixXd& mu,
                                   const Rcpp::NumericVector& Sigma) {
  gmmem::Params theta;
  theta.pi = pi;
  theta.mu = mu;
  const int d = static_cast<int>(mu.rows()), K = static_cast<int>(mu.cols());
  for (int k = 0; k < K; ++k) {
    theta.Sigma.push_back(Eigen::Map<const Eigen::MatrixXd>(Sigma.begin() + static_cast<std::ptrdiff_t>(k) * d * d, d, d));
  }
  return theta;
}

// The core's error as plain fields (1-based, NA for none); R words the message.
inline Rcpp::List em_error_to_r(const gmmem::em_error& e) {
  auto one_based = [](int i) { return i >= 0 ? i + 1 : NA_INTEGER; };
  return Rcpp::List::create(Rcpp::Named("kind") = gmmem::failure_name(e.kind()),
                            Rcpp::Named("iteration") = e.iteration(),
                            Rcpp::Named("component") = one_based(e.component()),
                            Rcpp::Named("observation") = one_based(e.observation()));
}

#endif
