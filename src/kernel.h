// The boundary between the R glue and an EM kernel: plain types only, so kernels built with other flags stay apart.
#ifndef GMMEM_KERNEL_H
#define GMMEM_KERNEL_H

#include <vector>

// No Eigen, Rcpp or gmmem type crosses this boundary. Each kernel is the same
// core compiled in its own translation unit (kernel_portable.cpp,
// kernel_avx2.cpp, kernel_avx512.cpp); the SIMD ones rename the Eigen and
// gmmem namespaces, so none of their inline functions can stand in for the
// portable ones at link time.
namespace gmmem_kernel {

// The data, the start and the controls of one EM run (or one E-step, or one
// chunk's sums).
struct FitInput {
  const double* X = nullptr;        // n x d, column-major
  const double* weights = nullptr;  // n case weights, or nullptr: every row weighs 1
  int n = 0, d = 0, K = 0;
  const double* pi = nullptr;     // K
  const double* mu = nullptr;     // d x K
  const double* Sigma = nullptr;  // d x d x K
  int model = 13;                 // gmmem::CovarianceModel, as an int; 13 is VVV, which takes any covariances
  int max_iter = 0;
  double tol = -1.0;
  double reg_covar = 0.0;
  bool keep_all = false;
  const int* keep_iterations = nullptr;
  int n_keep_iterations = 0;
  double keep_budget = -1.0;  // bytes; negative: none
  double path_bytes = 0.0;    // what one iteration's parameters cost against the budget
  int threads = 1;
};

// What the caller does for the kernel, as function pointers on `self`:
// interrupt() between iterations (it may throw; the kernel does not catch it),
// and storage for the kept responsibilities (nullptr: not kept; *out_of_memory
// set: the storage could not be allocated).
struct Callbacks {
  void* self = nullptr;
  void (*interrupt)(void* self) = nullptr;
  double* (*slot)(void* self, int t, bool* out_of_memory) = nullptr;
  double* (*last_slot)(void* self, int t, bool* out_of_memory) = nullptr;
  void (*discard)(void* self, int t) = nullptr;
};

// Why a call stopped: error_kind >= 0 is a gmmem::Failure.
struct Failure {
  int error_kind = -1;
  int error_iteration = 0, error_component = -1, error_observation = -1;
};

// The path of a run: iterations 0..n_iter concatenated (pi K, mu d x K, Sigma
// d x d x K each).
struct FitOutput : Failure {
  std::vector<double> pi, mu, Sigma, loglik;
  std::vector<int> resp_iteration;
  int n_iter = 0;
  bool converged = false;
  int decreases = 0;
  double largest_decrease = 0.0;
};

// One chunk's sums (gmmem::ChunkSums): weight K, offset d x K, scatter
// (d*d) x K with the entries l >= j of each column j filled.
struct StatsOutput : Failure {
  double loglik = 0.0, rows = 0.0, total_weight = 0.0;
  std::vector<double> weight, offset, scatter;
};

struct Kernel {
  const char* name;
  void (*fit)(const FitInput& in, const Callbacks& callbacks, FitOutput& out);
  // The E-step alone: responsibilities into resp (n x K); l(theta) in out.loglik.
  void (*estep)(const FitInput& in, double* resp, FitOutput& out);
  // The E-step reduced to the M-step's sums about the references mu.
  void (*stats)(const FitInput& in, StatsOutput& out);
  // The data checks' column summary (gmmem::column_summary()): lo, hi, mean
  // and var of length d; gram d x d, entries l >= j of column j (the
  // diagonal alone without `gram`), the rest 0.
  void (*column_summary)(const double* X, int n, int d, bool gram, int threads, double* lo, double* hi,
                         double* mean, double* var, double* gram_out);
};

const Kernel& portable_kernel();
// The kernel built for AVX2 and FMA, or nullptr where it was not built.
const Kernel* avx2_kernel();
// The kernel built for AVX-512 (F and DQ) with AVX2 and FMA, or nullptr where it was not built.
const Kernel* avx512_kernel();

}  // namespace gmmem_kernel

#endif
