// The EM core behind the plain kernel boundary; included once per kernel translation unit.
// Defines the kernel named GMMEM_KERNEL_NAME as the function GMMEM_KERNEL_GETTER.
#ifndef GMMEM_KERNEL_IMPL_H
#define GMMEM_KERNEL_IMPL_H

#include <gmmem/column_summary.h>
#include <gmmem/em.h>
#include <algorithm>
#include "kernel.h"

static_assert(static_cast<int>(gmmem::CovarianceModel::VVV) == gmmem_kernel::FitInput().model,
              "kernel.h's default model must be VVV");

namespace {  // internal linkage: nothing here can be merged with another kernel's copy

// The caller's interrupt check, reached through its function pointer.
struct CallbackInterrupt {
  const gmmem_kernel::Callbacks* callbacks;
  void operator()() const {
    if (callbacks->interrupt) callbacks->interrupt(callbacks->self);
  }
};

// The caller's storage for kept responsibilities, as the core's Sink.
struct CallbackSink {
  const gmmem_kernel::Callbacks* callbacks;
  double* slot(int t) { return checked(callbacks->slot, t); }
  double* last_slot(int t) { return checked(callbacks->last_slot, t); }
  void discard(int t) { callbacks->discard(callbacks->self, t); }

private:
  double* checked(double* (*get)(void*, int, bool*), int t) {
    bool out_of_memory = false;
    double* storage = get(callbacks->self, t, &out_of_memory);
    if (out_of_memory) throw gmmem::em_error(gmmem::Failure::out_of_memory, t);
    return storage;
  }
};

gmmem::Control control_from(const gmmem_kernel::FitInput& in) {
  gmmem::Control control;
  control.model = static_cast<gmmem::CovarianceModel>(in.model);
  control.max_iter = in.max_iter;
  control.tol = in.tol;
  control.reg_covar = in.reg_covar;
  control.threads = in.threads;
  control.keep.all = in.keep_all;
  if (in.n_keep_iterations > 0) {
    control.keep.iterations.assign(in.keep_iterations, in.keep_iterations + in.n_keep_iterations);
  }
  control.keep.budget = in.keep_budget;
  control.keep.matrix_bytes = 8.0 * in.n * in.K;
  control.keep.path_bytes = in.path_bytes;
  return control;
}

gmmem::Params params_from(const gmmem_kernel::FitInput& in) {
  gmmem::Params theta;
  theta.pi = Eigen::Map<const Eigen::VectorXd>(in.pi, in.K);
  theta.mu = Eigen::Map<const Eigen::MatrixXd>(in.mu, in.d, in.K);
  for (int k = 0; k < in.K; ++k) {
    theta.Sigma.push_back(
        Eigen::Map<const Eigen::MatrixXd>(in.Sigma + static_cast<std::ptrdiff_t>(k) * in.d * in.d, in.d, in.d));
  }
  return theta;
}

void record_error(const gmmem::em_error& e, gmmem_kernel::Failure& out) {
  out.error_kind = static_cast<int>(e.kind());
  out.error_iteration = e.iteration();
  out.error_component = e.component();
  out.error_observation = e.observation();
}

// The trace's parameters, one iteration after another, as plain arrays.
void copy_path(const gmmem::Trace& trace, int d, int K, gmmem_kernel::FitOutput& out) {
  const std::size_t T1 = trace.params.size();
  out.pi.resize(T1 * K);
  out.mu.resize(T1 * d * K);
  out.Sigma.resize(T1 * d * d * K);
  for (std::size_t t = 0; t < T1; ++t) {
    const gmmem::Params& theta = trace.params[t];
    std::copy(theta.pi.data(), theta.pi.data() + K, out.pi.begin() + t * K);
    std::copy(theta.mu.data(), theta.mu.data() + d * K, out.mu.begin() + t * d * K);
    for (int k = 0; k < K; ++k) {
      std::copy(theta.Sigma[k].data(), theta.Sigma[k].data() + d * d, out.Sigma.begin() + (t * K + k) * d * d);
    }
  }
  out.loglik = trace.loglik;
  out.resp_iteration = trace.resp_iteration;
  out.n_iter = trace.n_iter;
  out.converged = trace.converged;
  out.decreases = trace.decreases;
  out.largest_decrease = trace.largest_decrease;
}

void kernel_fit(const gmmem_kernel::FitInput& in, const gmmem_kernel::Callbacks& callbacks,
                gmmem_kernel::FitOutput& out) {
  try {
    gmmem::EmRunner runner(in.X, in.n, in.d, control_from(in), in.weights);
    CallbackSink sink{&callbacks};
    const gmmem::Trace trace = runner.run(params_from(in), CallbackInterrupt{&callbacks}, sink);
    copy_path(trace, in.d, in.K, out);
  } catch (const gmmem::em_error& e) {
    record_error(e, out);
  }
}

void kernel_estep(const gmmem_kernel::FitInput& in, double* resp, gmmem_kernel::FitOutput& out) {
  try {
    gmmem::EmRunner runner(in.X, in.n, in.d, control_from(in), in.weights);
    out.loglik.assign(1, runner.responsibilities(params_from(in), resp));
  } catch (const gmmem::em_error& e) {
    record_error(e, out);
  }
}

void kernel_stats(const gmmem_kernel::FitInput& in, gmmem_kernel::StatsOutput& out) {
  try {
    gmmem::EmRunner runner(in.X, in.n, in.d, control_from(in), in.weights);
    const gmmem::ChunkSums sums = runner.statistics(params_from(in));
    out.loglik = sums.loglik;
    out.rows = sums.rows;
    out.total_weight = sums.total_weight;
    out.weight.assign(sums.weight.data(), sums.weight.data() + sums.weight.size());
    out.offset.assign(sums.offset.data(), sums.offset.data() + sums.offset.size());
    out.scatter.assign(sums.scatter.data(), sums.scatter.data() + sums.scatter.size());
  } catch (const gmmem::em_error& e) {
    record_error(e, out);
  }
}

void kernel_column_summary(const double* X, int n, int d, bool gram, int threads, double* lo, double* hi,
                           double* mean, double* var, double* gram_out) {
  const gmmem::ColumnSummary summary = gmmem::column_summary(X, n, d, gram, threads);
  std::copy(summary.lo.data(), summary.lo.data() + d, lo);
  std::copy(summary.hi.data(), summary.hi.data() + d, hi);
  std::copy(summary.mean.data(), summary.mean.data() + d, mean);
  std::copy(summary.var.data(), summary.var.data() + d, var);
  std::copy(summary.gram.data(), summary.gram.data() + d * d, gram_out);
}

}  // namespace

namespace gmmem_kernel {

const Kernel& GMMEM_KERNEL_GETTER() {
  static const Kernel kernel = {GMMEM_KERNEL_NAME, &kernel_fit, &kernel_estep, &kernel_stats, &kernel_column_summary};
  return kernel;
}

}  // namespace gmmem_kernel

#endif
