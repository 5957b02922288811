// R entry points for EM: map R's vectors, call the core, return plain named lists.
#include <RcppEigen.h>
#include <gmmem/em.h>
#include <algorithm>
#include <vector>
#include "r_adapters.h"
#include "glue_models.h"
#include "glue_params.h"

namespace {

// The kept matrices as one n x K x kept array named by iteration. Each matrix
// is freed once copied, so the peak is the array plus one matrix.
Rcpp::NumericVector kept_array(gmmem::KeptResponsibilities& sink, int n, int K) {
  const std::vector<int>& iterations = sink.iterations();
  std::deque<Eigen::MatrixXd>& matrices = sink.matrices();
  const R_xlen_t stride = static_cast<R_xlen_t>(n) * K;
  Rcpp::NumericVector out(stride * static_cast<R_xlen_t>(iterations.size()));
  for (std::size_t j = 0; j < iterations.size(); ++j) {
    std::copy(matrices.front().data(), matrices.front().data() + stride, out.begin() + stride * j);
    matrices.pop_front();
  }
  out.attr("dim") = Rcpp::IntegerVector::create(n, K, static_cast<int>(iterations.size()));
  Rcpp::CharacterVector names(iterations.size());
  for (std::size_t j = 0; j < iterations.size(); ++j) names[j] = std::to_string(iterations[j]);
  out.attr("dimnames") = Rcpp::List::create(R_NilValue, R_NilValue, names);
  return out;
}

}  // namespace

// EM from the given start, with case weights when `weights` is not empty. Returns the whole trace as arrays, or list(error = ...)
// when a step cannot go on, so that R raises a classed error naming the iteration.
// Kept responsibilities: every iteration (keep_all), those in keep_iterations, and
// with keep_budget >= 0 every iteration while that many bytes last, the path of
// each iteration run costing path_bytes (see gmmem::KeptResponsibilities); the
// last iteration's always. `model` is the
// covariance structure, by mclust's name.
// [[Rcpp::export(rng = false)]]
Rcpp::List em_fit_cpp(Eigen::Map<Eigen::MatrixXd> X, Eigen::VectorXd pi, Eigen::MatrixXd mu,
                      Rcpp::NumericVector Sigma, int max_iter, double tol, double reg_covar,
                      bool keep_all, std::vector<int> keep_iterations, double keep_budget, double path_bytes,
                      int threads, std::string model, Rcpp::NumericVector weights) {
  gmmem::Control control;
  control.model = covariance_model_from_r(model, static_cast<int>(X.cols()));
  control.max_iter = max_iter;
  control.tol = tol;
  control.reg_covar = reg_covar;
  control.threads = threads;
  control.keep.all = keep_all;
  control.keep.iterations = keep_iterations;
  const int n = static_cast<int>(X.rows()), d = static_cast<int>(X.cols()), K = static_cast<int>(pi.size());
  control.keep.budget = keep_budget;
  control.keep.matrix_bytes = 8.0 * n * K;
  control.keep.path_bytes = path_bytes;
  gmmem::KeptResponsibilities sink(n, K, control.keep);

  gmmem::Trace trace;
  try {
    gmmem::EmRunner runner(X.data(), n, d, control, weights.size() > 0 ? weights.begin() : nullptr);
    trace = runner.run(params_from_r(pi, mu, Sigma), RInterrupt(), sink);
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
  trace.params.clear();
  trace.params.shrink_to_fit();
  mu_out.attr("dim") = Rcpp::IntegerVector::create(d, K, T + 1);
  Sigma_out.attr("dim") = Rcpp::IntegerVector::create(d, d, K, T + 1);

  return Rcpp::List::create(
      Rcpp::Named("pi") = pi_out, Rcpp::Named("mu") = mu_out, Rcpp::Named("Sigma") = Sigma_out,
      Rcpp::Named("loglik") = Rcpp::wrap(trace.loglik), Rcpp::Named("resp") = kept_array(sink, n, K),
      Rcpp::Named("n_iter") = T, Rcpp::Named("converged") = trace.converged,
      Rcpp::Named("decreases") = trace.decreases,
      Rcpp::Named("largest_decrease") = trace.largest_decrease);
}

// The E-step alone: responsibilities (n x K) and log-likelihood of given parameters.
// [[Rcpp::export(rng = false)]]
Rcpp::List em_estep_cpp(Eigen::Map<Eigen::MatrixXd> X, Eigen::VectorXd pi, Eigen::MatrixXd mu,
                        Rcpp::NumericVector Sigma, int threads) {
  gmmem::Control control;
  control.threads = threads;
  const int n = static_cast<int>(X.rows()), K = static_cast<int>(pi.size());
  gmmem::EmRunner runner(X.data(), n, static_cast<int>(X.cols()), control);
  Rcpp::NumericMatrix resp(n, K);
  double loglik = 0.0;
  try {
    loglik = runner.responsibilities(params_from_r(pi, mu, Sigma), resp.begin());
  } catch (const gmmem::em_error& e) {
    return Rcpp::List::create(Rcpp::Named("error") = em_error_to_r(e));
  }
  return Rcpp::List::create(Rcpp::Named("resp") = resp, Rcpp::Named("loglik") = loglik);
}

// The core's positive-definiteness test, so that R checks a given covariance
// exactly as EM will.
// [[Rcpp::export(rng = false)]]
bool is_positive_definite_cpp(Eigen::Map<Eigen::MatrixXd> Sigma) {
  return gmmem::is_positive_definite(Sigma);
}
