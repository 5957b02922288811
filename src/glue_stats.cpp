// R entry points for EM driven from outside: one chunk's sums, their merge, and the M-step from them.
#include <RcppEigen.h>
#include <gmmem/moments.h>
#include <gmmem/mstep.h>
#include "glue_kernel.h"
#include "glue_models.h"
#include "glue_params.h"

namespace {

bool reads_variances_only(const std::string& model, int d) {
  return gmmem::covariance_model_info(covariance_model_from_r(model, d)).orientation == 'I';
}

// ChunkSums as an R list; the scatter as a symmetric d x d x K array.
Rcpp::List sums_to_r(const gmmem::ChunkSums& sums, int d, int K) {
  Rcpp::NumericVector scatter(static_cast<R_xlen_t>(d) * d * K);
  for (int k = 0; k < K; ++k) {
    for (int j = 0; j < d; ++j) {
      for (int l = j; l < d; ++l) {
        const double value = sums.scatter(j * d + l, k);
        scatter[(static_cast<R_xlen_t>(k) * d + j) * d + l] = value;
        scatter[(static_cast<R_xlen_t>(k) * d + l) * d + j] = value;
      }
    }
  }
  scatter.attr("dim") = Rcpp::IntegerVector::create(d, d, K);
  return Rcpp::List::create(Rcpp::Named("loglik") = sums.loglik, Rcpp::Named("n") = sums.rows,
                            Rcpp::Named("nobs") = sums.total_weight,
                            Rcpp::Named("weight") = Rcpp::wrap(sums.weight),
                            Rcpp::Named("offset") = Rcpp::wrap(sums.offset), Rcpp::Named("scatter") = scatter);
}

gmmem::ChunkSums sums_from_r(const Rcpp::List& x) {
  gmmem::ChunkSums sums;
  sums.loglik = Rcpp::as<double>(x["loglik"]);
  sums.rows = Rcpp::as<double>(x["n"]);
  sums.total_weight = Rcpp::as<double>(x["nobs"]);
  sums.weight = Rcpp::as<Eigen::VectorXd>(x["weight"]);
  sums.offset = Rcpp::as<Eigen::MatrixXd>(x["offset"]);
  const Rcpp::NumericVector scatter = x["scatter"];
  const int d = static_cast<int>(sums.offset.rows()), K = static_cast<int>(sums.weight.size());
  sums.scatter = Eigen::Map<const Eigen::MatrixXd>(scatter.begin(), d * d, K);
  return sums;
}

}  // namespace

// One chunk's sums for the parameters pi, mu (d x K), Sigma (d x d x K), with
// case weights when `weights` is not empty, by the chosen kernel (`kernel` as
// kernel_name_cpp() takes it); list(error = ...) when a covariance is
// singular or a row has no finite density.
// [[Rcpp::export(rng = false)]]
Rcpp::List em_stats_cpp(Eigen::Map<Eigen::MatrixXd> X, Rcpp::NumericVector weights, Eigen::VectorXd pi,
                        Eigen::MatrixXd mu, Rcpp::NumericVector Sigma, std::string model, int threads,
                        std::string kernel = "auto") {
  const gmmem_kernel::Kernel& chosen = kernel_for(kernel);
  gmmem_kernel::FitInput in = kernel_input(X, weights, pi, mu, Sigma, threads);
  in.model = static_cast<int>(covariance_model_from_r(model, in.d));
  gmmem_kernel::StatsOutput out;
  chosen.stats(in, out);
  if (out.error_kind >= 0) return Rcpp::List::create(Rcpp::Named("error") = failure_to_r(out));
  gmmem::ChunkSums sums;
  sums.loglik = out.loglik;
  sums.rows = out.rows;
  sums.total_weight = out.total_weight;
  sums.weight = Eigen::Map<const Eigen::VectorXd>(out.weight.data(), in.K);
  sums.offset = Eigen::Map<const Eigen::MatrixXd>(out.offset.data(), in.d, in.K);
  sums.scatter = Eigen::Map<const Eigen::MatrixXd>(out.scatter.data(), in.d * in.d, in.K);
  return sums_to_r(sums, in.d, in.K);
}

// a and b merged (both about the same references).
// [[Rcpp::export(rng = false)]]
Rcpp::List em_stats_merge_cpp(Rcpp::List a, Rcpp::List b, std::string model) {
  gmmem::ChunkSums sums = sums_from_r(a);
  const int d = static_cast<int>(sums.offset.rows()), K = static_cast<int>(sums.weight.size());
  gmmem::merge_sums(sums, sums_from_r(b), reads_variances_only(model, d));
  return sums_to_r(sums, d, K);
}

// The M-step from merged sums taken about the means of the parameters
// `pi`, `mu`, `Sigma` (which also warm-start the iterative structures).
// [[Rcpp::export(rng = false)]]
Rcpp::List em_mstep_stats_cpp(Rcpp::List stats, Eigen::VectorXd pi, Eigen::MatrixXd mu, Rcpp::NumericVector Sigma,
                              std::string model, double reg_covar, int iteration) {
  gmmem::Control control;
  const int d = static_cast<int>(mu.rows()), K = static_cast<int>(mu.cols());
  control.model = covariance_model_from_r(model, d);
  control.reg_covar = reg_covar;
  gmmem::Params next;
  try {
    next = gmmem::mstep_from_sums(sums_from_r(stats), params_from_r(pi, mu, Sigma), control, iteration);
  } catch (const gmmem::em_error& e) {
    return Rcpp::List::create(Rcpp::Named("error") = em_error_to_r(e));
  }
  Rcpp::NumericVector Sigma_out(static_cast<R_xlen_t>(d) * d * K);
  for (int k = 0; k < K; ++k) {
    std::copy(next.Sigma[k].data(), next.Sigma[k].data() + d * d, Sigma_out.begin() + static_cast<R_xlen_t>(k) * d * d);
  }
  Sigma_out.attr("dim") = Rcpp::IntegerVector::create(d, d, K);
  return Rcpp::List::create(Rcpp::Named("pi") = Rcpp::wrap(next.pi), Rcpp::Named("mu") = Rcpp::wrap(next.mu),
                            Rcpp::Named("Sigma") = Sigma_out);
}
