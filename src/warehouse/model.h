// A warehouse model: one SQL file under models/ that defines one table of the
// star schema, the way dbt keeps models. The file opens with a header of
// `-- key: value` comment lines (the table's description, how it is
// materialized, one `column` line per column, the checks declared next to the
// model); the SELECT that defines the table follows. An optional
// `-- @post_incremental` line starts statements run after an incremental
// build appended to the table. docs/warehouse.md specifies the header.
//
// Dependencies are found from the SQL itself: any identifier equal to another
// model's name is a reference to it; `raw.<view>` identifiers are the raw
// datasets the model reads (its sources, for lineage and incremental deltas).
//
// Models are plain values (copy freely); parsing is pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace custlake::warehouse {

/// How a build materializes a model.
enum class Materialization {
  kTable,   ///< rebuilt whole at every build
  kMerge,   ///< incremental: rows of new raw batches whose unique_key is new are inserted
  kAppend,  ///< incremental: rows of new raw batches are appended (sources replaced whole: replace_key)
  kRecomputeFrom,  ///< incremental: partitions >= the recompute_from watermark are recomputed
  /// A staging model: a view over raw.<view>s that other models read as if it
  /// were a raw view (raw.<name> and, incrementally, delta.<name> over the new
  /// batches of what it reads). Not a table of the version.
  kView,
};
std::string MaterializationName(Materialization m);

struct ModelColumn {
  std::string name;
  std::string description;
};

enum class CheckKind {
  kUnique,        ///< columns together unique
  kNotNull,       ///< each column never NULL
  kRelationship,  ///< every non-NULL value of column found in ref_table.ref_column
  kNoOverlap,     ///< intervals [from, to) of each key do not overlap
  kFreshness,     ///< the newest value of a timestamp column is within max_age of the clock
  kSql,           ///< a query returning the offending rows (none = pass)
};
std::string CheckKindName(CheckKind kind);

struct ModelCheck {
  CheckKind kind = CheckKind::kSql;
  std::string name;                 ///< "unique(customer_key)", or the SQL check's own name
  std::vector<std::string> columns;
  std::string ref_table;            ///< kRelationship
  std::string ref_column;           ///< kRelationship
  std::string sql;                  ///< kSql; kFreshness: the optional WHERE condition
  int64_t max_age_seconds = 0;      ///< kFreshness: the declared default (CheckOptions may override)
  int line = 0;                     ///< line of the declaration in the model file
};

struct Model {
  std::string name;         ///< the table name
  std::string file;         ///< "models/dim_customer.sql"
  std::string description;
  std::string grain;
  Materialization materialized = Materialization::kTable;
  std::string unique_key;       ///< kMerge
  std::string replace_key;      ///< kAppend: column holding the source dataset ("raw/usage")
  std::string partition_by;     ///< facts: the DATE month column the Parquet export partitions by
  std::string recompute_from;   ///< kRecomputeFrom: SQL giving the first partition value to recompute
  /// kTable, incremental builds: SQL returning true when rebuilding would give
  /// the table it holds (e.g. dim_date: the new rows' dates lie within its
  /// range). It reads the new rows as changed.<name>, as SQL checks do; it is
  /// only asked when every changed source and model the table reads is among
  /// them and only gained rows. "" = always rebuilt.
  std::string unchanged_when;
  std::vector<ModelColumn> columns;
  std::vector<ModelCheck> checks;
  std::string sql;              ///< the SELECT defining the table, macros expanded for DuckDB
  std::string source_sql;       ///< the SELECT as written ({{ macros }} kept): export-ddl expands it per dialect
  int sql_line = 0;             ///< line where the SELECT starts
  std::string post_incremental; ///< statements run after an incremental append
  /// SQL giving the partition_by values @post_incremental may change (run
  /// before it); "" = any: the whole Parquet export is rewritten then.
  std::string post_incremental_partitions;
  /// Conditions on the model's rows (the table is named by the model, e.g.
  /// fact_customer_activity.customer_id), one header line each (usually one
  /// per statement): every settled row @post_incremental may change or
  /// delete meets one of them. With them, an incremental build moves those
  /// rows from the shared segment to the tail and runs the statements on the
  /// tail, instead of copying the segment (segments.h). Several conditions
  /// rather than one OR: each is planned as its own join. Empty = unknown:
  /// the segment is copied and the statements run on all rows.
  std::vector<std::string> post_incremental_rows;
  std::vector<std::string> refs;     ///< other models referenced (filled by ResolveRefs)
  std::vector<std::string>
      sources;  ///< raw views read: "usage", "sic_customers" (and staging views: "stg_usage")

  bool IsView() const { return materialized == Materialization::kView; }

  const ModelColumn* FindColumn(const std::string& column) const;
};

}  // namespace custlake::warehouse
