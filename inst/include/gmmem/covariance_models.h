// The M-step of mclust's 14 covariance structures Sigma_k = lambda_k D_k A_k D_k^T, and their parameter counts.
#ifndef GMMEM_COVARIANCE_MODELS_H
#define GMMEM_COVARIANCE_MODELS_H

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace gmmem {

// Celeux & Govaert (1995): the three letters say whether the volume lambda,
// the shape A (diagonal, |A| = 1) and the orientation D (orthogonal) are Equal
// across components, Variable, or the Identity.
enum class CovarianceModel { EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV };

// The inner iterations of the five structures with no closed-form M-step
// (VEI, VEE, EVE, VVE, VEV). Every inner step maximises the expected
// complete-data log-likelihood Q over one block of parameters (or, for the
// orientation of EVE/VVE, decreases a majoriser of -Q), so Q never falls
// whatever the tolerance: stopping early only makes the step a generalised EM step.
struct InnerControl {
  // stop when max_k ||Sigma_k - Sigma_k(previous inner step)||_F / ||Sigma_k||_F <= tol
  double tol = 1e-10;
  // A capped inner run is still a generalised EM step (each inner step raises
  // Q); the cap bounds the time of one M-step where the orientation is barely
  // determined (near-spherical data in many dimensions).
  int max_iter = 100;
};

// What every structure's M-step is given.
struct CovarianceInput {
  const Eigen::VectorXd& n;               // K: n_k = sum_i r_ik; 0 for a dropped component
  const std::vector<Eigen::MatrixXd>& S;  // K: W_k / n_k, W_k the scatter about the new mean
  std::vector<int> active;                // the components with n_k > 0, the only ones fitted
  double total = 0.0;                     // sum of n_k over `active`
  int d = 0;
  bool warm = false;                      // Sigma holds the previous covariances
  InnerControl inner;

  // The scatter W_k itself; the sufficient statistics are kept as S_k so that
  // VVV returns them untouched.
  Eigen::MatrixXd W(int k) const { return n[k] * S[k]; }
  // sum_k W_k over the active components (tied models)
  Eigen::MatrixXd pooled() const {
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(d, d);
    for (int k : active) sum += W(k);
    return sum;
  }
};

namespace covariance_detail {

using Sigmas = std::vector<Eigen::MatrixXd>;

// |diag(v)|^(1/d), in logs so that large d neither overflows nor underflows.
inline double geometric_mean(const Eigen::VectorXd& v) { return std::exp(v.array().log().mean()); }

inline Eigen::MatrixXd compose(const Eigen::MatrixXd& D, const Eigen::VectorXd& diagonal) {
  return D * diagonal.asDiagonal() * D.transpose();
}

// Runs `step` (which rewrites Sigma for the active components) until the
// covariances stop moving; returns the number of steps.
template <class Step>
int iterate(const CovarianceInput& in, Sigmas& Sigma, Step step) {
  int iteration = 0;
  Sigmas before(Sigma.size());
  while (iteration < in.inner.max_iter) {
    for (int k : in.active) before[k] = Sigma[k];
    step();
    ++iteration;
    double change = 0.0;
    for (int k : in.active) {
      if (before[k].size() != Sigma[k].size()) {  // a cold start has nothing to compare with
        change = HUGE_VAL;
        break;
      }
      change = std::max(change, (Sigma[k] - before[k]).norm() / Sigma[k].norm());
    }
    if (!(change > in.inner.tol)) break;  // a NaN stops too: the caller rejects the result
  }
  return iteration;
}

// The warm start's source: any active component's previous covariance.
inline const Eigen::MatrixXd& first_previous(const CovarianceInput& in, const Sigmas& Sigma) {
  return Sigma[in.active.front()];
}

// ---- the policies: one struct per structure, `fit` returns inner iterations ----

struct EII {  // lambda I
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    const double lambda = in.pooled().trace() / (in.total * in.d);
    for (int k : in.active) Sigma[k] = lambda * Eigen::MatrixXd::Identity(in.d, in.d);
    return 0;
  }
};

struct VII {  // lambda_k I
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    for (int k : in.active) Sigma[k] = (in.S[k].trace() / in.d) * Eigen::MatrixXd::Identity(in.d, in.d);
    return 0;
  }
};

