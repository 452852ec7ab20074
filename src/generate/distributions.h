// Samplers for the distributions the company model draws from.
//
// Hand-written on purpose: std::gamma_distribution and friends are not
// specified algorithm-by-algorithm, so libstdc++ and libc++ give different
// numbers for the same engine and seed. These samplers use documented
// algorithms and only +,-,*,/, sqrt, log, exp and lgamma, so output is the
// same wherever those libm functions agree (glibc everywhere we build).
//
// Every sampler is a free function template over a generator with
// Uniform() in [0,1) and UniformPos() in (0,1] (SplitMix64, Xoshiro256).
// Stateless apart from the generator; thread-safe with one generator per thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace custlake::generate {

/// Exponential with the given mean (not rate).
template <typename Rng>
double SampleExponential(Rng& rng, double mean) {
  return -std::log(rng.UniformPos()) * mean;
}

/// Standard normal by Marsaglia's polar method (one value per call; the
/// second value is discarded to keep the generator stateless).
template <typename Rng>
double SampleNormal(Rng& rng) {
  for (;;) {
    const double u = 2.0 * rng.Uniform() - 1.0;
    const double v = 2.0 * rng.Uniform() - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

/// Gamma(shape, scale) by Marsaglia & Tsang (2000); shape < 1 through the
/// boost Gamma(shape+1) * U^(1/shape). Mean shape*scale.
template <typename Rng>
double SampleGamma(Rng& rng, double shape, double scale) {
  if (shape < 1.0) {
    const double g = SampleGamma(rng, shape + 1.0, 1.0);
    return g * std::pow(rng.UniformPos(), 1.0 / shape) * scale;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x;
    double v;
    do {
      x = SampleNormal(rng);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.UniformPos();
    if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v * scale;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v * scale;
  }
}

/// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
template <typename Rng>
double SampleBeta(Rng& rng, double a, double b) {
  const double x = SampleGamma(rng, a, 1.0);
  const double y = SampleGamma(rng, b, 1.0);
  return x / (x + y);
}

/// Poisson(mean): inversion by multiplication for mean < 10, Hörmann's
/// PTRS transformed rejection (1993) above.
template <typename Rng>
int64_t SamplePoisson(Rng& rng, double mean) {
  if (mean <= 0.0) return 0;
  if (mean < 10.0) {
    const double limit = std::exp(-mean);
    double prod = rng.UniformPos();
    int64_t k = 0;
    while (prod > limit) {
      prod *= rng.UniformPos();
      ++k;
    }
    return k;
  }
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = rng.Uniform() - 0.5;
    const double v = rng.UniformPos();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<int64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - std::lgamma(k + 1.0)) {
      return static_cast<int64_t>(k);
    }
  }
}

/// Index drawn with probability proportional to `weights` (linear search:
/// for the handful of categories the model uses).
template <typename Rng>
int SampleIndex(Rng& rng, std::span<const double> weights) {
  double total = 0.0;
  for (double w : weights) total += w;
  double u = rng.Uniform() * total;
  for (size_t i = 0; i + 1 < weights.size(); ++i) {
    if (u < weights[i]) return static_cast<int>(i);
    u -= weights[i];
  }
  return static_cast<int>(weights.size()) - 1;
}

/// O(1) categorical sampling for the hot usage path: the weights are
/// quantised into 1024 slots (error < 0.1 percentage points per category),
/// and a draw is one table look-up on 10 random bits.
class CategoricalTable {
 public:
  CategoricalTable() = default;
  explicit CategoricalTable(std::span<const double> weights);
  /// `bits` must be uniform; only the top 10 bits are used.
  uint16_t Pick(uint64_t bits) const { return slots_[bits >> 54]; }

 private:
  uint16_t slots_[1024] = {};
};

/// Quantile table for a continuous distribution on the hot path: 1024
/// precomputed quantiles, a draw picks one and interpolates to the next.
class QuantileTable {
 public:
  QuantileTable() = default;
  /// `quantile(p)` for p in (0, 1).
  template <typename F>
  static QuantileTable FromQuantile(F quantile) {
    QuantileTable t;
    for (int i = 0; i <= 1024; ++i) {
      double p = (i + 0.5) / 1025.0;
      t.q_[i] = quantile(p);
    }
    return t;
  }
  double Pick(uint64_t bits) const {
    const uint32_t i = static_cast<uint32_t>(bits >> 54);
    const double frac = static_cast<double>((bits >> 22) & 0xFFFFFFFFull) * 0x1.0p-32;
    return q_[i] + (q_[i + 1] - q_[i]) * frac;
  }

 private:
  double q_[1025] = {};
};

/// The standard normal quantile (Acklam's rational approximation refined by
/// one Halley step; |error| < 1e-12). Used to build QuantileTables.
double NormalQuantile(double p);

}  // namespace custlake::generate
