// `custlake export-ddl`: the warehouse for a cluster engine, in Hive, Trino or
// Spark SQL, in three parts:
//   1. external tables over the Parquet export of every warehouse table
//      (warehouse/<table>/, facts partitioned by month=YYYY-MM): query what
//      custlake built;
//   2. external tables over every raw dataset (raw/<dataset>/, Hive-style
//      partitions), each behind a view raw.<view> that adds _batch_id from the
//      part file's name, as custlake's raw views do, and for a lastmodified
//      import raw.<view>_current (the latest version per merge key);
//   3. the models, macros expanded for the dialect (sql_macros.h), as
//      CREATE TABLE ... AS statements in build order into <schema>_models:
//      the same star schema rebuilt by that engine from the raw zone.
//
// Pure functions over models and column types; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/model.h"
#include "warehouse/sql_macros.h"

namespace custlake::warehouse {

/// A table's column as DuckDB types it ("BIGINT", "DECIMAL(18,2)", "VARCHAR[]").
struct TableColumn {
  std::string name;
  std::string duckdb_type;
};

struct TableSchema {
  const Model* model = nullptr;
  std::vector<TableColumn> columns;
};

/// A raw dataset of the lake, as its Parquet files hold it.
struct RawTableSchema {
  std::string view;                      ///< "sic_customers"
  std::string dataset;                   ///< "raw/sic/customers"
  std::vector<TableColumn> columns;      ///< the files' columns (partition keys not included)
  std::vector<std::string> partition_keys;  ///< "event_date", "ingest_date": folder key=value levels
  /// Each partition key's type as DuckDB's hive_partitioning reads it
  /// ("DATE" when every value is a date, else "VARCHAR"); empty: all VARCHAR.
  std::vector<std::string> partition_types;
  /// An incremental lastmodified import (every version kept): the merge key
  /// and check column of raw.<view>_current, the latest version per key.
  std::vector<std::string> merge_key;
  std::string check_column;
};

/// DuckDB's type in the dialect: TIMESTAMP WITH TIME ZONE -> TIMESTAMP, VARCHAR -> STRING (Hive/Spark) / VARCHAR (Trino)...
std::string MapType(const std::string& duckdb_type, Dialect dialect);

/// The DDL; `location` is the prefix under which warehouse/ and raw/ live
/// ("s3://bucket/lake", "hdfs:///lake"). `schema` is the database of the
/// export's tables; the models go to `<schema>_models`, the raw zone to `raw`.
/// `models` are in build order. Errors name a model file:line (a macro).
Result<std::string> ExportDdl(const std::vector<TableSchema>& tables, const std::vector<RawTableSchema>& raw,
                              Dialect dialect, const std::string& location, const std::string& schema = "custlake");

}  // namespace custlake::warehouse
