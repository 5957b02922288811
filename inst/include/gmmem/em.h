// EM for a Gaussian mixture: one fused pass over the data per iteration, in log space.
#ifndef GMMEM_EM_H
#define GMMEM_EM_H

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <new>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "component.h"
#include "exp_packet.h"
#include "moments.h"
#include "small_d.h"
#include "mstep.h"
#include "types.h"

namespace gmmem {

class EmRunner {
public:
  // X is n x d, column-major, and must outlive the runner (no copy is made);
  // so must the case weights (n, non-negative), when given.
  EmRunner(const double* X, int n, int d, const Control& control, const double* weights = nullptr)
      : X_(X), n_(n), d_(d), control_(control), weights_(weights) {
    const int rows = std::max(1, control_.chunk_rows);
    n_chunks_ = (n_ + rows - 1) / rows;
    const int per_block = std::max(1, control_.block_chunks);
    blocks_.resize((n_chunks_ + per_block - 1) / per_block);
  }

  // Runs EM from `start`. `interrupt()` is called between iterations and may
  // throw. `sink` says where kept responsibilities go (see KeepInTrace): the
  // core writes r_t straight into the storage it hands out, so nothing is copied.
  template <class Interrupt, class Sink>
  Trace run(const Params& start, Interrupt interrupt, Sink& sink) {
    Trace trace;
    const int K = start.k();
    std::vector<PreparedComponent> prepared = prepare(start, 0);
    trace.params.push_back(start);
    if (double* r0 = sink.slot(0)) {
      Eigen::Map<Eigen::MatrixXd>(r0, n_, K).setConstant(1.0 / K);
      trace.resp_iteration.push_back(0);
    }

    bool stopped_early = false;
    for (int t = 1; t <= control_.max_iter; ++t) {
      interrupt();
      double* r_t = sink.slot(t);
      // Iteration max_iter is the last unless the fit converges there (then
      // discarded below): its responsibilities, always kept, come from this
      // pass rather than from one more at the end.
      if (!r_t && t == control_.max_iter) r_t = sink.last_slot(t);
      const ChunkSums sums = pass(trace.params.back(), prepared, true, r_t, t);
      // This pass ran the E-step of theta_{t-1}, so it also measured l(theta_{t-1}).
      record_loglik(trace, sums.loglik);
      if (has_converged(trace)) {
        stopped_early = true;
        if (r_t) sink.discard(t);  // r_t belongs to no recorded iteration
        break;
      }
      trace.params.push_back(m_step(sums, trace.params.back(), t));
      prepared = prepare(trace.params.back(), t);
      if (r_t) trace.resp_iteration.push_back(t);
    }
    trace.n_iter = static_cast<int>(trace.params.size()) - 1;
    if (!stopped_early) {
      record_loglik(trace, pass(trace.params.back(), prepared, false, nullptr, trace.n_iter).loglik);
      trace.converged = control_.tol >= 0.0 && has_converged(trace);
    } else {
      trace.converged = true;
    }
    keep_last(trace, K, sink);
    return trace;
  }

  // Responsibilities of theta (the E-step alone) into `resp` (n x K), and l(theta).
  double responsibilities(const Params& theta, double* resp) {
    std::vector<PreparedComponent> prepared = prepare(theta, 0);
    return pass(theta, prepared, false, resp, 0).loglik;
  }

  // The E-step of theta over every row reduced to its sums (see ChunkSums),
  // about the references theta.mu: what a chunk of a larger data set
  // contributes, for the caller to merge and pass to mstep_from_sums().
  ChunkSums statistics(const Params& theta) {
    std::vector<PreparedComponent> prepared = prepare(theta, 0);
    return pass(theta, prepared, true, nullptr, 0);
  }

private:
  // The last iteration's responsibilities come from the parameters before it;
  // when they were not kept on the way, one more E-step recomputes them exactly.
  template <class Sink>
  void keep_last(Trace& trace, int K, Sink& sink) {
    const int last = trace.n_iter;
    if (!trace.resp_iteration.empty() && trace.resp_iteration.back() == last) return;
    double* r_last = sink.last_slot(last);
    if (!r_last) return;
    if (last == 0) {
      Eigen::Map<Eigen::MatrixXd>(r_last, n_, K).setConstant(1.0 / K);
    } else {
      const Params& before = trace.params[last - 1];
      std::vector<PreparedComponent> prepared = prepare(before, last - 1);
      pass(before, prepared, false, r_last, last);
    }
    trace.resp_iteration.push_back(last);
  }

