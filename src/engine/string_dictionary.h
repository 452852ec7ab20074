// StringDictionary: the distinct short values of one text column within
// one part of a RowStream, each with a small index (the first value seen is
// 0). RowStream keeps a column's repeated values once here instead of in
// every row, and hands DuckDB's Parquet writer the indexes as an ENUM, whose
// dictionary page it writes from the values as they are, where a VARCHAR's
// would hash every value twice (to build the dictionary, then to find each
// row's index). See RowStream for when a part's column is written that way.
//
// The dictionary closes for the rest of the part at its first value it
// cannot keep: one more distinct value than kMaxValues, a value longer than
// kMaxValueBytes, or one holding a NUL (an ENUM's values are C strings).
// A column like that is free text or an identifier, so looking its later
// values up would only cost time. Memory: at most about kMaxValues x
// (kMaxValueBytes + 9) bytes plus a table of 16 bytes per value.
//
// Index runs once per text value of every row: its lookup is inline, with
// a hash of the value's first and last bytes (EdgeWords) for most values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/short_text.h"

namespace custlake::engine {

class StringDictionary {
 public:
  static constexpr size_t kMaxValues = 4096;
  static constexpr size_t kMaxValueBytes = 64;

  StringDictionary();

  /// The index of `s` (added when new), or -1 once the dictionary is closed.
  int32_t Index(std::string_view s) {
    if (closed_) return -1;
    if (s.size() > kMaxValueBytes) return Close();
    const uint64_t hash = Hash(s);
    const size_t slot = Lookup(s, hash);
    const uint64_t entry = slots_[slot];
    return entry != 0 ? static_cast<int32_t>((entry & kIndexMask) - 1) : Add(s, hash, slot);
  }
  /// True when some value of this part is not in the dictionary.
  bool closed() const { return closed_; }
  size_t size() const { return spans_.size(); }
  /// Value `i`, NUL-terminated in place (data()[size()] == '\0').
  std::string_view value(size_t i) const {
    return {arena_.data() + (spans_[i] >> 32), static_cast<size_t>(spans_[i] & 0xffffffffu)};
  }
  /// Empty and open again (a new part).
  void Clear();

  /// The hash of a value of at most kMaxValueBytes.
  static uint64_t Hash(std::string_view s) {
    const char* p = s.data();
    const size_t n = s.size();
    uint64_t a = 0, b = 0;
    if (n > 16) {
      uint64_t ignored;
      for (size_t i = 0; i + 16 <= n; i += 8) a = Mix(a ^ Word(p + i), kSeed2);  // all but the last 8 bytes
      EdgeWords(p, n, &ignored, &b);
    } else {
      EdgeWords(p, n, &a, &b);
    }
    return Mix(a ^ kSeed1, b ^ kSeed2 ^ n);
  }

 private:
  static constexpr size_t kMinSlots = 16;  ///< slots: a power of two, at least twice the values
  static constexpr uint64_t kIndexMask = 0xffffffffu;
  static constexpr uint64_t kSeed1 = 0xa0761d6478bd642fULL, kSeed2 = 0xe7037ed1a0b428dbULL;

  static uint64_t Word(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  // The 128-bit product's halves folded (wyhash's mix).
  static uint64_t Mix(uint64_t a, uint64_t b) {
    const __uint128_t m = static_cast<__uint128_t>(a) * b;
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  }

  /// The slot holding `s`, or the empty slot where it would go.
  size_t Lookup(std::string_view s, uint64_t hash) const {
    const uint64_t tag = hash & ~kIndexMask;
    const size_t mask = slots_.size() - 1;
    for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      const uint64_t entry = slots_[slot];
      if (entry == 0 || ((entry & ~kIndexMask) == tag && SameText(value((entry & kIndexMask) - 1), s))) return slot;
    }
  }
  int32_t Add(std::string_view s, uint64_t hash, size_t slot);
  int32_t Close() {
    closed_ = true;
    return -1;
  }
  void Grow();

  /// Per slot: the high 32 bits of its value's hash | the value's index + 1; 0 = empty.
  std::vector<uint64_t> slots_;
  std::vector<uint64_t> spans_;  ///< per index: offset << 32 | length into arena_
  std::string arena_;
  bool closed_ = false;
};

}  // namespace custlake::engine
