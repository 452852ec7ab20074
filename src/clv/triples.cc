#include "clv/triples.h"

#include <algorithm>
#include <array>
#include <numeric>

namespace custlake::clv {
namespace {

using Key = std::array<double, 3>;

// Sorted keys with their multiplicities.
template <typename AppendFn>
void CountSorted(std::vector<Key>& keys, AppendFn append) {
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size();) {
    size_t j = i;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    append(keys[i], static_cast<double>(j - i));
    i = j;
  }
}

}  // namespace

double Triples::customers() const { return std::accumulate(count.begin(), count.end(), 0.0); }

Triples CompressTriples(const std::vector<CustomerSummary>& customers) {
  std::vector<Key> keys;
  keys.reserve(customers.size());
  for (const CustomerSummary& c : customers) keys.push_back({c.x, c.T, c.t_x});
  Triples out;
  CountSorted(keys, [&out](const Key& k, double n) {
    out.x.push_back(k[0]);
    out.T.push_back(k[1]);
    out.t_x.push_back(k[2]);
    out.count.push_back(n);
  });
  return out;
}

SpendPairs CompressSpend(const std::vector<CustomerSummary>& customers) {
  std::vector<Key> keys;
  for (const CustomerSummary& c : customers) {
    if (c.x > 0 && c.spend > 0) keys.push_back({c.x, c.spend, 0});
  }
  SpendPairs out;
  CountSorted(keys, [&out](const Key& k, double n) {
    out.x.push_back(k[0]);
    out.m.push_back(k[1]);
    out.count.push_back(n);
  });
  return out;
}

}  // namespace custlake::clv
