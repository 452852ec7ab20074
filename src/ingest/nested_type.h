// Nested types of json fields (STRUCT / LIST Parquet types): parsing the
// DuckDB type text of a schema's `nested_type`, fitting each input value to
// it, and inferring it from sample records.
//
// A json field with a nested_type is written as that Parquet type: DuckDB
// CASTs the field's JSON text at COPY time. DuckDB's cast from JSON is
// either strict (a missing or unknown struct key fails the whole COPY) or,
// with TRY_CAST, silently NULL for the whole value; neither is acceptable.
// So the parser rewrites every value into canonical JSON text for the type
// (CanonicalNestedJson: every struct key present and in order, missing ones
// null; scalars coerced with the rules of coerce.h) or quarantines the
// record (bad_type), naming the path inside the value that does not fit.
// The CAST of canonical text cannot fail.
//
// Supported types: STRUCT(name type, ...), type[] (or LIST(type)), VARCHAR,
// BIGINT, INTEGER, SMALLINT, TINYINT, DOUBLE, FLOAT, BOOLEAN, DATE,
// TIMESTAMP, TIMESTAMPTZ and JSON (any value, kept as JSON).
//
// Plain values; thread-safe to read. NestedShape is not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace simdjson::dom {
class element;
}

namespace custlake::ingest {

struct NestedType {
  enum Kind {
    kStruct,
    kList,
    kVarchar,
    kBigInt,
    kInteger,
    kSmallInt,
    kTinyInt,
    kDouble,
    kFloat,
    kBoolean,
    kDate,
    kTimestamp,
    kTimestampTz,
    kJson
  };
  Kind kind = kJson;
  std::vector<std::string> names;   ///< kStruct: field names, in order
  std::vector<NestedType> children;  ///< kStruct: field types (as names); kList: [0] = element type

  /// Parses DuckDB type text ("STRUCT(ts VARCHAR, body VARCHAR)[]").
  static Result<NestedType> Parse(std::string_view text);
  /// The DuckDB type text (struct names quoted), for the COPY's CAST.
  std::string ToSql() const;
  bool nested() const { return kind == kStruct || kind == kList; }
};

/// Writes `value` as canonical JSON text for `type` into `out`. False when it
/// does not fit, with `error` set to "<path>: <what>" (path like
/// "[2].author"). Struct keys the type does not have are an error, or
/// skipped when `drop_unknown_keys` (the schema's unknown_fields = "drop").
bool CanonicalNestedJson(const simdjson::dom::element& value, const NestedType& type, bool drop_unknown_keys,
                         std::string* out, std::string* error);

/// The shape of the values one field held over sample records, merged:
/// objects become STRUCTs (keys in first-seen order), arrays LISTs, numbers
/// BIGINT or DOUBLE, strings (and scalars mixed with strings) VARCHAR. A
/// node whose values disagree (an object here, an array there), that never
/// had a non-null value, or an object with more than kMaxStructKeys
/// distinct keys (a map keyed by data, not a record) becomes JSON.
class NestedShape {
 public:
  static constexpr size_t kMaxStructKeys = 64;

  void Observe(const simdjson::dom::element& value);
  /// The inferred type if every observed value was an object (or every one
  /// an array); nullopt otherwise.
  std::optional<NestedType> Type() const;

 private:
  enum Kind { kUnknown, kBool, kInt, kDouble, kString, kObject, kArray, kMixed };
  NestedType ToType() const;

  Kind kind_ = kUnknown;
  std::vector<std::string> names_;     ///< kObject: keys in first-seen order
  std::vector<NestedShape> children_;  ///< kObject: per key; kArray: [0] = elements
};

}  // namespace custlake::ingest
