// exp() of a SIMD packet of doubles without a division, for the E-step's exp(log p - max log p).
#ifndef GMMEM_EXP_PACKET_H
#define GMMEM_EXP_PACKET_H

#include <Eigen/Dense>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace gmmem {
namespace exp_packet {

// Eigen 3.3's pexp() for doubles evaluates a rational function, and its
// division is most of an E-step's time at d <= 2 (the divider is slow and
// not fully pipelined). Here exp(x) = 2^n exp(r), n = round(x / log 2), |r| <=
// log(2) / 2, with exp(r) from its Taylor polynomial of degree 13 (the first
// term left out is below 5e-18, under half an ulp) in Estrin's order, all
// multiply-adds. log 2 is split as fdlibm splits it, hi with only 32
// significant bits, so n * hi (|n| <= 1022) is exact with or without a fused
// multiply-add. Arguments below log(2^-1022) give 0 (the true value is a
// subnormal number, which the M-step treats as no weight anyway); NaN stays NaN.
constexpr double log2e = 1.4426950408889634;
constexpr double ln2_hi = 6.93147180369123816490e-01;
constexpr double ln2_lo = 1.90821492927058770002e-10;
constexpr double lowest = -708.39641853226408;  // log of double's smallest normal number
// 1.5 * 2^52: adding it rounds a double of magnitude < 2^51 to an integer,
// which then sits in the low bits of the sum's mantissa.
constexpr double round_magic = 6755399441055744.0;

template <class P>
inline P polynomial(const P& r) {
  using namespace Eigen::internal;
  // sum_{k=0}^{13} r^k / k! in Estrin's order (pairs, then pairs of pairs):
  // five operations deep instead of Horner's thirteen, so the chains of
  // several packets overlap in the pipeline
  const P r2 = pmul(r, r), r4 = pmul(r2, r2), r8 = pmul(r4, r4);
  const P p01 = pmadd(r, pset1<P>(1.0), pset1<P>(1.0));
  const P p23 = pmadd(r, pset1<P>(1.0 / 6.0), pset1<P>(0.5));
  const P p45 = pmadd(r, pset1<P>(1.0 / 120.0), pset1<P>(1.0 / 24.0));
  const P p67 = pmadd(r, pset1<P>(1.0 / 5040.0), pset1<P>(1.0 / 720.0));
  const P p89 = pmadd(r, pset1<P>(1.0 / 362880.0), pset1<P>(1.0 / 40320.0));
  const P p1011 = pmadd(r, pset1<P>(1.0 / 39916800.0), pset1<P>(1.0 / 3628800.0));
  const P p1213 = pmadd(r, pset1<P>(1.0 / 6227020800.0), pset1<P>(1.0 / 479001600.0));
  const P p0_3 = pmadd(r2, p23, p01);
  const P p4_7 = pmadd(r2, p67, p45);
  const P p8_11 = pmadd(r2, p1011, p89);
  const P p0_7 = pmadd(r4, p4_7, p0_3);
  const P p8_13 = pmadd(r4, p1213, p8_11);
  return pmadd(r8, p8_13, p0_7);
}

// The packet's two steps that need integer instructions: 2^n from t = n +
// round_magic (n in [-1022, 0] wherever the result is kept), and the mask that
// zeroes results for x below `lowest` (NaN is not below, so it passes).
#if defined(__AVX2__)
inline __m256d two_to(__m256d t) {
  const __m256i bits = _mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023));
  return _mm256_castsi256_pd(_mm256_slli_epi64(bits, 52));
}
inline __m256d zero_below_lowest(__m256d value, __m256d x) {
  return _mm256_and_pd(value, _mm256_cmp_pd(x, _mm256_set1_pd(lowest), _CMP_NLT_UQ));
}
#endif
#if defined(EIGEN_VECTORIZE_AVX512)
inline __m512d two_to(__m512d t) {
  const __m512i bits = _mm512_add_epi64(_mm512_castpd_si512(t), _mm512_set1_epi64(1023));
  return _mm512_castsi512_pd(_mm512_slli_epi64(bits, 52));
}
inline __m512d zero_below_lowest(__m512d value, __m512d x) {
  return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(x, _mm512_set1_pd(lowest), _CMP_NLT_UQ), value);
}
#endif
#if defined(__SSE2__)
inline __m128d two_to(__m128d t) {
  const __m128i bits = _mm_add_epi64(_mm_castpd_si128(t), _mm_set1_epi64x(1023));
  return _mm_castsi128_pd(_mm_slli_epi64(bits, 52));
}
inline __m128d zero_below_lowest(__m128d value, __m128d x) {
  return _mm_and_pd(value, _mm_cmpnlt_pd(x, _mm_set1_pd(lowest)));
}
#endif

template <class P>
inline P division_free_exp(const P& x) {
  using namespace Eigen::internal;
  const P magic = pset1<P>(round_magic);
  const P t = pmadd(x, pset1<P>(log2e), magic);
  const P n = psub(t, magic);
  P r = psub(x, pmul(n, pset1<P>(ln2_hi)));
  r = psub(r, pmul(n, pset1<P>(ln2_lo)));
  return zero_below_lowest(pmul(polynomial(r), two_to(t)), x);
}

// exp(x) for x <= 0 (or NaN), elementwise, 0 below `lowest` whichever way it
// is computed: the division-free version for SSE2, AVX2 and AVX-512 packets,
// the C library's for single rows and, lane by lane, for any other packet
// (NEON, say: Eigen 3.3 has no packet exp for doubles there).
template <class P>
inline P exp_nonpositive(const P& x) {
  using namespace Eigen::internal;
  constexpr int width = unpacket_traits<P>::size;
  double lanes[width];  // unaligned loads and stores: the stack need not be aligned to a packet
  pstoreu(lanes, x);
  for (int i = 0; i < width; ++i) lanes[i] = lanes[i] < lowest ? 0.0 : std::exp(lanes[i]);
  return ploadu<P>(lanes);
}
template <>
inline double exp_nonpositive<double>(const double& x) {
  return x < lowest ? 0.0 : std::exp(x);
}
#if defined(__SSE2__)
template <>
inline __m128d exp_nonpositive<__m128d>(const __m128d& x) {
  return division_free_exp(x);
}
#endif
#if defined(__AVX2__)
template <>
inline __m256d exp_nonpositive<__m256d>(const __m256d& x) {
  return division_free_exp(x);
}
#endif

#if defined(EIGEN_VECTORIZE_AVX512)
template <>
inline __m512d exp_nonpositive<__m512d>(const __m512d& x) {
  return division_free_exp(x);
}
#endif

// x_i = exp(x_i - shift_i) for i < m: the packets, then the rows left over one at a time.
inline void exp_shifted(double* x, const double* shift, int m) {
  using namespace Eigen::internal;
  using Packet = packet_traits<double>::type;
  constexpr int width = unpacket_traits<Packet>::size;
  int i = 0;
  for (; i + width <= m; i += width) {
    pstoreu(x + i, exp_nonpositive(psub(ploadu<Packet>(x + i), ploadu<Packet>(shift + i))));
  }
  for (; i < m; ++i) x[i] = exp_nonpositive(x[i] - shift[i]);
}

}  // namespace exp_packet
}  // namespace gmmem

#endif
