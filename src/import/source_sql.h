// The SQL import sends to a source, in its dialect: the SELECT a table
// import runs (columns, --where, $CONDITIONS), catalog look-ups (tables,
// primary key), the incremental upper bound and the split boundaries.
//
// Split boundaries are quantiles of the split column computed by the source
// (ordered LIMIT/OFFSET probes on an indexed column, else NTILE over the
// ordered column), not min/max arithmetic, so skewed keys still give splits
// of about equal size. Functions taking a Connection run
// queries on it; the others are pure. Not thread-safe beyond the
// Connection's own rules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "db/connection.h"
#include "import/options.h"

namespace custlake::importer {

/// A literal in the source's dialect: numbers bare, text quoted ('it''s';
/// MariaDB also escapes backslashes).
std::string SourceLiteral(db::DatabaseUrl::Kind kind, const db::Value& value);
/// A value of a column of portable type `type` as a literal. Numbers
/// (integers, DECIMAL, DOUBLE; MariaDB BIGINT UNSIGNED reads as DECIMAL
/// text) are written bare when the text is a plain number, so the source
/// compares them exactly: MariaDB compares a quoted string with a number as
/// DOUBLE, which is inexact above 2^53 (cursors and split boundaries near
/// 2^63 or 2^64 would match neighbouring rows). Anything else: SourceLiteral.
std::string ColumnLiteral(db::DatabaseUrl::Kind kind, db::SqlType type, const db::Value& value);

/// `table` quoted for the source: "orders" -> "orders"; a qualified name
/// "sales.orders" -> "sales"."orders" (PostgreSQL schema, MariaDB database,
/// SQLite attached database: the first '.' separates them).
std::string QuoteTable(const db::Connection& conn, const std::string& table);

/// The base SELECT holding "$CONDITIONS" (the user's --query, or one built
/// from table, columns and --where).
std::string BaseQuery(const db::Connection& conn, const TableOptions& options);
/// `base` with $CONDITIONS replaced by "(cond)" ("1=1" when empty).
std::string WithConditions(const std::string& base, const std::string& cond);

/// Base tables of the connected database/schema, sorted.
Result<std::vector<std::string>> ListTables(db::Connection* conn);
/// Primary-key columns of `table` in key order (empty: none).
Result<std::vector<std::string>> PrimaryKey(db::Connection* conn, const std::string& table);

/// MAX(column) over `base` filtered by `cond`; nullopt when no rows.
Result<std::optional<db::Value>> MaxValue(db::Connection* conn, const std::string& base, const std::string& column,
                                          const std::string& cond);

/// One parallel split: its filter in the source's dialect.
struct Split {
  std::string condition;
  std::string description;  ///< "customer_id in [1, 2500)" for messages
};

/// `mappers` splits of `base` (filtered by `cond`) on `column`, with
/// boundaries at quantiles (the first row of each of `mappers` equal-count
/// buckets, as NTILE deals them). Fewer come back when the column has fewer
/// distinct values; NULLs of the column fall in the first split.
/// `indexed`: the column leads an index (the primary key): the boundaries
/// come from a COUNT and one `ORDER BY column LIMIT 1 OFFSET k` probe per
/// boundary (index walks, no sort); otherwise from one NTILE query, which
/// sorts the whole result on the source.
/// `counted`, when given, receives the row count the indexed path takes (-1
/// when it took none).
Result<std::vector<Split>> ComputeSplits(db::Connection* conn, const std::string& base,
                                         const std::string& column, const std::string& cond, int mappers,
                                         bool indexed = false, int64_t* counted = nullptr);

/// About how many rows `base` filtered by `cond` returns, for the progress
/// bar's ETA: the table's statistics when a whole table is read (MariaDB
/// information_schema.TABLES.TABLE_ROWS, PostgreSQL pg_class.reltuples),
/// otherwise (and for SQLite, or without statistics) COUNT(*) on the source.
Result<int64_t> EstimateRows(db::Connection* conn, const TableOptions& options, const std::string& base,
                             const std::string& cond);

}  // namespace custlake::importer
