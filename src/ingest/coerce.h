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
  int64_t i = 0;
  double d = 0;
  std::string_view s;
};

enum class CoerceError { kNone, kBadType, kOutOfRange };

/// Coerces text (from a JSON string or a CSV field) to `type`; kJson stores
/// it as a JSON string literal. `owned` holds any text the value points to.
CoerceError CoerceText(std::string_view text, FieldType type, Value* out, std::string* owned);
CoerceError CoerceInt(int64_t v, FieldType type, Value* out, std::string* owned);
CoerceError CoerceUInt(uint64_t v, FieldType type, Value* out, std::string* owned);
CoerceError CoerceDouble(double v, FieldType type, Value* out, std::string* owned);
CoerceError CoerceBool(bool v, FieldType type, Value* out, std::string* owned);

/// Strict integer / double parsing of trimmed text.
std::optional<int64_t> ParseInt64(std::string_view text, bool* out_of_range);
std::optional<double> ParseDouble(std::string_view text);

}  // namespace custlake::ingest