  void record_loglik(Trace& trace, double value) const {
    if (!trace.loglik.empty()) {
      const double previous = trace.loglik.back();
      const double slack = 1e-9 * (1.0 + std::fabs(value));
      if (value < previous - slack) {
        trace.decreases += 1;
        trace.largest_decrease = std::max(trace.largest_decrease, previous - value);
      }
    }
    trace.loglik.push_back(value);
  }

  // The stopping rule: stop at the first t >= 1 with
  // |l_t - l_{t-1}| <= tol (1 + |l_t|).
  bool has_converged(const Trace& trace) const {
    if (control_.tol < 0.0 || trace.loglik.size() < 2) return false;
    const double now = trace.loglik.back();
    const double before = trace.loglik[trace.loglik.size() - 2];
    return std::fabs(now - before) <= control_.tol * (1.0 + std::fabs(now));
  }

  std::vector<PreparedComponent> prepare(const Params& theta, int iteration) const {
    std::vector<PreparedComponent> prepared(theta.k());
    for (int k = 0; k < theta.k(); ++k) {
      const double weight = theta.pi[k];
      if (!prepare_component(weight, theta.Sigma[k], prepared[k])) {
        throw em_error(Failure::singular_covariance, iteration, k);
      }
    }
    return prepared;
  }

  // The E-step of theta over every row, with (when `accumulate`) the M-step's
  // weighted moments and (when `resp`) the responsibilities written out.
  ChunkSums pass(const Params& theta, const std::vector<PreparedComponent>& prepared,
                 bool accumulate, double* resp, int iteration) {
    const int K = theta.k();
    const int rows = std::max(1, control_.chunk_rows);
    // A thread costs more to wake than a few thousand rows take to process.
    const int threads = std::max(1, std::min(control_.threads, n_ / control_.min_rows_per_thread));
    const int per_block = std::max(1, control_.block_chunks);
    const int n_blocks = static_cast<int>(blocks_.size());
    const bool variances_only = covariance_model_info(control_.model).orientation == 'I';
    // Everything the threads use is allocated here: an exception (bad_alloc)
    // must not be thrown inside the parallel region, where it would end R.
    for (ChunkSums& block : blocks_) block.allocate(d_, K);
    while (static_cast<int>(scratch_.size()) < threads) scratch_.emplace_back(rows, d_, K);
    for (ChunkScratch& scratch : scratch_) scratch.allocate(rows, d_, K);
    if (d_ <= 2) small_components_ = small_d::components(theta.mu, prepared);
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
    {
      // Blocks are handed out dynamically: a block's sums do not depend on
      // which thread makes them, and with few blocks a static split can leave
      // one thread idle for a whole block.
#ifdef _OPENMP
      ChunkScratch& scratch = scratch_[omp_get_thread_num()];
#pragma omp for schedule(dynamic)
#else
      ChunkScratch& scratch = scratch_[0];
#endif
      for (int b = 0; b < n_blocks; ++b) {
        // each chunk's sums are merged into its block's while they are in cache
        ChunkSums& block = blocks_[b];
        block.clear();
        const int last_chunk = std::min(n_chunks_, (b + 1) * per_block);
        for (int c = b * per_block; c < last_chunk; ++c) {
          const int first_row = c * rows;
          const int m = std::min(rows, n_ - first_row);
          chunk_pass(theta, prepared, accumulate, resp, first_row, m, scratch.sums, scratch);
          if (scratch.sums.bad_row >= 0) {
            block.bad_row = scratch.sums.bad_row;  // the block's first: its later chunks do not matter
            break;
          }
          add_sums(block, scratch.sums, accumulate, variances_only);
        }
      }
    }
    // The blocks merged in order, so the sums do not depend on the number of threads.
    ChunkSums total;
    total.allocate(d_, K);
    total.clear();
    for (const ChunkSums& block : blocks_) {
      if (block.bad_row >= 0) throw em_error(Failure::unplaceable_observation, iteration, -1, block.bad_row);
      add_sums(total, block, accumulate, variances_only);
    }
    // every row is finite but their sum is not: data beyond double precision
    if (!std::isfinite(total.loglik)) throw em_error(Failure::nonfinite_loglik, iteration);
    return total;
  }