struct EEI {  // lambda A
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    const Eigen::VectorXd diagonal = in.pooled().diagonal() / in.total;
    for (int k : in.active) Sigma[k] = diagonal.asDiagonal();
    return 0;
  }
};

struct EVI {  // lambda A_k: A_k = diag(W_k) / |diag(W_k)|^(1/d), lambda = sum_k |diag(W_k)|^(1/d) / n
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    double lambda = 0.0;
    for (int k : in.active) lambda += geometric_mean(in.W(k).diagonal());
    lambda /= in.total;
    for (int k : in.active) {
      const Eigen::VectorXd b = in.W(k).diagonal();
      Sigma[k] = (lambda / geometric_mean(b) * b).asDiagonal();
    }
    return 0;
  }
};

struct VVI {  // lambda_k A_k
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    for (int k : in.active) Sigma[k] = in.S[k].diagonal().asDiagonal();
    return 0;
  }
};

struct EEE {  // one covariance
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    const Eigen::MatrixXd common = in.pooled() / in.total;
    for (int k : in.active) Sigma[k] = common;
    return 0;
  }
};

struct VVV {  // unconstrained
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    for (int k : in.active) Sigma[k] = in.S[k];
    return 0;
  }
};

struct EVV {  // lambda C_k, |C_k| = 1: C_k = W_k / |W_k|^(1/d), lambda = sum_k |W_k|^(1/d) / n
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    std::vector<double> root(in.S.size(), 0.0);
    double lambda = 0.0;
    for (int k : in.active) {
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(in.W(k), Eigen::EigenvaluesOnly);
      root[k] = geometric_mean(eig.eigenvalues());
      lambda += root[k];
    }
    lambda /= in.total;
    for (int k : in.active) Sigma[k] = (lambda / root[k]) * in.W(k);
    return 0;
  }
};

struct EEV {  // lambda D_k A D_k^T: D_k the eigenvectors of W_k, lambda A the pooled eigenvalues / n
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    // Eigen sorts eigenvalues increasingly for every k, so the j-th axis of A
    // pairs the j-th eigenvalues of all W_k: the optimal pairing (von Neumann).
    std::vector<Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>> eig(in.S.size());
    Eigen::VectorXd pooled = Eigen::VectorXd::Zero(in.d);
    for (int k : in.active) {
      eig[k].compute(in.W(k));
      pooled += eig[k].eigenvalues();
    }
    pooled /= in.total;
    for (int k : in.active) Sigma[k] = compose(eig[k].eigenvectors(), pooled);
    return 0;
  }
};

// Variable volume, equal shape (VEI, VEV): given per-component "spectra"
// omega_k (the diagonal of W_k, or its eigenvalues) alternate
//   lambda_k = sum_j omega_kj / a_j / (d n_k),   A = sum_k Omega_k / lambda_k normalised to |A| = 1,
// each the exact maximiser of Q given the other (mclust's fixed point).
template <class Compose>
int variable_volume_equal_shape(const CovarianceInput& in, Sigmas& Sigma,
                                const std::vector<Eigen::VectorXd>& omega, Eigen::VectorXd shape,
                                Compose compose_k) {
  Eigen::VectorXd lambda = Eigen::VectorXd::Zero(in.S.size());
  return iterate(in, Sigma, [&]() {
    for (int k : in.active) lambda[k] = (omega[k].array() / shape.array()).sum() / (in.d * in.n[k]);
    shape.setZero();
    for (int k : in.active) shape += omega[k] / lambda[k];
    shape /= geometric_mean(shape);
    for (int k : in.active) Sigma[k] = compose_k(k, lambda[k] * shape);
  });
}

