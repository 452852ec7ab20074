// Fast bulk loading of rows into a DuckDB table, column by column.
//
// Rows are written straight into DuckDB data chunks (2048 rows each) and
// handed to DuckDB's appender a chunk at a time, so loading costs a store per
// value, not a call into DuckDB per value. Importers and the ingester stream
// their records through an Appender into a staging table and let DuckDB
// write Parquet from it.
//
// Usage, per row: one Set*/SetNull call per column (any column not set is
// NULL), then EndRow(). Close() flushes the last chunk. An Appender borrows
// its Session, which must outlive it; one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace custlake::engine {

class Session;

/// The physical types an Appender writes.
enum class ColumnType {
  kBoolean,
  kBigInt,     ///< int64
  kUBigInt,    ///< uint64 (MySQL BIGINT UNSIGNED)
  kDouble,
  kDecimal,    ///< exact; written as an unscaled int64 (width <= 18)
  kVarchar,    ///< UTF-8 text (also JSON)
  kBlob,
  kDate,       ///< days since 1970-01-01
  kTimestamp,  ///< microseconds since 1970-01-01 00:00:00 UTC (TIMESTAMPTZ)
  kEnum,       ///< an index into ColumnSpec::enum_values (RowStream only; Parquet gets the text)
};

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kVarchar;
  uint8_t width = 18;  ///< kDecimal only
  uint8_t scale = 2;   ///< kDecimal only
  std::vector<std::string> enum_values = {};  ///< kEnum only: the distinct values, by index
  /// kVarchar, RowStream only: a column of few distinct values (kept once
  /// per part in a StringDictionary; see RowStream). The Appender ignores it.
  bool dictionary = false;
};

/// "BIGINT", "DECIMAL(18,2)", "TIMESTAMPTZ"...: the DuckDB SQL type.
std::string SqlTypeName(const ColumnSpec& column);
/// CREATE TABLE statement for `columns` (used to make staging tables).
std::string CreateTableSql(const std::string& table, const std::vector<ColumnSpec>& columns,
                           bool temporary = false);

class Appender {
 public:
  /// Opens an appender on an existing table whose columns match `columns`.
  static Result<std::unique_ptr<Appender>> Open(Session* session, const std::string& table,
                                                std::vector<ColumnSpec> columns);
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  void SetNull(size_t col);
  void SetBool(size_t col, bool v);
  void SetInt64(size_t col, int64_t v);    ///< kBigInt, kDecimal (unscaled), kTimestamp, kDate
  void SetUInt64(size_t col, uint64_t v);
  void SetDouble(size_t col, double v);
  void SetString(size_t col, std::string_view v);  ///< kVarchar, kBlob
  Status EndRow();
  /// Flushes everything appended so far into the table.
  Status Flush();
  Status Close();

  int64_t rows() const { return rows_; }
  const std::vector<ColumnSpec>& columns() const { return columns_; }

 private:
  struct Impl;
  Appender(std::unique_ptr<Impl> impl, std::vector<ColumnSpec> columns);
  Status FlushChunk();

  std::unique_ptr<Impl> impl_;
  std::vector<ColumnSpec> columns_;
  std::vector<uint8_t> set_;  ///< per column: written in the current row?
  int64_t rows_ = 0;
};

}  // namespace custlake::engine
