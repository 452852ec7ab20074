// The source-to-lake type mapping (docs/import.md has the table), and the
// conversions of source values (db::CellView) into a part's rows.
//
// Each source column gets a ColumnPlan: the staging column AppendCell writes
// into an engine::RowBlock (engine::ColumnSpec), the expression that turns it
// into the lake column when the Parquet part is written (usually the column
// itself; a CAST for wide DECIMALs and some --map-column overrides,
// timezone() for naive timestamps of a non-UTC source, a CASE for timestamp
// text that may carry its own offset), and the lake type recorded in the
// dataset's schema. Values are checked as they are staged: a DECIMAL that does
// not fit, malformed timestamp text, '1.5' for a BIGINT are errors, never
// rounded or cut. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "db/connection.h"
#include "engine/appender.h"  // engine::ColumnSpec
#include "engine/row_stream.h"

namespace custlake::importer {

struct ColumnPlan {
  db::ColumnInfo source;     ///< as the source describes it
  engine::ColumnSpec stage;  ///< what AppendCell writes
  std::string lake_type;     ///< DuckDB type of the Parquet column: "BIGINT", "DECIMAL(38,10)"
  std::string export_expr;   ///< SQL over the part's rows (aliased s) giving the lake column
  /// MariaDB dates and datetimes: a well-formed value outside the calendar
  /// (2024-00-15, 2024-01-00, 0000-01-01, 2024-02-31 under ALLOW_INVALID_DATES)
  /// is written as NULL and counted, like the all-zero date.
  bool invalid_dates_as_null = false;
  /// DECIMAL lake columns (p, s): every value is checked to fit before it is
  /// staged, so none is stored out of range or rounded (DuckDB's text cast
  /// would round 0.005 to 0.01). 0 when the lake column is no DECIMAL.
  int decimal_precision = 0;
  int decimal_scale = 0;
  /// Timestamp text that may carry an offset, read in a zone other than UTC
  /// (SQLite date-times, --map-column C=TIMESTAMP): staged as text, an instant
  /// ("...+00") when the value had "Z" or an offset, else the wall-clock
  /// time, which the export expression reads in the source's zone.
  bool zone_text = false;
  /// --map-column BIGINT, UBIGINT, DATE: text parsed here, strictly, with the
  /// blanks around it dropped (a CHAR(n) column's padding).
  bool trim_text = false;
};

/// Checks and normalises a --map-column TYPE: BOOLEAN, BIGINT, UBIGINT,
/// DOUBLE, DECIMAL(p,s) (p <= 38), VARCHAR, BLOB, JSON, DATE, TIMESTAMP.
Result<std::string> ParseTargetType(std::string_view text);

/// The plan for one column; `override_type` is a ParseTargetType result or "".
/// `timezone` (an IANA name, "UTC" by default) is the zone naive source
/// timestamps (ColumnInfo::naive_timestamp, and --map-column TIMESTAMP text
/// without an offset) are read in; other than UTC, the export expression
/// converts them with DuckDB's timezone() (the import's sessions run in UTC).
Result<ColumnPlan> PlanColumn(const db::ColumnInfo& source, db::DatabaseUrl::Kind kind,
                              const std::string& override_type, const std::string& timezone = "UTC");

/// Counters a conversion updates (warnings the summary reports).
struct ConversionStats {
  int64_t zero_dates = 0;    ///< MariaDB zero dates / out-of-range dates written as NULL
};

/// Writes `cell` (db::RowStream::NextView) into column `col` of the row being
/// written in `block`: text is parsed straight from the driver's buffer
/// (integers, decimals, dates and timestamps by hand or std::from_chars, no
/// copies). Dates outside the calendar (MariaDB zero and partial-zero dates,
/// PostgreSQL ±infinity, BC) become NULL and are counted in stats->zero_dates.
/// Errors name the column; the caller adds the table and row.
Status AppendCell(const ColumnPlan& plan, const db::CellView& cell, engine::RowBlock* block, size_t col,
                  ConversionStats* stats);

// Text parsers, exposed for tests. All return false on malformed input.
/// "2024-02-29" → days since 1970-01-01 (proleptic Gregorian, years 1..9999).
bool ParseDateDays(std::string_view text, int32_t* days);
/// "2024-02-29", "2024-02-29 12:34[:56[.ffffff]]" ('T' too) with an optional
/// zone ("Z", "+02", "+02:00", "+0200", '-' too; one space before it allowed)
/// → µs since the epoch: with a zone the instant it names (UTC), without one
/// the wall-clock time as if UTC. `*has_offset` says which (may be null).
bool ParseTimestampMicros(std::string_view text, int64_t* micros, bool* has_offset = nullptr);
/// µs since the epoch → "YYYY-MM-DD HH:MM:SS.ffffff".
std::string FormatTimestampMicros(int64_t micros);
/// Significant digits of a decimal text: before the point (leading zeros
/// dropped) and after it (trailing zeros dropped).
struct DecimalDigits {
  int integer = 0;
  int fraction = 0;
};
/// "[+-]digits[.digits]" → its digits; false when it is not that.
bool CountDecimalDigits(std::string_view text, DecimalDigits* out);
/// "-12.5" at scale 2 → -1250; false if it has more than `scale` decimals or overflows 18 digits.
bool ParseDecimalUnscaled(std::string_view text, int scale, int64_t* unscaled);

}  // namespace custlake::importer
