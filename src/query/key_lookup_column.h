// One column of a point lookup's in-memory copy (key_lookup.h), held compactly
// and turned back into DuckDB's text only when a row is sent.
//
// A column of a type it can format (integers, BOOLEAN, DATE, TIMESTAMP,
// DOUBLE, FLOAT, DECIMAL of width <= 18) holds each value as a number packed
// into the fewest bytes its values need (1, 2, 4 or 8; a DATE in 4, a BOOLEAN
// in 1, a DOUBLE in 8); any other type holds DuckDB's text in one arena with
// 4-byte offsets. NULLs are a bitmap. Exactness is checked, not assumed: each
// value read is parsed and formatted back, and the first one whose formatted
// text differs from DuckDB's (a DATE before year 1, a DOUBLE DuckDB writes
// another way, a UBIGINT over 2^63) turns the whole column into text, so Text()
// always returns byte for byte what DuckDB returned. Not thread-safe while
// built; const methods may be called from any thread once built.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace custlake::query {

class LookupColumn {
 public:
  /// How values are held: a number (formatted as `type` says) or text.
  enum class Form { kInteger, kBoolean, kDate, kTimestamp, kDouble, kFloat, kDecimal, kText };

  /// A column of DuckDB type `type` ("BIGINT", "DECIMAL(18,2)", "VARCHAR", ...).
  explicit LookupColumn(const std::string& type);

  /// Adds the next row's value: DuckDB's text, or NULL.
  void Append(std::string_view text, bool is_null);
  /// Gives back the spare capacity; call once, after the last Append.
  void Finish();

  bool IsNull(size_t row) const { return (nulls_[row / 64] >> (row % 64)) & 1; }
  /// The row's value as DuckDB's text ("" for NULL).
  std::string Text(size_t row) const;

  Form form() const { return form_; }
  /// Bytes held (values, bitmap, arena and offsets).
  int64_t bytes() const;
  /// Whether the arena outgrew its 4-byte offsets (the copy must then not be used).
  bool overflowed() const { return overflowed_; }

 private:
  bool Parse(std::string_view text, int64_t* value) const;
  std::string Format(int64_t value) const;
  int64_t Get(size_t row) const;
  void Put(int64_t value);
  static int WidthOf(int64_t value);
  static void Store(uint8_t* at, int width, int64_t value);
  void TurnIntoText();
  void AppendText(std::string_view text);

  Form form_;
  int scale_ = 0;                 ///< a DECIMAL's digits after the point
  size_t rows_ = 0;
  std::vector<uint64_t> nulls_;   ///< bit per row
  std::vector<uint8_t> packed_;   ///< numbers, `width_` bytes each (widened as values need)
  int width_ = 1;
  std::string arena_;             ///< text form: the values one after another
  std::vector<uint32_t> offsets_; ///< text form: where each row's value starts (rows + 1)
  bool overflowed_ = false;
};

}  // namespace custlake::query
