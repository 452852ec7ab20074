// What one table import does: the Sqoop-style settings of `custlake import`
// (columns, where, free-form query, incremental mode, splits, type
// overrides, schema-drift policy), shared by the command line, the
// [sources.NAME.table.TABLE] config sections and the demo.
//
// TableOptions is a plain value with defaults; Validate() reports mistakes
// with the option's name before any connection is made. Copy it freely.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace custlake::importer {

/// Sqoop's --incremental modes.
enum class IncrementalMode {
  kNone,          ///< full import: the dataset is replaced by each run
  kAppend,        ///< rows with check_column above the cursor are appended
  kLastModified,  ///< rows changed since the cursor are appended as new versions
};
const char* IncrementalModeName(IncrementalMode mode);
Result<IncrementalMode> ParseIncrementalMode(const std::string& text);

/// What to do when the source's columns differ from the dataset's schema.
enum class SchemaChangePolicy {
  kEvolve,    ///< default: new columns are added; dropped or retyped columns are errors
  kFail,      ///< any difference is an error
  kAllowAll,  ///< new, dropped and retyped columns are all accepted (readers see the union)
};
const char* SchemaChangePolicyName(SchemaChangePolicy policy);
Result<SchemaChangePolicy> ParseSchemaChangePolicy(const std::string& text);

/// How each batch's files are laid out under raw/<source>/<table>/.
enum class Partitioning {
  kIngestDate,  ///< ingest_date=YYYY-MM-DD/ (the run's UTC date), the lake's default
  kNone,        ///< files directly in the dataset folder
};
Result<Partitioning> ParsePartitioning(const std::string& text);

/// The settings of one table's import.
struct TableOptions {
  std::string table;                  ///< source table; empty when `query` is given
  std::string query;                  ///< free-form SELECT holding $CONDITIONS
  std::string dataset;                ///< lake dataset name; default "<source>/<table>"
  std::vector<std::string> columns;   ///< --columns; empty = all
  std::string where;                  ///< --where: extra filter, source dialect
  IncrementalMode incremental = IncrementalMode::kNone;
  std::string check_column;           ///< --check-column (incremental)
  std::string merge_key;              ///< --merge-key (lastmodified; default: the primary key)
  std::string split_by;               ///< --split-by; default: the primary key
  int mappers = 1;                    ///< -m: parallel splits
  std::map<std::string, std::string> map_column;  ///< --map-column C=TYPE
  SchemaChangePolicy on_schema_change = SchemaChangePolicy::kEvolve;
  Partitioning partitioning = Partitioning::kIngestDate;
  int64_t batch_rows = 500000;        ///< rows staged in DuckDB before each Parquet part is written
  /// ... or this many bytes of source values (text and blob lengths, 8 per
  /// other cell), whichever comes first: wide BLOB/TEXT rows stay bounded too.
  int64_t batch_bytes = 64LL << 20;
  std::string compression = "zstd";   ///< Parquet codec
  int retries = 2;                    ///< re-runs of the whole table after a source failure

  /// Checks the combination; `origin` names where the options came from ("--table x", "custlake.toml:12").
  Status Validate(const std::string& origin) const;
  /// The name used in messages and the default dataset name: table, or "query".
  std::string DisplayName() const { return table.empty() ? "query" : table; }
};

/// Parses "C=TYPE" into `out` (TYPE checked by ParseTargetType).
Status ParseMapColumn(const std::string& text, std::map<std::string, std::string>* out);

}  // namespace custlake::importer