  // `part` added to `sums`: merged moments, or only the log-likelihood and counts.
  static void add_sums(ChunkSums& sums, const ChunkSums& part, bool accumulate, bool variances_only) {
    if (accumulate) {
      merge_sums(sums, part, variances_only);
    } else {
      sums.loglik += part.loglik;
      sums.rows += part.rows;
      sums.total_weight += part.total_weight;
    }
  }

  // Per-thread work space for one chunk; every loop below runs down a column of
  // rows values, so Eigen vectorises it.
  struct ChunkScratch {
    ChunkScratch(int rows, int d, int K) { allocate(rows, d, K); }
    void allocate(int rows, int d, int K) {
      sums.allocate(d, K);
      // the fused loops for d <= 2 (small_d.h) centre each row in registers
      const int centred_columns = d <= 2 ? 0 : d * K;
      if (logp.rows() == rows && logp.cols() == K && centred.cols() == centred_columns) return;
      centred.resize(rows, centred_columns);
      logp.resize(rows, K);
      quad.resize(rows);
      proj.resize(rows);
      top.resize(rows);
      total.resize(rows);
    }
    Eigen::ArrayXXd centred;  // x_i - mu_k, d columns per component
    Eigen::ArrayXXd logp;     // log pi_k N(x_i | k), then r_ik
    Eigen::ArrayXd quad, proj, top, total;
    ChunkSums sums;  // the chunk's, until merged into its block's
  };

  // One chunk of rows, in the steps below: log densities, their normalisation
  // into l(theta) and responsibilities, and (when `accumulate`) the moments.
  void chunk_pass(const Params& theta, const std::vector<PreparedComponent>& prepared,
                  bool accumulate, double* resp, int first_row, int m, ChunkSums& out,
                  ChunkScratch& s) const {
    const int K = theta.k();
    out.clear();
    if (d_ <= 2) {
      small_d_responsibilities(first_row, m, s);
      if (!chunk_loglik(K, first_row, m, s, out)) return;
    } else {
      log_densities(theta, prepared, first_row, m, s);
      normalise(K, m, s);
      if (!chunk_loglik(K, first_row, m, s, out)) return;
      to_responsibilities(K, m, s);
    }
    if (resp) write_responsibilities(resp, K, first_row, m, s);
    if (!accumulate) return;
    if (weights_) weight_responsibilities(K, first_row, m, s);
    if (d_ <= 2) {
      small_d_moments(theta, K, first_row, m, s, out);
    } else {
      accumulate_moments(K, m, s, out);
    }
  }

  // log_densities(), normalise() and to_responsibilities() for d <= 2, in one
  // pass (see small_d.h); s.top and s.total as chunk_loglik() reads them.
  void small_d_responsibilities(int first_row, int m, ChunkScratch& s) const {
    const double* x0 = X_ + first_row;
    const double* x1 = d_ == 2 ? X_ + n_ + first_row : nullptr;
    small_d::responsibilities(x0, x1, m, small_components_, s.logp.data(), s.logp.rows(), s.top.data(), s.total.data());
  }

