// R entry points for EM: map R's vectors, run the chosen kernel, return plain named lists.
#include <RcppEigen.h>
#include <gmmem/em.h>
#include <algorithm>
#include <string>
#include <vector>
#include "glue_kernel.h"
#include "glue_models.h"
#include "r_adapters.h"

namespace {

// Component names "1".."K" and kept iterations as an array's dimnames.
Rcpp::List kept_dimnames(int K, const std::vector<int>& iterations) {
  Rcpp::CharacterVector names(iterations.size());
  for (std::size_t j = 0; j < iterations.size(); ++j) names[j] = std::to_string(iterations[j]);
  Rcpp::CharacterVector components(K);
  for (int k = 0; k < K; ++k) components[k] = std::to_string(k + 1);
  return Rcpp::List::create(R_NilValue, components, names);
}

// An R vector of `size` doubles, not zero-filled: the caller writes every one,
// and at n = 1e6, K = 5 a fill would touch 40 MB for nothing. When R cannot
// allocate it, R's own error reaches the caller after the C++ frames in
// between have unwound (their destructors run).
Rcpp::NumericVector unwritten_vector(R_xlen_t size) {
  return Rcpp::NumericVector(Rcpp::unwindProtect([size]() -> SEXP { return Rf_allocVector(REALSXP, size); }));
}

// Where the kept responsibilities go, as one n x K x kept R array named by
// component and iteration. When only the last iteration's are kept (keep =
// "last"), the core writes them straight into the array R receives; otherwise
// gmmem::KeptResponsibilities holds each kept matrix until array() copies it
// (freeing each once copied, so the peak is the array plus one matrix).
class KeptInR {
public:
  KeptInR(int n, int K, const gmmem::KeepPlan& plan)
      : n_(n), K_(K), last_only_(!plan.all && plan.iterations.empty() && plan.budget < 0.0), sink_(n, K, plan) {
    if (last_only_) last_ = unwritten_vector(static_cast<R_xlen_t>(n) * K);
  }

  double* slot(int t) { return sink_.slot(t); }  // never one with keep = "last"
  double* last_slot(int t) {
    if (!last_only_) return sink_.last_slot(t);
    last_iteration_ = t;
    return last_.begin();
  }
  void discard(int t) {
    if (!last_only_) return sink_.discard(t);
    if (last_iteration_ == t) last_iteration_ = -1;
  }

  Rcpp::NumericVector array() {
    Rcpp::NumericVector out;
    std::vector<int> kept;
    if (last_only_) {
      if (last_iteration_ >= 0) kept.push_back(last_iteration_);
      out = kept.empty() ? Rcpp::NumericVector(0) : last_;
    } else {
      kept = sink_.iterations();
      std::deque<Eigen::MatrixXd>& matrices = sink_.matrices();
      const R_xlen_t stride = static_cast<R_xlen_t>(n_) * K_;
      out = unwritten_vector(stride * static_cast<R_xlen_t>(kept.size()));
      for (std::size_t j = 0; j < kept.size(); ++j) {
        std::copy(matrices.front().data(), matrices.front().data() + stride, out.begin() + stride * j);
        matrices.pop_front();
      }
    }
    out.attr("dim") = Rcpp::IntegerVector::create(n_, K_, static_cast<int>(kept.size()));
    out.attr("dimnames") = kept_dimnames(K_, kept);
    return out;
  }

private:
  int n_, K_;
  bool last_only_;
  gmmem::KeptResponsibilities sink_;
  Rcpp::NumericVector last_;
  int last_iteration_ = -1;
};

// The callbacks the kernels reach R and the kept matrices through.
void interrupt_callback(void*) { RInterrupt()(); }

double* allocate_or_flag(KeptInR& kept, int t, bool last, bool* out_of_memory) {
  try {
    return last ? kept.last_slot(t) : kept.slot(t);
  } catch (const gmmem::em_error&) {
    *out_of_memory = true;
    return nullptr;
  }
}
double* slot_callback(void* self, int t, bool* out_of_memory) {
  return allocate_or_flag(*static_cast<KeptInR*>(self), t, false, out_of_memory);
}
double* last_slot_callback(void* self, int t, bool* out_of_memory) {
  return allocate_or_flag(*static_cast<KeptInR*>(self), t, true, out_of_memory);
}
void discard_callback(void* self, int t) { static_cast<KeptInR*>(self)->discard(t); }

}  // namespace

// The name of the kernel that `choice` ("auto" or a kernel's name) runs.
// [[Rcpp::export(rng = false)]]
std::string kernel_name_cpp(std::string choice) { return kernel_for(choice).name; }

// The names of the kernels this build and CPU run, fastest first.
// [[Rcpp::export(rng = false)]]
std::vector<std::string> runnable_kernels_cpp() { return runnable_kernel_names(); }

