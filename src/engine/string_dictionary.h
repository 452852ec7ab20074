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
// (kMaxValueBytes + 9) bytes plus the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace custlake::engine {

class StringDictionary {
 public:
  static constexpr size_t kMaxValues = 4096;
  static constexpr size_t kMaxValueBytes = 64;

  StringDictionary();

  /// The index of `s` (added when new), or -1 once the dictionary is closed.
  int32_t Index(std::string_view s);
  /// True when some value of this part is not in the dictionary.
  bool closed() const { return closed_; }
  size_t size() const { return spans_.size(); }
  /// Value `i`, NUL-terminated in place (data()[size()] == '\0').
  std::string_view value(size_t i) const {
    return {arena_.data() + (spans_[i] >> 32), static_cast<size_t>(spans_[i] & 0xffffffffu)};
  }
  /// Empty and open again (a new part).
  void Clear();

 private:
  static constexpr size_t kSlots = 2 * kMaxValues;  ///< a power of two: at most half full
  uint32_t Lookup(std::string_view s, uint64_t hash) const;

  std::vector<uint32_t> slots_;  ///< index + 1 of the value hashed there, 0 = empty
  std::vector<uint64_t> spans_;  ///< per index: offset << 32 | length into arena_
  std::string arena_;
  bool closed_ = false;
};

}  // namespace custlake::engine