  // accumulate_moments() for d <= 2: the sums of each component in one pass
  // over its rows, with the same reference, offset and re-centring rule.
  void small_d_moments(const Params& theta, int K, int first_row, int m, ChunkScratch& s, ChunkSums& out) const {
    const int d = d_;
    const double* x0 = X_ + first_row;
    const double* x1 = d == 2 ? X_ + n_ + first_row : nullptr;
    const bool variances_only = covariance_model_info(control_.model).orientation == 'I';
    for (int k = 0; k < K; ++k) {
      const double* r = s.logp.col(k).data();
      double ref[2] = {theta.mu(0, k), d == 2 ? theta.mu(1, k) : 0.0};
      double sums[6];
      small_d::moment_sums(r, x0, x1, m, ref[0], ref[1], sums);
      const double weight = sums[0];
      out.weight[k] = weight;
      if (!(weight > 0.0)) continue;
      bool moved_far = false;
      for (int j = 0; j < d; ++j) {
        out.offset(j, k) = sums[1 + j] / weight;
        const double offset = out.offset(j, k);
        if (!(weight * offset * offset <= (1.0 - 1.0 / 1024.0) * sums[3 + 2 * j])) moved_far = true;
      }
      if (moved_far) {
        // centred on the rows' own weighted mean instead, as accumulate_moments() does
        for (int j = 0; j < d; ++j) ref[j] += out.offset(j, k);
        small_d::moment_sums(r, x0, x1, m, ref[0], ref[1], sums);
      } else {
        sums[3] -= weight * out.offset(0, k) * out.offset(0, k);
        sums[4] -= d == 2 ? weight * out.offset(0, k) * out.offset(1, k) : 0.0;
        sums[5] -= d == 2 ? weight * out.offset(1, k) * out.offset(1, k) : 0.0;
      }
      out.scatter(0, k) = sums[3];
      if (d == 2) {
        if (!variances_only) out.scatter(1, k) = sums[4];
        out.scatter(3, k) = sums[5];
      }
    }
  }

  // s.centred = x_i - mu_k; s.logp = log pi_k N(x_i | k); s.top = max_k of it (d >= 3; small_d.h does d <= 2).
  void log_densities(const Params& theta, const std::vector<PreparedComponent>& prepared, int first_row,
                     int m, ChunkScratch& s) const {
    const int d = d_;
    auto quad = s.quad.head(m);
    auto proj = s.proj.head(m);
    auto top = s.top.head(m);
    for (int k = 0; k < theta.k(); ++k) {
      const double* mu = theta.mu.col(k).data();
      for (int j = 0; j < d; ++j) {
        const double* column = X_ + static_cast<std::ptrdiff_t>(j) * n_ + first_row;
        s.centred.col(k * d + j).head(m) = Eigen::Map<const Eigen::ArrayXd>(column, m) - mu[j];
      }
      const Eigen::MatrixXd& Li = prepared[k].chol_inverse;
      // A diagonal covariance has a diagonal factor: its exact zeros add nothing.
      const bool diagonal = Li.isDiagonal(0.0);
      for (int j = 0; j < d; ++j) {
        if (diagonal) {
          proj = Li(j, j) * s.centred.col(k * d + j).head(m);
        } else {
          proj = Li(j, 0) * s.centred.col(k * d).head(m);
          for (int l = 1; l <= j; ++l) proj += Li(j, l) * s.centred.col(k * d + l).head(m);
        }
        if (j == 0) quad = proj.square(); else quad += proj.square();
      }
      s.logp.col(k).head(m) = prepared[k].log_weight_norm - 0.5 * quad;
      if (k == 0) top = s.logp.col(0).head(m); else top = top.max(s.logp.col(k).head(m));
    }
  }

  // s.logp becomes exp(logp - top) and s.total its sum over k.
  void normalise(int K, int m, ChunkScratch& s) const {
    auto top = s.top.head(m);
    auto total = s.total.head(m);
    for (int k = 0; k < K; ++k) {
      exp_packet::exp_shifted(s.logp.col(k).data(), top.data(), m);
      if (k == 0) total = s.logp.col(0).head(m); else total += s.logp.col(k).head(m);
    }
  }

