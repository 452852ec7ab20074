// The source-to-lake type mapping (docs/import.md has the table), and the
// conversions of source values (db::CellView) into a part's rows.
//
// Each source column gets a ColumnPlan: the staging column AppendCell writes
// into an engine::RowBlock (engine::ColumnSpec), the expression that turns it
// into the lake column when the Parquet part is written (usually the column
// itself; a CAST for small or wide DECIMALs and --map-column overrides,
// timezone() for naive timestamps of a non-UTC source), and the lake type
// recorded in the dataset's schema. Pure functions, thread-safe.
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
/// "2024-02-29 12:34:56[.ffffff]" (or 'T', optional "Z"/"+00:00") → µs since the epoch, UTC.
bool ParseTimestampMicros(std::string_view text, int64_t* micros);
/// "-12.5" at scale 2 → -1250; false if it has more than `scale` decimals or overflows 18 digits.
bool ParseDecimalUnscaled(std::string_view text, int scale, int64_t* unscaled);

}  // namespace custlake::importer
