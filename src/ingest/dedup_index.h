// DedupIndex: which keys a dataset already holds, to drop re-sent records.
//
// Keys are kept as 64-bit fingerprints in an open-addressing table (8 bytes
// a slot, load factor <= 0.7: about 12 bytes per key, so 100 million keys
// fit in 1.2 GB and the 7 million events of the benchmark in ~100 MB). The
// index is built at start from the committed files of the dataset (DuckDB
// reads just the key column, file by file) and then grows with each batch.
// Nothing extra is stored in the lake: the committed Parquet files are the
// truth, so the index can never disagree with them after a crash.
//
// A fingerprint collision (two different keys, same 64 bits) would count a
// new record as a duplicate: with n keys the chance is about n^2 / 2^65
// (1e-5 at 10 million keys, 3 % at a billion; see docs/ingest.md for the
// planned sharded on-disk index that bounds memory at that scale).
//
// Not thread-safe; the ingester owns one per dataset.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace custlake::ingest {

/// A fast 64-bit hash of a key's canonical text (never 0).
uint64_t KeyFingerprint(std::string_view key);

class DedupIndex {
 public:
  /// `initial_slots` must be a power of two.
  explicit DedupIndex(size_t initial_slots = 1 << 16);
  /// Inserts; false when the fingerprint was already present.
  bool Insert(uint64_t fp);
  bool Contains(uint64_t fp) const;
  /// Starts loading the slot where `fp` would be (a hint: Insert soon after
  /// finds it in cache instead of waiting on memory).
  void Prefetch(uint64_t fp) const { __builtin_prefetch(slots_.data() + (fp & mask_)); }
  /// Removes (undoes an Insert of a file that is then quarantined whole).
  void Erase(uint64_t fp);
  size_t size() const { return size_; }
  size_t memory_bytes() const { return slots_.size() * sizeof(uint64_t); }

 private:
  void Grow();
  std::vector<uint64_t> slots_;  ///< 0 = empty
  size_t mask_ = 0;
  size_t size_ = 0;
};

/// The index with bounded memory: one DedupIndex per partition (event day),
/// loaded on first use from the lake's committed files of that partition
/// (the loader reads their key column), and evicted least-recently-used
/// between batches once more than `budget_keys` keys are resident. Nothing
/// is stored beside the lake: an evicted or never-loaded partition is
/// rebuilt from the committed Parquet, so the index cannot disagree with
/// the lake after a crash, whatever the distance between a record and its
/// duplicate.
///
/// Keys are inserted in epochs (SetEpoch): a batch starts one, and so does
/// each spill of its rows to Parquet parts. An epoch is "open" while its
/// keys are only in memory; once its rows are in the lake or in parts the
/// loader reads (the ingester's pending parts), it is closed. Trim evicts
/// only partitions touched in no open epoch, so an evicted partition can
/// always be rebuilt with every key inserted so far.
///
/// Scope: a key is a duplicate of a committed key of the same partition (a
/// re-sent event carries its own event time, so its day). Memory is at most
/// budget_keys keys plus the keys of the partitions touched in open epochs
/// (at most two: the batch being parsed since its last spill and the
/// previous batch's last part). Since a reloaded partition brings all of
/// its committed keys, the ingester closes the open epochs when
/// over_budget() (it spills and commits the batch in flight) and trims, so
/// the index stays near the budget plus one partition, however much a
/// single file holds.
/// Without a partition field every record maps to one partition (kWhole),
/// which is the whole dataset: then memory grows with distinct keys.
class PartitionedDedupIndex {
 public:
  static constexpr int64_t kWhole = INT64_MIN;
  /// Fills `into` with the committed keys of partition `day`.
  using Loader = std::function<Status(int64_t day, DedupIndex* into)>;

  PartitionedDedupIndex(Loader loader, size_t budget_keys);

  /// Inserts; false when the key is already in the partition (loads it first).
  Result<bool> Insert(int64_t day, uint64_t fp);
  /// Insert(day, fp)'s slot to cache, when the partition is resident (a hint).
  void Prefetch(int64_t day, uint64_t fp) const;
  /// Undoes an Insert (the partition is loaded: it was just inserted into).
  void Erase(int64_t day, uint64_t fp);
  /// The epoch (increasing number) whose keys the next Inserts add.
  void SetEpoch(int64_t epoch) {
    epoch_ = epoch;
    last_ = nullptr;
  }
  /// Evicts least-recently-used partitions down to the budget, but only
  /// partitions touched in none of `open_epochs` (their keys may be in
  /// memory only).
  void Trim(const std::vector<int64_t>& open_epochs = {});
  /// Forgets every partition (they reload from the lake on next use).
  void Clear();

  size_t keys() const;
  size_t budget_keys() const { return budget_keys_; }
  /// Resident keys well past the budget (budget + a quarter): the caller
  /// should close the open epochs (spill, commit the in-flight batch) and Trim.
  bool over_budget() const { return keys_ > budget_keys_ + budget_keys_ / 4; }
  size_t partitions() const { return parts_.size(); }
  int64_t loads() const { return loads_; }
  size_t memory_bytes() const;

 private:
  struct Part {
    std::unique_ptr<DedupIndex> index;
    std::list<int64_t>::iterator lru;
    std::vector<int64_t> epochs;  ///< epochs it was touched in, not yet known closed
  };
  Result<DedupIndex*> Get(int64_t day);

  Loader loader_;
  size_t budget_keys_;
  std::unordered_map<int64_t, Part> parts_;
  std::list<int64_t> lru_;  ///< front = most recently used
  int64_t last_day_ = 0;
  DedupIndex* last_ = nullptr;
  int64_t loads_ = 0;
  int64_t epoch_ = 0;
  size_t keys_ = 0;  ///< resident keys, all partitions
};

}  // namespace custlake::ingest