  // The chunk's l(theta), sum_i w_i (top_i + log total_i), its rows and total
  // weight into `out`; false (with out.bad_row set) when some row counted has
  // no finite density.
  bool chunk_loglik(int K, int first_row, int m, const ChunkScratch& s, ChunkSums& out) const {
    auto top = s.top.head(m);
    auto total = s.total.head(m);
    double loglik = 0.0;
    if (weights_) {
      // The weights are summed here row by row, not by Eigen: its vectorised
      // sum starts at the first packet boundary, which depends on where R put
      // them, and the same fit must give the same bits wherever its data are.
      const double* w = weights_ + first_row;
      double total_weight = 0.0;
      for (int i = 0; i < m; ++i) {
        total_weight += w[i];
        // a row of weight 0 is not in the data: it neither counts nor can fail
        if (w[i] == 0.0) continue;
        const double term = top[i] + std::log(total[i]);
        if (!std::isfinite(term)) {
          out.bad_row = first_row + i;
          return false;
        }
        loglik += w[i] * term;
      }
      out.total_weight = total_weight;
    } else {
      // Each total lies in [1, K], so a product of `block` of them stays below
      // 2^1000: one log per block instead of one per row, to the same accuracy
      // as the sum of logs.
      const int block = std::max(1, static_cast<int>(1000.0 / std::log2(K + 1.0)));
      loglik = top.sum();
      for (int b = 0; b < m; b += block) {
        const int len = std::min(block, m - b);
        loglik += std::log(total.segment(b, len).prod());
      }
      if (!std::isfinite(loglik)) {
        // some row has no finite density (top = -inf or NaN): name the first
        for (int i = 0; i < m; ++i) {
          if (!std::isfinite(top[i] + std::log(total[i]))) {
            out.bad_row = first_row + i;
            return false;
          }
        }
      }
      out.total_weight = m;
    }
    out.loglik = loglik;
    out.rows = m;
    return true;
  }

  // s.logp becomes r_ik.
  void to_responsibilities(int K, int m, ChunkScratch& s) const {
    auto total = s.total.head(m);
    total = total.inverse();
    for (int k = 0; k < K; ++k) s.logp.col(k).head(m) *= total;
  }

  void write_responsibilities(double* resp, int K, int first_row, int m, const ChunkScratch& s) const {
    Eigen::Map<Eigen::MatrixXd>(resp, n_, K).middleRows(first_row, m) = s.logp.topRows(m).matrix();
  }

  // s.logp becomes w_i r_ik (0 for rows of weight 0, whatever their r).
  void weight_responsibilities(int K, int first_row, int m, ChunkScratch& s) const {
    const Eigen::Map<const Eigen::ArrayXd> w(weights_ + first_row, m);
    for (int k = 0; k < K; ++k) {
      s.logp.col(k).head(m) = (w > 0.0).select(s.logp.col(k).head(m) * w, 0.0);
    }
  }

  // Each component's weight, and its moments about the chunk's own weighted
  // mean o, which merge_sums() then pools. First about the reference: M - N o
  // o^T loses at most 10 bits when N o_j^2 <= (1 - 2^-10) M_jj, that is when
  // the mean moved by less than 32 standard deviations, as it nearly always
  // has; otherwise the chunk is centred on o and its moments taken again.
  void accumulate_moments(int K, int m, ChunkScratch& s, ChunkSums& out) const {
    const int d = d_;
    // spherical and diagonal structures read only the variances
    const bool variances_only = covariance_model_info(control_.model).orientation == 'I';
    for (int k = 0; k < K; ++k) {
      const auto r = s.logp.col(k).head(m);
      const double weight = r.sum();
      out.weight[k] = weight;
      if (!(weight > 0.0)) continue;
      // each sum is one fused loop over the rows: r c_j c_l is formed as (r c_j) c_l, never stored
      bool moved_far = false;
      for (int j = 0; j < d; ++j) {
        const auto cj = s.centred.col(k * d + j).head(m);
        const double offset = (r * cj).sum() / weight;
        out.offset(j, k) = offset;
        const int last = variances_only ? j + 1 : d;
        for (int l = j; l < last; ++l) out.scatter(j * d + l, k) = (r * cj * s.centred.col(k * d + l).head(m)).sum();
        if (!(weight * offset * offset <= (1.0 - 1.0 / 1024.0) * out.scatter(j * d + j, k))) moved_far = true;
      }
      if (!moved_far) {
        for (int j = 0; j < d; ++j) {
          const int last = variances_only ? j + 1 : d;
          for (int l = j; l < last; ++l) out.scatter(j * d + l, k) -= weight * out.offset(j, k) * out.offset(l, k);
        }
        continue;
      }
      for (int j = 0; j < d; ++j) s.centred.col(k * d + j).head(m) -= out.offset(j, k);
      for (int j = 0; j < d; ++j) {
        const auto cj = s.centred.col(k * d + j).head(m);
        const int last = variances_only ? j + 1 : d;
        for (int l = j; l < last; ++l) out.scatter(j * d + l, k) = (r * cj * s.centred.col(k * d + l).head(m)).sum();
      }
    }
  }

