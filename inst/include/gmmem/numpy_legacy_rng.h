// numpy's legacy RandomState stream (np.random.seed / multivariate_normal), reproduced bit for bit.
#ifndef GMMEM_NUMPY_LEGACY_RNG_H
#define GMMEM_NUMPY_LEGACY_RNG_H

#include <array>
#include <cmath>
#include <cstdint>

namespace gmmem {

// MT19937 seeded by init_genrand (what np.random.seed(int) does), with numpy's
// 53-bit doubles and its legacy polar Gaussian, including the cached second value.
// The cache is part of the stream: an odd number of draws shifts every later one.
class NumpyLegacy {
public:
  explicit NumpyLegacy(std::uint32_t seed) { reseed(seed); }

  void reseed(std::uint32_t seed) {
    state_[0] = seed;
    for (int i = 1; i < kStateSize; ++i) {
      const std::uint32_t prev = state_[i - 1];
      state_[i] = 1812433253u * (prev ^ (prev >> 30)) + static_cast<std::uint32_t>(i);
    }
    pos_ = kStateSize;
    has_cached_normal_ = false;
    cached_normal_ = 0.0;
  }

  std::uint32_t next_uint32() {
    if (pos_ >= kStateSize) refill();
    std::uint32_t y = state_[pos_++];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= (y >> 18);
    return y;
  }

  // Uniform on [0, 1) with 53 random bits, as numpy's random_sample().
  double next_double() {
    const std::uint32_t a = next_uint32() >> 5;
    const std::uint32_t b = next_uint32() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  // Standard normal by the polar method; numpy returns f * x2 and keeps f * x1.
  double normal() {
    if (has_cached_normal_) {
      has_cached_normal_ = false;
      return cached_normal_;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * next_double() - 1.0;
      x2 = 2.0 * next_double() - 1.0;
      // numpy's C code rounds each square before adding; a volatile keeps a
      // compiler that targets FMA hardware from fusing them.
      volatile double x1_sq = x1 * x1;
      volatile double x2_sq = x2 * x2;
      r2 = x1_sq + x2_sq;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    cached_normal_ = f * x1;
    has_cached_normal_ = true;
    return f * x2;
  }

private:
  static constexpr int kStateSize = 624;
  static constexpr int kShift = 397;

  void refill() {
    const std::uint32_t upper = 0x80000000u, lower = 0x7fffffffu, matrix_a = 0x9908b0dfu;
    for (int i = 0; i < kStateSize; ++i) {
      const std::uint32_t y = (state_[i] & upper) | (state_[(i + 1) % kStateSize] & lower);
      state_[i] = state_[(i + kShift) % kStateSize] ^ (y >> 1) ^ ((y & 1u) ? matrix_a : 0u);
    }
    pos_ = 0;
  }

  std::array<std::uint32_t, kStateSize> state_{};
  int pos_ = kStateSize;
  bool has_cached_normal_ = false;
  double cached_normal_ = 0.0;
};

}  // namespace gmmem

#endif
