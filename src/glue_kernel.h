// The kernel the glue runs (chosen once from the CPU, or by name) and the plain inputs and errors it takes and gives.
#ifndef GMMEM_GLUE_KERNEL_H
#define GMMEM_GLUE_KERNEL_H

#include <RcppEigen.h>
#include <gmmem/types.h>
#include <string>
#include <vector>
#include "kernel.h"

// "auto": the fastest this CPU runs; a kernel's name ("portable", "avx2+fma",
// "avx512"): that one, an error where it cannot run (glue_kernel.cpp).
const gmmem_kernel::Kernel& kernel_for(const std::string& choice);

// The names of the kernels this build made and this CPU runs, fastest first.
std::vector<std::string> runnable_kernel_names();

// The data, optional case weights (empty: none) and parameters as the kernel's input.
inline gmmem_kernel::FitInput kernel_input(const Eigen::Map<Eigen::MatrixXd>& X, const Rcpp::NumericVector& weights,
                                           const Eigen::VectorXd& pi, const Eigen::MatrixXd& mu,
                                           const Rcpp::NumericVector& Sigma, int threads) {
  gmmem_kernel::FitInput in;
  in.X = X.data();
  in.weights = weights.size() > 0 ? weights.begin() : nullptr;
  in.n = static_cast<int>(X.rows());
  in.d = static_cast<int>(X.cols());
  in.K = static_cast<int>(pi.size());
  in.pi = pi.data();
  in.mu = mu.data();
  in.Sigma = Sigma.begin();
  in.threads = threads;
  return in;
}

// The kernel's failure as plain fields (1-based, NA for none); R words the message.
inline Rcpp::List failure_to_r(const gmmem_kernel::Failure& out) {
  auto one_based = [](int i) { return i >= 0 ? i + 1 : NA_INTEGER; };
  return Rcpp::List::create(
      Rcpp::Named("kind") = gmmem::failure_name(static_cast<gmmem::Failure>(out.error_kind)),
      Rcpp::Named("iteration") = out.error_iteration,
      Rcpp::Named("component") = one_based(out.error_component),
      Rcpp::Named("observation") = one_based(out.error_observation));
}

#endif