struct VEI {  // lambda_k A
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    std::vector<Eigen::VectorXd> omega(in.S.size());
    for (int k : in.active) omega[k] = in.W(k).diagonal();
    Eigen::VectorXd shape = Eigen::VectorXd::Ones(in.d);
    if (in.warm) shape = first_previous(in, Sigma).diagonal();
    shape /= geometric_mean(shape);
    return variable_volume_equal_shape(in, Sigma, omega, shape, [](int, const Eigen::VectorXd& v) {
      return Eigen::MatrixXd(v.asDiagonal());
    });
  }
};

struct VEV {  // lambda_k D_k A D_k^T
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    // D_k = eigenvectors of W_k is optimal for any A whose axes are sorted like
    // the eigenvalues (increasingly here), and every A of the iteration is.
    std::vector<Eigen::VectorXd> omega(in.S.size());
    std::vector<Eigen::MatrixXd> axes(in.S.size());
    for (int k : in.active) {
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(in.W(k));
      omega[k] = eig.eigenvalues();
      axes[k] = eig.eigenvectors();
    }
    Eigen::VectorXd shape = Eigen::VectorXd::Ones(in.d);
    if (in.warm) {
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> previous(first_previous(in, Sigma), Eigen::EigenvaluesOnly);
      shape = previous.eigenvalues();
    }
    shape /= geometric_mean(shape);
    return variable_volume_equal_shape(in, Sigma, omega, shape, [&](int k, const Eigen::VectorXd& v) {
      return compose(axes[k], v);
    });
  }
};

struct VEE {  // lambda_k C, |C| = 1
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    const int d = in.d;
    Eigen::MatrixXd C = Eigen::MatrixXd::Identity(d, d);
    if (in.warm) {
      C = first_previous(in, Sigma);
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(C, Eigen::EigenvaluesOnly);
      C /= geometric_mean(eig.eigenvalues());
    }
    Eigen::VectorXd lambda = Eigen::VectorXd::Zero(in.S.size());
    return iterate(in, Sigma, [&]() {
      // lambda_k = tr(W_k C^-1) / (d n_k), then C = sum_k W_k / lambda_k with |C| = 1
      const Eigen::LLT<Eigen::MatrixXd> llt(C);
      for (int k : in.active) lambda[k] = llt.solve(in.S[k]).trace() / d;
      C.setZero();
      for (int k : in.active) C += in.W(k) / lambda[k];
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(C, Eigen::EigenvaluesOnly);
      C /= geometric_mean(eig.eigenvalues());
      for (int k : in.active) Sigma[k] = lambda[k] * C;
    });
  }
};

// The nearest orthogonal X minimising tr(F X): X = -V U^T for F = U S V^T.
inline Eigen::MatrixXd orthogonal_minimiser(const Eigen::MatrixXd& F) {
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(F, Eigen::ComputeFullU | Eigen::ComputeFullV);
  return -svd.matrixV() * svd.matrixU().transpose();
}

