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
  // Iterations whose responsibilities are kept, in increasing order.
  std::vector<int> keep;
  // Also keep the responsibilities of the last iteration, wherever the fit stops.
  bool keep_last = true;
  int threads = 1;
  // Rows per unit of parallel work. Fixed, so sums are added in the same order
  // whatever the number of threads and results do not depend on it.
  int chunk_rows = 256;
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

// An EM step that cannot go on: it names the iteration and component (-1: none).
class em_error : public std::runtime_error {
public:
  em_error(const std::string& what, int iteration, int component)
      : std::runtime_error(what), iteration_(iteration), component_(component) {}
  int iteration() const { return iteration_; }
  int component() const { return component_; }

private:
  int iteration_;
  int component_;
};

// Interrupt check for cores used outside R: never interrupts.
struct NoInterrupt {
  void operator()() const {}
};

}  // namespace gmmem

#endif
