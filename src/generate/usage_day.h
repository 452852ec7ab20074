// One customer-day of usage: the random stream that decides whether a
// customer uses the product on a day, shared by the usage writer (which goes
// on to draw the day's events from the same stream) and the company model
// (which counts a month's days of use for the churn hazard, so the hazard
// reads the days the landing files show, not a latent level they cannot).
//
// The stream is keyed by (seed, day, customer) only: its first uniform below
// the customer-month's p_active means a day of use. Plain functions;
// thread-safe.
#pragma once

#include <cmath>
#include <cstdint>

#include "generate/rng.h"

namespace custlake::generate {

/// The seed of a day's usage streams (computed once per day).
inline uint64_t UsageDaySeed(uint64_t seed, int32_t day) {
  return DeriveSeed(seed, kStreamUsage, static_cast<uint64_t>(day));
}

/// The stream of one customer-day; its first Uniform() decides the day of use.
inline SplitMix64 UsageDayStream(uint64_t day_seed, int64_t customer) {
  return SplitMix64(Mix64(day_seed ^ static_cast<uint64_t>(customer)));
}

/// Whether the customer (index) uses the product on the day of `day_seed` at `p_active`
/// (the float of UsageProfiles::Rates, compared exactly as the writer compares it).
inline bool UsesProductOn(uint64_t day_seed, int64_t customer, float p_active) {
  SplitMix64 rng = UsageDayStream(day_seed, customer);
  return rng.Uniform() < p_active;
}

/// The month's realised usage level, what the churn hazard and the offer's
/// response read: ln((days of use + 1) / (days a customer x rate at engagement 1 + 1)).
/// 0 = the segment's typical use; a consumer (4.2 expected days in a full month)
/// with no day of use has ln(1 / 5.2) = -1.65. No day a customer: 0.
inline double RealisedUsageLevel(int active_days, int customer_days, double base_rate) {
  return std::log((active_days + 1.0) / (customer_days * base_rate + 1.0));
}

/// The weight of the latest month in the usage habit, the exponentially smoothed realised level the
/// churn hazard reads: habit = w x level + (1 - w) x the habit of the month before (the first month's
/// level alone). A month's days of use are few (about 4 for a consumer at engagement 1), so one quiet
/// month moves the habit a little and a run of them a lot.
inline constexpr double kUsageHabitWeight = 0.5;

}  // namespace custlake::generate