// Common orientation, per-component diagonal Lambda_k (EVE, VVE). Given
// Lambda_k, D minimises g(D) = sum_k tr(Lambda_k^-1 D^T W_k D) over orthogonal
// D; there is no closed form, so D takes the two majorisation-minimisation
// steps of Browne & McNicholas (2014), each lowering g: W_k <= omega_k I gives
// F = sum_k Lambda_k^-1 D^T (W_k - omega_k I), and Lambda_k^-1 <= alpha_k I gives
// F = sum_k (Lambda_k^-1 - alpha_k I) D^T W_k. Then `diagonals` sets every
// Lambda_k given D (exactly). Unlike mclust, the majoriser of VVE weighs
// component k by its own volume (Lambda_k, not A_k), which is what Q asks for.
template <class Diagonals>
int common_orientation(const CovarianceInput& in, Sigmas& Sigma, Diagonals diagonals) {
  const int d = in.d;
  const int K = static_cast<int>(in.S.size());
  std::vector<Eigen::MatrixXd> W(K);
  std::vector<double> omega(K, 0.0);
  for (int k : in.active) {
    W[k] = in.W(k);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(W[k], Eigen::EigenvaluesOnly);
    omega[k] = eig.eigenvalues().maxCoeff();
  }
  Eigen::MatrixXd D = Eigen::MatrixXd::Identity(d, d);
  std::vector<Eigen::VectorXd> Lambda(K);
  if (in.warm) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(first_previous(in, Sigma));
    D = eig.eigenvectors();
    for (int k : in.active) Lambda[k] = (D.transpose() * Sigma[k] * D).diagonal();
  } else {
    diagonals(D, Lambda);
  }
  return iterate(in, Sigma, [&]() {
    Eigen::MatrixXd F = Eigen::MatrixXd::Zero(d, d);
    for (int k : in.active) {
      const Eigen::MatrixXd shifted = W[k] - omega[k] * Eigen::MatrixXd::Identity(d, d);
      F += Lambda[k].cwiseInverse().asDiagonal() * D.transpose() * shifted;
    }
    D = orthogonal_minimiser(F);
    F.setZero();
    for (int k : in.active) {
      const Eigen::VectorXd inverse = Lambda[k].cwiseInverse();
      const Eigen::VectorXd shifted = inverse.array() - inverse.maxCoeff();
      F += shifted.asDiagonal() * D.transpose() * W[k];
    }
    D = orthogonal_minimiser(F);
    diagonals(D, Lambda);
    for (int k : in.active) Sigma[k] = compose(D, Lambda[k]);
  });
}

struct EVE {  // lambda D A_k D^T
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    return common_orientation(in, Sigma, [&](const Eigen::MatrixXd& D, std::vector<Eigen::VectorXd>& Lambda) {
      // B_k = diag(D^T W_k D): A_k = B_k / |B_k|^(1/d), lambda = sum_k |B_k|^(1/d) / n
      double lambda = 0.0;
      for (int k : in.active) {
        Lambda[k] = (D.transpose() * in.W(k) * D).diagonal();
        lambda += geometric_mean(Lambda[k]);
      }
      lambda /= in.total;
      for (int k : in.active) Lambda[k] *= lambda / geometric_mean(Lambda[k]);
    });
  }
};

struct VVE {  // lambda_k D A_k D^T
  static int fit(const CovarianceInput& in, Sigmas& Sigma) {
    return common_orientation(in, Sigma, [&](const Eigen::MatrixXd& D, std::vector<Eigen::VectorXd>& Lambda) {
      for (int k : in.active) Lambda[k] = (D.transpose() * in.S[k] * D).diagonal();
    });
  }
};

}  // namespace covariance_detail

// One row per structure: its name, its letters (which fix its parameter
// count) and its M-step. Adding a structure is a policy above and a row here.
struct CovarianceModelInfo {
  CovarianceModel model;
  const char* name;
  char volume, shape, orientation;  // 'E', 'V' or 'I'
  bool iterative;                   // the M-step runs inner iterations
  int (*fit)(const CovarianceInput&, std::vector<Eigen::MatrixXd>&);
};

inline const CovarianceModelInfo* covariance_models(int& count) {
  namespace c = covariance_detail;
  static const CovarianceModelInfo table[] = {
      {CovarianceModel::EII, "EII", 'E', 'I', 'I', false, &c::EII::fit},
      {CovarianceModel::VII, "VII", 'V', 'I', 'I', false, &c::VII::fit},
      {CovarianceModel::EEI, "EEI", 'E', 'E', 'I', false, &c::EEI::fit},
      {CovarianceModel::VEI, "VEI", 'V', 'E', 'I', true, &c::VEI::fit},
      {CovarianceModel::EVI, "EVI", 'E', 'V', 'I', false, &c::EVI::fit},
      {CovarianceModel::VVI, "VVI", 'V', 'V', 'I', false, &c::VVI::fit},
      {CovarianceModel::EEE, "EEE", 'E', 'E', 'E', false, &c::EEE::fit},
      {CovarianceModel::VEE, "VEE", 'V', 'E', 'E', true, &c::VEE::fit},
      {CovarianceModel::EVE, "EVE", 'E', 'V', 'E', true, &c::EVE::fit},
      {CovarianceModel::VVE, "VVE", 'V', 'V', 'E', true, &c::VVE::fit},
      {CovarianceModel::EEV, "EEV", 'E', 'E', 'V', false, &c::EEV::fit},
      {CovarianceModel::VEV, "VEV", 'V', 'E', 'V', true, &c::VEV::fit},
      {CovarianceModel::EVV, "EVV", 'E', 'V', 'V', false, &c::EVV::fit},
      {CovarianceModel::VVV, "VVV", 'V', 'V', 'V', false, &c::VVV::fit},
  };
  count = static_cast<int>(sizeof(table) / sizeof(table[0]));
  return table;
}

