// Deterministic random numbers for the synthetic company generator.
//
// The generator must produce byte-identical output for a given seed on every
// platform and standard library, so it never uses std::mt19937 with the
// std:: distributions (their algorithms are implementation-defined). Instead:
//   - SplitMix64 (Steele, Lea, Flood 2014) to derive seeds and hash keys,
//   - xoshiro256** (Blackman, Vigna 2018) as the workhorse generator.
// Streams are keyed, not sequential: every customer, every (customer, day)
// and every ticket gets its own generator seeded from DeriveSeed(seed, ...),
// so the output does not depend on the order or the thread that produces it.
//
// All types here are small values; a generator is owned by one thread.
#pragma once

#include <cstdint>

namespace custlake::generate {

__extension__ typedef unsigned __int128 Uint128;  // __extension__: quiet under -Wpedantic

/// The SplitMix64 output function: a bijection on 64 bits with good
/// avalanche. Also used to turn sequential keys into random-looking ids.
constexpr uint64_t Mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// Seeds for independent streams: DeriveSeed(seed, kStreamUsage, customer, day).
constexpr uint64_t DeriveSeed(uint64_t seed, uint64_t stream, uint64_t a = 0, uint64_t b = 0) {
  uint64_t h = Mix64(seed ^ 0x6A09E667F3BCC909ull);
  h = Mix64(h ^ (stream * 0x9E3779B97F4A7C15ull));
  h = Mix64(h ^ a);
  return Mix64(h ^ (b + 0x3C6EF372FE94F82Bull));
}

/// Stream identifiers for DeriveSeed; changing one changes that part of the output.
enum Stream : uint64_t {
  kStreamCustomer = 1,
  kStreamUsage = 2,
  kStreamTicket = 3,
  kStreamMess = 4,
  kStreamCatalog = 5,
  kStreamIds = 6,
  kStreamFiles = 7,
};

/// SplitMix64 as a generator: tiny state, used where a stream lives for a
/// few draws only (one customer-day of usage).
class SplitMix64 {
 public:
  explicit constexpr SplitMix64(uint64_t seed) : state_(seed) {}
  constexpr uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1]: safe to take the logarithm of.
  double UniformPos() { return static_cast<double>((Next() >> 11) + 1) * 0x1.0p-53; }
  /// Uniform integer in [0, n) (Lemire's multiply-shift; bias < n / 2^64).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<Uint128>(Next()) * n) >> 64);
  }

 private:
  uint64_t state_;
};

/// xoshiro256**: the long-lived per-customer generator.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    SplitMix64 sm(seed);
    for (uint64_t& w : s_) w = sm.Next();
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double UniformPos() { return static_cast<double>((Next() >> 11) + 1) * 0x1.0p-53; }
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<Uint128>(Next()) * n) >> 64);
  }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace custlake::generate
