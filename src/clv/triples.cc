#include "clv/triples.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <unordered_map>

namespace custlake::clv {
namespace {

using Key = TripleKey;
using KeyHash = TripleKeyHash;

// Counts equal keys in a hash map (customers share few distinct histories, so
// the map stays small and hot), then sorts the distinct keys.
template <typename KeyFn, typename AppendFn>
void CountKeys(const std::vector<CustomerSummary>& customers, KeyFn key_of, AppendFn append) {
  std::unordered_map<Key, double, KeyHash> counts;
  for (const CustomerSummary& c : customers) {
    Key k;
    if (key_of(c, &k)) counts[k] += 1;
  }
  std::vector<std::pair<Key, double>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [k, n] : sorted) append(k, n);
}

}  // namespace

double Triples::customers() const { return std::accumulate(count.begin(), count.end(), 0.0); }

Triples CompressTriples(const std::vector<CustomerSummary>& customers) {
  Triples out;
  CountKeys(
      customers,
      [](const CustomerSummary& c, Key* k) {
        *k = {c.x, c.T, c.t_x};
        return true;
      },
      [&out](const Key& k, double n) {
        out.x.push_back(k[0]);
        out.T.push_back(k[1]);
        out.t_x.push_back(k[2]);
        out.count.push_back(n);
      });
  return out;
}

SpendPairs CompressSpend(const std::vector<CustomerSummary>& customers) {
  SpendPairs out;
  CountKeys(
      customers,
      [](const CustomerSummary& c, Key* k) {
        *k = {c.x, c.spend, 0};
        return c.x > 0 && c.spend > 0;
      },
      [&out](const Key& k, double n) {
        out.x.push_back(k[0]);
        out.m.push_back(k[1]);
        out.count.push_back(n);
      });
  return out;
}

}  // namespace custlake::clv
