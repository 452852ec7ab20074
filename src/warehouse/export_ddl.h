// `custlake export-ddl`: CREATE EXTERNAL TABLE statements, in Hive, Trino or
// Spark SQL, for the Parquet export of every warehouse table (warehouse/<table>/,
// facts partitioned by month=YYYY-MM), plus each model's SQL as a comment-headed
// view definition so other engines can rebuild the star schema themselves.
//
// Pure functions over models and column types; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/model.h"

namespace custlake::warehouse {

enum class Dialect { kHive, kTrino, kSpark };
Result<Dialect> ParseDialect(const std::string& name);

/// A table's column as DuckDB types it ("BIGINT", "DECIMAL(18,2)", "VARCHAR[]").
struct TableColumn {
  std::string name;
  std::string duckdb_type;
};

struct TableSchema {
  const Model* model = nullptr;
  std::vector<TableColumn> columns;
};

/// DuckDB's type in the dialect: TIMESTAMP WITH TIME ZONE -> TIMESTAMP, VARCHAR -> STRING (Hive/Spark) / VARCHAR (Trino)...
std::string MapType(const std::string& duckdb_type, Dialect dialect);

/// The DDL for every table; `location` is the prefix under which warehouse/ lives
/// ("s3://bucket/lake", "hdfs:///lake"). `schema` is the database to create them in.
std::string ExportDdl(const std::vector<TableSchema>& tables, Dialect dialect, const std::string& location,
                      const std::string& schema = "custlake");

}  // namespace custlake::warehouse