// EM from the given start, with case weights when `weights` is not empty. Returns the whole trace as arrays, or list(error = ...)
// when a step cannot go on, so that R raises a classed error naming the iteration.
// Kept responsibilities: every iteration (keep_all), those in keep_iterations, and
// with keep_budget >= 0 every iteration while that many bytes last, the path of
// each iteration run costing path_bytes (see gmmem::KeptResponsibilities); the
// last iteration's always. `model` is the covariance structure, by mclust's
// name; `kernel` as kernel_name_cpp() takes it.
// [[Rcpp::export(rng = false)]]
Rcpp::List em_fit_cpp(Eigen::Map<Eigen::MatrixXd> X, Eigen::VectorXd pi, Eigen::MatrixXd mu,
                      Rcpp::NumericVector Sigma, int max_iter, double tol, double reg_covar,
                      bool keep_all, std::vector<int> keep_iterations, double keep_budget, double path_bytes,
                      int threads, std::string model, Rcpp::NumericVector weights, std::string kernel = "auto") {
  const gmmem_kernel::Kernel& chosen = kernel_for(kernel);
  gmmem_kernel::FitInput in = kernel_input(X, weights, pi, mu, Sigma, threads);
  in.model = static_cast<int>(covariance_model_from_r(model, in.d));
  in.max_iter = max_iter;
  in.tol = tol;
  in.reg_covar = reg_covar;
  in.keep_all = keep_all;
  in.keep_iterations = keep_iterations.data();
  in.n_keep_iterations = static_cast<int>(keep_iterations.size());
  in.keep_budget = keep_budget;
  in.path_bytes = path_bytes;
  const int n = in.n, d = in.d, K = in.K;

  gmmem::KeepPlan plan;
  plan.all = keep_all;
  plan.iterations = keep_iterations;
  plan.budget = keep_budget;
  plan.matrix_bytes = 8.0 * n * K;
  plan.path_bytes = path_bytes;
  KeptInR kept(n, K, plan);
  gmmem_kernel::Callbacks callbacks;
  callbacks.self = &kept;
  callbacks.interrupt = &interrupt_callback;
  callbacks.slot = &slot_callback;
  callbacks.last_slot = &last_slot_callback;
  callbacks.discard = &discard_callback;

  gmmem_kernel::FitOutput out;
  chosen.fit(in, callbacks, out);
  if (out.error_kind >= 0) return Rcpp::List::create(Rcpp::Named("error") = failure_to_r(out));

  const int T = out.n_iter;
  Rcpp::NumericMatrix pi_out(K, T + 1);
  std::copy(out.pi.begin(), out.pi.end(), pi_out.begin());
  Rcpp::NumericVector mu_out(out.mu.begin(), out.mu.end());
  Rcpp::NumericVector Sigma_out(out.Sigma.begin(), out.Sigma.end());
  mu_out.attr("dim") = Rcpp::IntegerVector::create(d, K, T + 1);
  Sigma_out.attr("dim") = Rcpp::IntegerVector::create(d, d, K, T + 1);

  return Rcpp::List::create(
      Rcpp::Named("pi") = pi_out, Rcpp::Named("mu") = mu_out, Rcpp::Named("Sigma") = Sigma_out,
      Rcpp::Named("loglik") = Rcpp::wrap(out.loglik), Rcpp::Named("resp") = kept.array(),
      Rcpp::Named("n_iter") = T, Rcpp::Named("converged") = out.converged,
      Rcpp::Named("decreases") = out.decreases,
      Rcpp::Named("largest_decrease") = out.largest_decrease);
}

// The E-step alone: responsibilities (n x K) and log-likelihood of given parameters.
// [[Rcpp::export(rng = false)]]
Rcpp::List em_estep_cpp(Eigen::Map<Eigen::MatrixXd> X, Eigen::VectorXd pi, Eigen::MatrixXd mu,
                        Rcpp::NumericVector Sigma, int threads, std::string kernel = "auto") {
  const gmmem_kernel::Kernel& chosen = kernel_for(kernel);
  const gmmem_kernel::FitInput in = kernel_input(X, Rcpp::NumericVector(), pi, mu, Sigma, threads);
  Rcpp::NumericVector resp = unwritten_vector(static_cast<R_xlen_t>(in.n) * in.K);
  resp.attr("dim") = Rcpp::IntegerVector::create(in.n, in.K);
  gmmem_kernel::FitOutput out;
  chosen.estep(in, resp.begin(), out);
  if (out.error_kind >= 0) return Rcpp::List::create(Rcpp::Named("error") = failure_to_r(out));
  return Rcpp::List::create(Rcpp::Named("resp") = resp, Rcpp::Named("loglik") = out.loglik[0]);
}

// The core's positive-definiteness test, so that R checks a given covariance
// exactly as EM will.
// [[Rcpp::export(rng = false)]]
bool is_positive_definite_cpp(Eigen::Map<Eigen::MatrixXd> Sigma) {
  return gmmem::is_positive_definite(Sigma);
}
