// R entry points for EM: map R's vectors, call the core, return plain named lists.
#include <RcppEigen.h>
#include <gmmem/em.h>
#include <algorithm>
#include <vector>
#include "r_adapters.h"

namespace {

// pi (K), mu (d x K) and Sigma (d x d x K, column-major) as the core's Params.
gmmem::Params params_from_r(const Eigen::VectorXd& pi, const Eigen::MatrixXd& mu,
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

Rcpp::List em_error_to_r(const gmmem::em_error& e) {
  return Rcpp::List::create(Rcpp::Named("message") = e.what(),
                            Rcpp::Named("iteration") = e.iteration(),
                            Rcpp::Named("component") = e.component() > 0 ? Rcpp::wrap(e.component())
                                                                         : Rcpp::wrap(NA_INTEGER));
}

}  // namespace

// EM from the given start. Returns the whole trace as arrays, or list(error = ...)
// when a step cannot go on, so that R raises a classed error naming the iteration.
// [[Rcpp::export]]
Rcpp::List em_fit_cpp(Eigen::Map<Eigen::MatrixXd> X, Eigen::VectorXd pi, Eigen::MatrixXd mu,
                      Rcpp::NumericVector Sigma, int max_iter, double tol, double reg_covar,
                      std::vector<int> keep, bool keep_last, int threads) {
  gmmem::Control control;
  control.max_iter = max_iter;
  control.tol = tol;
  control.reg_covar = reg_covar;
  std::sort(keep.begin(), keep.end());
  control.keep = keep;
  control.keep_last = keep_last;
  control.threads = threads;
  const int n = static_cast<int>(X.rows()), d = static_cast<int>(X.cols()), K = static_cast<int>(pi.size());

  gmmem::Trace trace;
  try {
    trace = gmmem::fit_em(X.data(), n, d, params_from_r(pi, mu, Sigma), control, RInterrupt());
  } catch (const gmmem::em_error& e) {
    return Rcpp::List::create(Rcpp::Named("error") = em_error_to_r(e));
  }

  const int T = trace.n_iter;
  Rcpp::NumericMatrix pi_out(K, T + 1);
  Rcpp::NumericVector mu_out(static_cast<R_xlen_t>(d) * K * (T + 1));
  Rcpp::NumericVector Sigma_out(static_cast<R_xlen_t>(d) * d * K * (T + 1));
  for (int t = 0; t <= T; ++t) {
    const gmmem::Params& theta = trace.params[t];
    std::copy(theta.pi.data(), theta.pi.data() + K, pi_out.begin() + static_cast<R_xlen_t>(t) * K);
    std::copy(theta.mu.data(), theta.mu.data() + d * K, mu_out.begin() + static_cast<R_xlen_t>(t) * d * K);
    for (int k = 0; k < K; ++k) {
      std::copy(theta.Sigma[k].data(), theta.Sigma[k].data() + d * d,
                Sigma_out.begin() + (static_cast<R_xlen_t>(t) * K + k) * d * d);
    }
  }
  mu_out.attr("dim") = Rcpp::IntegerVector::create(d, K, T + 1);
  Sigma_out.attr("dim") = Rcpp::IntegerVector::create(d, d, K, T + 1);

  const int kept = static_cast<int>(trace.resp.size());
  Rcpp::NumericVector resp_out(static_cast<R_xlen_t>(n) * K * kept);
  for (int j = 0; j < kept; ++j) {
    std::copy(trace.resp[j].data(), trace.resp[j].data() + static_cast<R_xlen_t>(n) * K,
              resp_out.begin() + static_cast<R_xlen_t>(j) * n * K);
  }
  resp_out.attr("dim") = Rcpp::IntegerVector::create(n, K, kept);

  return Rcpp::List::create(
      Rcpp::Named("pi") = pi_out, Rcpp::Named("mu") = mu_out, Rcpp::Named("Sigma") = Sigma_out,
      Rcpp::Named("loglik") = Rcpp::wrap(trace.loglik), Rcpp::Named("resp") = resp_out,
      Rcpp::Named("resp_iteration") = Rcpp::wrap(trace.resp_iteration),
      Rcpp::Named("n_iter") = T, Rcpp::Named("converged") = trace.converged,
      Rcpp::Named("decreases") = trace.decreases,
      Rcpp::Named("largest_decrease") = trace.largest_decrease);
}

// The E-step alone: responsibilities (n x K) and log-likelihood of given parameters.
// [[Rcpp::export]]
Rcpp::List em_estep_cpp(Eigen::Map<Eigen::MatrixXd> X, Eigen::VectorXd pi, Eigen::MatrixXd mu,
                        Rcpp::NumericVector Sigma, int threads) {
  gmmem::Control control;
  control.threads = threads;
  gmmem::EmRunner runner(X.data(), static_cast<int>(X.rows()), static_cast<int>(X.cols()), control);
  double loglik = 0.0;
  Eigen::MatrixXd resp;
  try {
    resp = runner.responsibilities(params_from_r(pi, mu, Sigma), &loglik);
  } catch (const gmmem::em_error& e) {
    return Rcpp::List::create(Rcpp::Named("error") = em_error_to_r(e));
  }
  return Rcpp::List::create(Rcpp::Named("resp") = resp, Rcpp::Named("loglik") = loglik);
}
