// R entry points for EM: map R's vectors, call the core, return plain named lists.
#include <RcppEigen.h>
#include <gmmem/em.h>
#include <algorithm>
#include <map>
#include <vector>
#include "r_adapters.h"
#include "glue_models.h"

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

// Kept responsibilities go straight into one R array, n x K x slots: a slot for
// each iteration in `keep` (sorted, and holding max_iter when every iteration
// must run), plus one spare for the last iteration when `tol` may stop the fit
// early. R drops unfilled slots afterwards.
class RArraySink {
public:
  RArraySink(int n, int K, const std::vector<int>& keep, bool spare_for_last)
      : keep_(keep), spare_(spare_for_last ? static_cast<int>(keep.size()) : -1),
        array_(static_cast<R_xlen_t>(n) * K * (keep.size() + (spare_for_last ? 1 : 0))),
        stride_(static_cast<R_xlen_t>(n) * K) {
    array_.attr("dim") = Rcpp::IntegerVector::create(n, K, static_cast<int>(keep.size()) + (spare_for_last ? 1 : 0));
  }
  double* slot(int t) {
    const auto it = std::lower_bound(keep_.begin(), keep_.end(), t);
    if (it == keep_.end() || *it != t) return nullptr;
    filled_[t] = static_cast<int>(it - keep_.begin());
    return array_.begin() + stride_ * filled_[t];
  }
  double* last_slot(int t) {
    if (spare_ < 0) return nullptr;
    filled_[t] = spare_;
    return array_.begin() + stride_ * spare_;
  }
  // 1-based slot of each recorded iteration.
  Rcpp::IntegerVector slots_of(const std::vector<int>& iterations) const {
    Rcpp::IntegerVector out(iterations.size());
    for (std::size_t j = 0; j < iterations.size(); ++j) out[j] = filled_.at(iterations[j]) + 1;
    return out;
  }
  // The array, its third dimension named by iteration ("" for an unfilled slot).
  Rcpp::NumericVector array(const std::vector<int>& iterations) {
    const int slots = Rcpp::IntegerVector(array_.attr("dim"))[2];
    Rcpp::CharacterVector names(slots, "");
    for (int t : iterations) names[filled_.at(t)] = std::to_string(t);
    array_.attr("dimnames") = Rcpp::List::create(R_NilValue, R_NilValue, names);
    return array_;
  }

private:
  std::vector<int> keep_;
  int spare_;
  Rcpp::NumericVector array_;
  R_xlen_t stride_;
  std::map<int, int> filled_;
};

// EM from the given start. Returns the whole trace as arrays, or list(error = ...)
// when a step cannot go on, so that R raises a classed error naming the iteration.
// `keep` must hold max_iter unless `tol` >= 0 (the glue's sink relies on it).
// `model` is the covariance structure, by mclust's name.
// [[Rcpp::export(rng = false)]]
Rcpp::List em_fit_cpp(Eigen::Map<Eigen::MatrixXd> X, Eigen::VectorXd pi, Eigen::MatrixXd mu,
                      Rcpp::NumericVector Sigma, int max_iter, double tol, double reg_covar,
                      std::vector<int> keep, int threads, std::string model = "VVV") {
  gmmem::Control control;
  control.model = covariance_model_from_r(model, static_cast<int>(X.cols()));
  control.max_iter = max_iter;
  control.tol = tol;
  control.reg_covar = reg_covar;
  control.threads = threads;
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  const int n = static_cast<int>(X.rows()), d = static_cast<int>(X.cols()), K = static_cast<int>(pi.size());
  // A spare slot for the last iteration only when tol may stop the fit at an
  // iteration that `keep` does not hold.
  const bool keeps_every_iteration = keep.size() == static_cast<std::size_t>(max_iter) + 1;
  RArraySink sink(n, K, keep, tol >= 0.0 && !keeps_every_iteration);

  gmmem::Trace trace;
  try {
    gmmem::EmRunner runner(X.data(), n, d, control);
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
  mu_out.attr("dim") = Rcpp::IntegerVector::create(d, K, T + 1);
  Sigma_out.attr("dim") = Rcpp::IntegerVector::create(d, d, K, T + 1);

  return Rcpp::List::create(
      Rcpp::Named("pi") = pi_out, Rcpp::Named("mu") = mu_out, Rcpp::Named("Sigma") = Sigma_out,
      Rcpp::Named("loglik") = Rcpp::wrap(trace.loglik), Rcpp::Named("resp") = sink.array(trace.resp_iteration),
      Rcpp::Named("resp_iteration") = Rcpp::wrap(trace.resp_iteration),
      Rcpp::Named("resp_slot") = sink.slots_of(trace.resp_iteration),
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
