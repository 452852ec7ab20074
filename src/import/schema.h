// The schema an import records for its dataset (the metastore's schema
// JSON) and the schema-drift check between runs.
//
// Schema JSON, one object:
//   {"format": "custlake-import/1", "source": "<masked URL>", "table": "customers",
//    "incremental": "lastmodified", "check_column": "updated_at", "merge_key": ["customer_id"],
//    "columns": [{"name": "customer_id", "type": "BIGINT", "source_type": "int", "nullable": false}, ...]}
// Later imports compare the source's columns with it: a new column evolves
// the dataset (readers union files by name), a dropped or retyped column is
// an error naming it unless the table's policy allows it. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "import/options.h"
#include "import/type_mapping.h"

namespace custlake::importer {

struct SchemaColumn {
  std::string name;
  std::string type;         ///< lake (DuckDB) type
  std::string source_type;
  bool nullable = true;
  bool dropped = false;     ///< gone from the source (allow_all policy)
};

struct DatasetSchema {
  std::string source;
  std::string table;
  IncrementalMode incremental = IncrementalMode::kNone;
  std::string check_column;
  std::vector<std::string> merge_key;
  std::vector<SchemaColumn> columns;

  std::string ToJson() const;
  /// Parses a schema written by ToJson; columns empty when `json` is "" or not ours.
  static Result<DatasetSchema> FromJson(const std::string& json);
};

/// The schema of this run's columns.
std::vector<SchemaColumn> SchemaColumns(const std::vector<ColumnPlan>& plans);

/// Checks `current` (this run's columns) against `previous` (recorded) under
/// `policy` and returns the columns to record. `where` names the source table
/// for messages.
Result<std::vector<SchemaColumn>> ReconcileSchema(const std::vector<SchemaColumn>& previous,
                                                  const std::vector<SchemaColumn>& current, SchemaChangePolicy policy,
                                                  const std::string& where);

/// What changed from `previous` to `current`, one line per column ("column v
/// (VARCHAR) is gone from the source", "column n changed type from BIGINT to
/// VARCHAR", "new column extra (BIGINT)"); empty when nothing did.
std::vector<std::string> DescribeSchemaChanges(const std::vector<SchemaColumn>& previous,
                                               const std::vector<SchemaColumn>& current);

}  // namespace custlake::importer
