// PostgreSQL type OIDs for DuckDB result types, and value encodings.
//
// A DuckDB type name (engine::QueryResult::types, e.g. "DECIMAL(18,2)")
// maps to the PostgreSQL type a client expects: its OID, its typlen and its
// typmod for RowDescription. Values travel as text (PostgreSQL's text forms:
// booleans "t"/"f") or, for the fixed-width types, in binary (big-endian;
// dates as days and timestamps as microseconds since 2000-01-01).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/engine.h"

namespace custlake::serve {

struct PgType {
  int32_t oid = 25;     ///< text
  int16_t typlen = -1;  ///< bytes, -1 = variable
  int32_t typmod = -1;
};

namespace oid {
constexpr int32_t kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kJson = 114,
                  kFloat4 = 700, kFloat8 = 701, kVarchar = 1043, kDate = 1082, kTime = 1083,
                  kTimestamp = 1114, kTimestampTz = 1184, kInterval = 1186, kNumeric = 1700, kUuid = 2950;
}

/// The PostgreSQL type for a DuckDB type name; text (25) for anything else.
PgType PgTypeFor(const std::string& duckdb_type);

/// The DuckDB type to cast a parameter of PostgreSQL type `oid` to ("" for
/// unknown / unspecified: the literal stays untyped and DuckDB infers it).
std::string DuckDbTypeForOid(int32_t oid);

/// A result value in PostgreSQL's text format.
std::string TextValue(const std::string& value, engine::ValueKind kind);

/// A result value in binary format, or nullopt where custlake has no binary
/// encoding for the type (the client is then told so).
std::optional<std::string> BinaryValue(const std::string& value, int32_t type_oid);

/// A binary-format parameter of type `oid` as text (for a typed literal), or nullopt.
std::optional<std::string> BinaryParamAsText(const std::string& bytes, int32_t type_oid);

}  // namespace custlake::serve
