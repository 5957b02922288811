// The E-step's inner loops for one or two variables, fused and written with Eigen's packet primitives.
#ifndef GMMEM_SMALL_D_H
#define GMMEM_SMALL_D_H

#include <Eigen/Dense>
#include <cmath>
#include <vector>

#include "component.h"
#include "exp_packet.h"

namespace gmmem {

// With d <= 2 a row's log density is a handful of operations, so the general
// path (one vectorised Eigen loop per term, through stored columns) spends its
// time loading and storing, not computing. Here each SIMD packet of rows is
// loaded once and carried through every component in registers. The packet
// is whatever Eigen chose for the kernel being compiled (8 doubles with
// AVX-512, 4 with AVX2, 2 with SSE2, 1 without SIMD), so every kernel shares
// this code. Rows past the last whole packet take the same steps one at a time.
namespace small_d {

using Packet = Eigen::internal::packet_traits<double>::type;
constexpr int width = Eigen::internal::unpacket_traits<Packet>::size;

// One component's constants: its mean and the rows of L^{-1} (lower).
struct Component {
  double mu0 = 0.0, mu1 = 0.0;
  double l00 = 0.0, l10 = 0.0, l11 = 0.0;
  double log_weight_norm = 0.0;
};

inline std::vector<Component> components(const Eigen::MatrixXd& mu, const std::vector<PreparedComponent>& prepared) {
  const int d = static_cast<int>(mu.rows());
  std::vector<Component> out(prepared.size());
  for (std::size_t k = 0; k < prepared.size(); ++k) {
    const Eigen::MatrixXd& L = prepared[k].chol_inverse;
    out[k].mu0 = mu(0, k);
    out[k].l00 = L(0, 0);
    if (d == 2) {
      out[k].mu1 = mu(1, k);
      out[k].l10 = L(1, 0);
      out[k].l11 = L(1, 1);
    }
    out[k].log_weight_norm = prepared[k].log_weight_norm;
  }
  return out;
}

// log pi_k N(x | k) = log_weight_norm - |L^{-1} (x - mu)|^2 / 2 for a packet
// (or a single row) of x; x1 is unused when d = 1.
template <class P>
inline P log_density(const P& x0, const P& x1, const Component& c, bool two) {
  using namespace Eigen::internal;
  const P c0 = psub(x0, pset1<P>(c.mu0));
  const P a = pmul(pset1<P>(c.l00), c0);
  P q = pmul(a, a);
  if (two) {
    const P c1 = psub(x1, pset1<P>(c.mu1));
    const P b = pmadd(pset1<P>(c.l10), c0, pmul(pset1<P>(c.l11), c1));
    q = pmadd(b, b, q);
  }
  return pmadd(pset1<P>(-0.5), q, pset1<P>(c.log_weight_norm));
}

// For rows [0, m) of x0 (and x1), with e_ik = exp(log pi_k N(x_i | k) - top_i):
// top_i = max_k log pi_k N(x_i | k) into `top`, total_i = sum_k e_ik into
// `total`, and the responsibilities r_ik = e_ik / total_i into column k of
// `r` (leading dimension `stride`).
template <class P>
inline void densities_at(const double* x0, const double* x1, int i, const std::vector<Component>& comps, bool two,
                         double* r, Eigen::Index stride, double* top, double* total) {
  using namespace Eigen::internal;
  double* e = r;  // e_ik until divided by total_i
  const int K = static_cast<int>(comps.size());
  const P p0 = ploadu<P>(x0 + i);
  const P p1 = two ? ploadu<P>(x1 + i) : p0;
  P best = log_density(p0, p1, comps[0], two);
  pstoreu(e + i, best);
  for (int k = 1; k < K; ++k) {
    const P lp = log_density(p0, p1, comps[k], two);
    pstoreu(e + k * stride + i, lp);
    best = pmax(best, lp);
  }
  P sum = pset1<P>(0.0);
  for (int k = 0; k < K; ++k) {
    const P ek = exp_packet::exp_nonpositive(psub(ploadu<P>(e + k * stride + i), best));
    pstoreu(e + k * stride + i, ek);
    sum = padd(sum, ek);
  }
  pstoreu(top + i, best);
  pstoreu(total + i, sum);
  const P inverse = pdiv(pset1<P>(1.0), sum);
  for (int k = 0; k < K; ++k) pstoreu(e + k * stride + i, pmul(ploadu<P>(e + k * stride + i), inverse));
}

inline void responsibilities(const double* x0, const double* x1, int m, const std::vector<Component>& comps,
                             double* r, Eigen::Index stride, double* top, double* total) {
  const bool two = x1 != nullptr;
  int i = 0;
  for (; i + width <= m; i += width) densities_at<Packet>(x0, x1, i, comps, two, r, stride, top, total);
  for (; i < m; ++i) densities_at<double>(x0, x1, i, comps, two, r, stride, top, total);
}

// Weighted sums of one component about the reference (ref0, ref1), with
// weights r_i (responsibility times case weight): sums = {sum r, sum r c0,
// sum r c1, sum r c0^2, sum r c0 c1, sum r c1^2}, c = x - ref (the c1 terms
// stay 0 when d = 1). One pass, every sum in its own accumulator.
inline void moment_sums(const double* r, const double* x0, const double* x1, int m, double ref0, double ref1,
                        double sums[6]) {
  using namespace Eigen::internal;
  const bool two = x1 != nullptr;
  const Packet z = pset1<Packet>(0.0), m0 = pset1<Packet>(ref0), m1 = pset1<Packet>(ref1);
  Packet w = z, s0 = z, s1 = z, s00 = z, s01 = z, s11 = z;
  int i = 0;
  for (; i + width <= m; i += width) {
    const Packet ri = ploadu<Packet>(r + i);
    const Packet c0 = psub(ploadu<Packet>(x0 + i), m0);
    const Packet rc0 = pmul(ri, c0);
    w = padd(w, ri);
    s0 = padd(s0, rc0);
    s00 = pmadd(rc0, c0, s00);
    if (two) {
      const Packet c1 = psub(ploadu<Packet>(x1 + i), m1);
      const Packet rc1 = pmul(ri, c1);
      s1 = padd(s1, rc1);
      s01 = pmadd(rc0, c1, s01);
      s11 = pmadd(rc1, c1, s11);
    }
  }
  sums[0] = predux(w);
  sums[1] = predux(s0);
  sums[2] = predux(s1);
  sums[3] = predux(s00);
  sums[4] = predux(s01);
  sums[5] = predux(s11);
  for (; i < m; ++i) {
    const double c0 = x0[i] - ref0, rc0 = r[i] * c0;
    sums[0] += r[i];
    sums[1] += rc0;
    sums[3] += rc0 * c0;
    if (two) {
      const double c1 = x1[i] - ref1, rc1 = r[i] * c1;
      sums[2] += rc1;
      sums[4] += rc0 * c1;
      sums[5] += rc1 * c1;
    }
  }
}

}  // namespace small_d
}  // namespace gmmem

#endif
