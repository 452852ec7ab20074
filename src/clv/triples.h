// The distinct (x, t_x, T) rows of a summary table with their counts.
//
// Every count model's likelihood depends on a customer only through
// (x, t_x, T), so fitting sums over the distinct triples weighted by how many
// customers share each: millions of customers with day-resolution dates
// collapse to far fewer rows. Rows are sorted by x, so per-x terms (log-gamma
// functions) are computed once per run of equal x.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "clv/summary.h"

namespace custlake::clv {

struct Triples {
  std::vector<double> x, t_x, T, count;
  size_t size() const { return x.size(); }
  double customers() const;
};

/// Three doubles as a hash key (bit patterns: equal values, equal keys).
using TripleKey = std::array<double, 3>;
struct TripleKeyHash {
  size_t operator()(const TripleKey& k) const {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (double v : k) {
      uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      h = (h ^ bits) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
    }
    return h;
  }
};

Triples CompressTriples(const std::vector<CustomerSummary>& customers);

/// (x, mean repeat spend) of the customers with x > 0 and a positive mean
/// spend (the model is for positive amounts), for Gamma-Gamma.
struct SpendPairs {
  std::vector<double> x, m, count;
  size_t size() const { return x.size(); }
};

SpendPairs CompressSpend(const std::vector<CustomerSummary>& customers);

}  // namespace custlake::clv