  // theta_t from the moments of r_t about the means of theta_{t-1}.
  Params m_step(const ChunkSums& sums, const Params& before, int iteration) const {
    return mstep_from_sums(sums, before, control_, iteration);
  }

  const double* X_;
  int n_;
  int d_;
  Control control_;
  const double* weights_;  // nullptr: every row has weight 1
  int n_chunks_ = 0;
  std::vector<ChunkSums> blocks_;  // each block's sums in the pass under way
  std::vector<ChunkScratch> scratch_;  // one per thread
  std::vector<small_d::Component> small_components_;  // the pass's components, when d <= 2
};

// Where kept responsibilities live: one n x K matrix per kept iteration,
// allocated only when that iteration runs (so a fit that stops early costs
// only what it ran). Which iterations are kept follows Control::keep:
//   - every iteration (`all`), or the listed `iterations`;
//   - with a `budget` (bytes, counting the path of the iterations run): every
//     iteration while it lasts, keeping room for the listed `iterations`
//     still to come and for the last one.
// The last iteration's responsibilities are always kept. Any class with
// slot(), last_slot() and discard() can stand in for this one.
class KeptResponsibilities {
public:
  KeptResponsibilities(int n, int K, const KeepPlan& plan) : n_(n), K_(K), plan_(plan) {
    std::sort(plan_.iterations.begin(), plan_.iterations.end());
  }

  // Storage for r_t when iteration t is to be kept, else nullptr.
  double* slot(int t) { return wanted(t) ? add(t) : nullptr; }
  // Storage for the last iteration's r_t when it was not kept on the way.
  double* last_slot(int t) { return add(t); }
  // Frees r_t again: the fit stopped before iteration t was recorded.
  void discard(int t) {
    if (!iterations_.empty() && iterations_.back() == t) {
      iterations_.pop_back();
      matrices_.pop_back();
    }
  }

  // The kept iterations, in increasing order, and their matrices.
  const std::vector<int>& iterations() const { return iterations_; }
  std::deque<Eigen::MatrixXd>& matrices() { return matrices_; }

private:
  bool wanted(int t) const {
    const bool listed = std::binary_search(plan_.iterations.begin(), plan_.iterations.end(), t);
    if (plan_.budget < 0.0) return plan_.all || listed;
    // Matrices the budget holds beside the path of iterations 0..t.
    const double room = (plan_.budget - (t + 1.0) * plan_.path_bytes) / plan_.matrix_bytes;
    // Room kept back for the listed iterations after t, and for the last one.
    const double later = static_cast<double>(
        plan_.iterations.end() - std::upper_bound(plan_.iterations.begin(), plan_.iterations.end(), t));
    const double used = static_cast<double>(iterations_.size());
    if (listed) return used + 2.0 <= room;
    return used + later + 2.0 <= room;
  }
  double* add(int t) {
    try {
      matrices_.emplace_back(n_, K_);
    } catch (const std::bad_alloc&) {
      throw em_error(Failure::out_of_memory, t);
    }
    iterations_.push_back(t);
    return matrices_.back().data();
  }
  int n_, K_;
  KeepPlan plan_;
  std::vector<int> iterations_;
  std::deque<Eigen::MatrixXd> matrices_;  // a deque never moves what it handed out
};

// Runs EM on the n x d column-major data X from `start`, keeping
// responsibilities as Control::keep says; they are moved into the Trace.
template <class Interrupt = NoInterrupt>
Trace fit_em(const double* X, int n, int d, const Params& start, const Control& control,
             Interrupt interrupt = Interrupt()) {
  EmRunner runner(X, n, d, control);
  KeptResponsibilities sink(n, start.k(), control.keep);
  Trace trace = runner.run(start, interrupt, sink);
  for (Eigen::MatrixXd& r : sink.matrices()) trace.resp.push_back(std::move(r));
  return trace;
}

}  // namespace gmmem

#endif
