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

#include <cstdint>
#include <string_view>
#include <vector>

namespace custlake::ingest {

/// A fast 64-bit hash of a key's canonical text (never 0).
uint64_t KeyFingerprint(std::string_view key);

class DedupIndex {
 public:
  DedupIndex();
  /// Inserts; false when the fingerprint was already present.
  bool Insert(uint64_t fp);
  bool Contains(uint64_t fp) const;
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

}  // namespace custlake::ingest