inline const CovarianceModelInfo& covariance_model_info(CovarianceModel model) {
  int count = 0;
  const CovarianceModelInfo* table = covariance_models(count);
  for (int i = 0; i < count; ++i) {
    if (table[i].model == model) return table[i];
  }
  return table[count - 1];  // unreachable: every enumerator has a row
}

// The structure called `name` (mclust's names; "E" and "V", mclust's names for
// d = 1, are EII and VII). False for an unknown name.
inline bool covariance_model_from_name(const std::string& name, CovarianceModel& out) {
  const std::string full = name == "E" ? "EII" : name == "V" ? "VII" : name;
  int count = 0;
  const CovarianceModelInfo* table = covariance_models(count);
  for (int i = 0; i < count; ++i) {
    if (full == table[i].name) {
      out = table[i].model;
      return true;
    }
  }
  return false;
}

// Free covariance parameters (mclust's nVarParams): lambda counts 1 or K, A
// counts d - 1 or K (d - 1), D counts d (d - 1) / 2 or K times that.
inline int covariance_df(CovarianceModel model, int d, int K) {
  const CovarianceModelInfo& info = covariance_model_info(model);
  auto times = [K](char letter, int each) { return letter == 'I' ? 0 : letter == 'E' ? each : K * each; };
  return times(info.volume, 1) + times(info.shape, d - 1) + times(info.orientation, d * (d - 1) / 2);
}

// The M-step for the covariances. n (K) and S (K matrices W_k / n_k about the
// new means) are the sufficient statistics; components with n_k = 0 keep their
// Sigma_k and take no part in shared quantities. Sigma holds the previous
// covariances when `warm` (the iterative structures start from them, so the
// step never lowers Q; with `warm` false they start from the identity, as
// mclust's mstep does). reg_covar is added to the diagonal of each fitted
// Sigma_k after the structure is imposed, as scikit-learn does: spherical,
// diagonal and tied structures stay so; the equal-volume and equal-shape
// constraints of the others then hold only up to reg_covar. Returns the inner
// iterations taken (0 for a closed form).
inline int fit_covariances(CovarianceModel model, const Eigen::VectorXd& n,
                           const std::vector<Eigen::MatrixXd>& S, std::vector<Eigen::MatrixXd>& Sigma,
                           double reg_covar, const InnerControl& inner, bool warm) {
  const int K = static_cast<int>(n.size());
  CovarianceInput in{n, S};
  in.inner = inner;
  for (int k = 0; k < K; ++k) {
    if (n[k] > 0.0) {
      in.active.push_back(k);
      in.total += n[k];
      in.d = static_cast<int>(S[k].rows());
    }
  }
  if (in.active.empty()) return 0;
  Sigma.resize(K);
  in.warm = warm;
  for (int k : in.active) {
    if (Sigma[k].rows() != in.d || Sigma[k].cols() != in.d) in.warm = false;
  }
  const int iterations = covariance_model_info(model).fit(in, Sigma);
  if (reg_covar > 0.0) {
    for (int k : in.active) Sigma[k].diagonal().array() += reg_covar;
  }
  return iterations;
}

}  // namespace gmmem

#endif
