// The values the EM core takes and returns: parameters, controls, the trace and its errors.
#ifndef GMMEM_TYPES_H
#define GMMEM_TYPES_H

#include <Eigen/Dense>
#include <stdexcept>
#include <string>
#include <vector>

#include "covariance_models.h"

namespace gmmem {

// One mixture: weights pi (K), means mu (d x K, a column per component) and
// covariances Sigma (K matrices of d x d).
struct Params {
  Eigen::VectorXd pi;
  Eigen::MatrixXd mu;
  std::vector<Eigen::MatrixXd> Sigma;

  int k() const { return static_cast<int>(pi.size()); }
  int d() const { return static_cast<int>(mu.rows()); }
};

// Which iterations' responsibilities to keep: every one (`all`), the listed
// `iterations`, or, with a memory `budget` in bytes, every iteration while it
// lasts, with room held for the listed ones and the last. The budget counts
// the parameter path of the iterations run (`path_bytes` each) and the kept
// matrices (`matrix_bytes` each).
struct KeepPlan {
  bool all = false;
  std::vector<int> iterations;
  double budget = -1.0;  // negative: no budget
  double matrix_bytes = 0.0;
  double path_bytes = 0.0;
};

struct Control {
  int max_iter = 100;
  // Relative tolerance on the change in log-likelihood; negative means run all
  // max_iter iterations, as the handout does.
  double tol = -1.0;
  // Added to the diagonal of every covariance the M-step makes (0: none).
  double reg_covar = 0.0;
  // The covariance structure the M-step imposes, and its inner iterations.
  CovarianceModel model = CovarianceModel::VVV;
  InnerControl model_inner;
  // Which iterations' responsibilities are kept (the last one always is).
  KeepPlan keep;
  int threads = 1;
  // Rows per chunk (the unit the E-step and the moments work on), and chunks
  // per block (the unit of parallel work: a block's chunks are merged in order
  // as they are done, then the blocks in order). Both fixed, so sums are added
  // in the same order whatever the number of threads and results do not
  // depend on it.
  int chunk_rows = 256;
  int block_chunks = 16;
  // Fewer rows than this per thread and the extra threads are not used.
  int min_rows_per_thread = 8192;
};

struct Trace {
  std::vector<Params> params;       // iterations 0..n_iter
  std::vector<double> loglik;       // l(theta_t), t = 0..n_iter
  std::vector<int> resp_iteration;  // which iterations' responsibilities are kept
  std::vector<Eigen::MatrixXd> resp;  // n x K each, matching resp_iteration
  int n_iter = 0;
  bool converged = false;
  // Steps where the log-likelihood fell by more than rounding can explain.
  int decreases = 0;
  double largest_decrease = 0.0;
};

// Why an EM step could not go on. The core only classifies; the caller words
// the message (R does it in one place, with advice that fits its arguments).
enum class Failure {
  singular_covariance,    // a component's covariance is not numerically positive definite
  empty_component,        // a component lost all its weight
  nonfinite_parameters,   // the M-step gave non-finite parameters (a vanishing weight)
  unplaceable_observation,  // a row has no finite density under any component
  nonfinite_loglik,       // every row is finite but their sum is not
  out_of_memory           // kept responsibilities could not be allocated
};

inline const char* failure_name(Failure kind) {
  switch (kind) {
    case Failure::singular_covariance: return "singular_covariance";
    case Failure::empty_component: return "empty_component";
    case Failure::nonfinite_parameters: return "nonfinite_parameters";
    case Failure::unplaceable_observation: return "unplaceable_observation";
    case Failure::nonfinite_loglik: return "nonfinite_loglik";
    case Failure::out_of_memory: return "out_of_memory";
  }
  return "unknown";
}

// An EM step that cannot go on, with its fields: what went wrong, at which
// iteration, and the component and observation involved (0-based; -1: none).
class em_error : public std::runtime_error {
public:
  em_error(Failure kind, int iteration, int component = -1, int observation = -1)
      : std::runtime_error(std::string("EM stopped at iteration ") + std::to_string(iteration) + ": " +
                           failure_name(kind)),
        kind_(kind), iteration_(iteration), component_(component), observation_(observation) {}
  Failure kind() const { return kind_; }
  int iteration() const { return iteration_; }
  int component() const { return component_; }
  int observation() const { return observation_; }

private:
  Failure kind_;
  int iteration_;
  int component_;
  int observation_;
};

// Interrupt check for cores used outside R: never interrupts.
struct NoInterrupt {
  void operator()() const {}
};

}  // namespace gmmem

#endif
