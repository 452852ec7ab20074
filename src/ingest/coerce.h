// Coercion of one value to a schema type: the lenient-but-exact rules that
// make real logs loadable without guessing.
//
//   int64      JSON integers; integral doubles (12.0); strings holding an
//              integer ("123", " 42 ", "+7"); beyond 64 bits is an error
//   double     JSON numbers; numeric strings (not NaN/Infinity)
//   bool       true/false; "true"/"false"/"yes"/"no"/"t"/"f"/"1"/"0"; 0 and 1
//   timestamp  ISO-8601 text with Z, an offset or none (UTC), epoch seconds /
//              millis / micros as numbers or numeric strings (timestamp_parse.h)
//   date       "YYYY-MM-DD" or any timestamp (its UTC date)
//   string     strings as they are; numbers and booleans as their JSON text;
//              objects and arrays as minified JSON
//   json       any value, as minified JSON text
// An empty string is null for every type but string. Pure functions,
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/schema.h"

namespace custlake::ingest {

/// A coerced value as the staging table stores it: int for int64, bool,
/// timestamp (micros) and date (days); double; text for string and json.
struct Value {
  enum Kind : uint8_t { kNull, kInt, kDouble, kBool, kText };
  Kind kind = kNull;
  union {
    int64_t i = 0;  ///< kInt, kBool (0/1)
    double d;       ///< kDouble
  };
  std::string_view s;  ///< kText
};
// 32 bytes: a chunk holds one per field of every record, written by a parse
// worker and read by the ingester's thread (another core).
static_assert(sizeof(Value) == 32);

enum class CoerceError { kNone, kBadType, kOutOfRange };

/// Coerces text (from a JSON string or a CSV field) to `type`; kJson stores
/// it as a JSON string literal. `owned` holds any text the value points to.
CoerceError CoerceText(std::string_view text, FieldType type, Value* out, std::string* owned);
CoerceError CoerceInt(int64_t v, FieldType type, Value* out, std::string* owned);
CoerceError CoerceUInt(uint64_t v, FieldType type, Value* out, std::string* owned);
CoerceError CoerceDouble(double v, FieldType type, Value* out, std::string* owned);
CoerceError CoerceBool(bool v, FieldType type, Value* out, std::string* owned);

/// The canonical text of a dedup key value, the one encoding both sides of
/// deduplication use (the parser for input records, the index loader for
/// committed Parquet): text as it is; int64, timestamp (micros) and date
/// (days since the epoch) as decimal integers; doubles in shortest
/// round-trip form (1.0 and 1 are "1"); booleans as true/false. The view
/// points into `scratch` or static text.
std::string_view KeyText(const Value& v, std::string* scratch);

/// The key text of a value read back from the lake: `stored` is what
/// KeyLakeSql(type) yields as VARCHAR. Nullopt when it cannot be read.
std::optional<std::string_view> KeyTextFromLake(std::string_view stored, FieldType type, std::string* scratch);
/// The SQL expression over the quoted column `col` that KeyTextFromLake reads.
std::string KeyLakeSql(const std::string& col, FieldType type);

/// Strict integer / double parsing of trimmed text.
std::optional<int64_t> ParseInt64(std::string_view text, bool* out_of_range);
std::optional<double> ParseDouble(std::string_view text);

/// Appends `text` as a JSON string literal (quotes, escapes, control
/// characters as \u00XX); bytes >= 0x80 pass through (the text is UTF-8).
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace custlake::ingest
