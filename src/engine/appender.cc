#include "engine/appender.h"

#include <duckdb.h>

#include <cstring>

#include "engine/engine.h"
#include "engine/engine_internal.h"

namespace custlake::engine {

std::string SqlTypeName(const ColumnSpec& column) {
  switch (column.type) {
    case ColumnType::kBoolean: return "BOOLEAN";
    case ColumnType::kBigInt: return "BIGINT";
    case ColumnType::kUBigInt: return "UBIGINT";
    case ColumnType::kDouble: return "DOUBLE";
    case ColumnType::kDecimal:
      return "DECIMAL(" + std::to_string(column.width) + "," + std::to_string(column.scale) + ")";
    case ColumnType::kVarchar: return "VARCHAR";
    case ColumnType::kBlob: return "BLOB";
    case ColumnType::kDate: return "DATE";
    case ColumnType::kTimestamp: return "TIMESTAMPTZ";
    case ColumnType::kEnum: {
      std::string values;
      for (const std::string& v : column.enum_values) values += (values.empty() ? "" : ", ") + QuoteLiteral(v);
      return "ENUM(" + values + ")";
    }
  }
  return "VARCHAR";
}

std::string CreateTableSql(const std::string& table, const std::vector<ColumnSpec>& columns, bool temporary) {
  std::string sql = std::string("CREATE ") + (temporary ? "TEMP " : "") + "TABLE " + QuoteIdent(table) + " (";
  for (size_t i = 0; i < columns.size(); i++) {
    if (i > 0) sql += ", ";
    sql += QuoteIdent(columns[i].name) + " " + SqlTypeName(columns[i]);
  }
  return sql + ")";
}

duckdb_logical_type internal::MakeLogicalType(const ColumnSpec& c) {
  switch (c.type) {
    case ColumnType::kBoolean: return duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    case ColumnType::kBigInt: return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    case ColumnType::kUBigInt: return duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT);
    case ColumnType::kDouble: return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
    case ColumnType::kDecimal: return duckdb_create_decimal_type(c.width, c.scale);
    case ColumnType::kVarchar: return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    case ColumnType::kBlob: return duckdb_create_logical_type(DUCKDB_TYPE_BLOB);
    case ColumnType::kDate: return duckdb_create_logical_type(DUCKDB_TYPE_DATE);
    case ColumnType::kTimestamp: return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_TZ);
    case ColumnType::kEnum: {
      std::vector<const char*> names;
      for (const std::string& v : c.enum_values) names.push_back(v.c_str());
      return duckdb_create_enum_type(names.data(), names.size());
    }
  }
  return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
}

struct Appender::Impl {
  duckdb_appender appender = nullptr;
  duckdb_data_chunk chunk = nullptr;
  std::vector<duckdb_vector> vectors;
  std::vector<void*> data;
  idx_t row = 0;         ///< row being written in the chunk
  idx_t capacity = 0;

  ~Impl() {
    if (chunk != nullptr) duckdb_destroy_data_chunk(&chunk);
    if (appender != nullptr) duckdb_appender_destroy(&appender);
  }

  void BindVectors() {
    for (size_t c = 0; c < vectors.size(); c++) {
      vectors[c] = duckdb_data_chunk_get_vector(chunk, c);
      data[c] = duckdb_vector_get_data(vectors[c]);
    }
  }

  void Invalidate(size_t col) {
    duckdb_vector_ensure_validity_writable(vectors[col]);
    duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vectors[col]), row);
  }
};

Appender::Appender(std::unique_ptr<Impl> impl, std::vector<ColumnSpec> columns)
    : impl_(std::move(impl)), columns_(std::move(columns)), set_(columns_.size(), 0) {}

Appender::~Appender() = default;

Result<std::unique_ptr<Appender>> Appender::Open(Session* session, const std::string& table,
                                                 std::vector<ColumnSpec> columns) {
  for (const ColumnSpec& c : columns) {
    if (c.type == ColumnType::kEnum) return Status::Internal("Appender: column " + c.name + " is an ENUM (RowStream only)");
  }
  auto impl = std::make_unique<Impl>();
  if (duckdb_appender_create(internal::Handle(session), nullptr, table.c_str(), &impl->appender) == DuckDBError) {
    std::string message = impl->appender != nullptr ? duckdb_appender_error(impl->appender) : "unknown error";
    return Status::SourceError("cannot append to table " + table + ": " + message);
  }
  if (duckdb_appender_column_count(impl->appender) != columns.size()) {
    return Status::InvalidArgument("table " + table + " has " +
                                   std::to_string(duckdb_appender_column_count(impl->appender)) +
                                   " columns but the appender was given " + std::to_string(columns.size()));
  }
  std::vector<duckdb_logical_type> types;
  for (const ColumnSpec& c : columns) types.push_back(internal::MakeLogicalType(c));
  impl->chunk = duckdb_create_data_chunk(types.data(), types.size());
  for (auto& t : types) duckdb_destroy_logical_type(&t);
  impl->capacity = duckdb_vector_size();
  impl->vectors.resize(columns.size());
  impl->data.resize(columns.size());
  impl->BindVectors();
  return std::unique_ptr<Appender>(new Appender(std::move(impl), std::move(columns)));
}

void Appender::SetNull(size_t col) {
  impl_->Invalidate(col);
  set_[col] = 1;
}

void Appender::SetBool(size_t col, bool v) {
  static_cast<bool*>(impl_->data[col])[impl_->row] = v;
  set_[col] = 1;
}

void Appender::SetInt64(size_t col, int64_t v) {
  if (columns_[col].type == ColumnType::kDate) {
    static_cast<int32_t*>(impl_->data[col])[impl_->row] = static_cast<int32_t>(v);
  } else if (columns_[col].type == ColumnType::kDecimal) {
    internal::StoreDecimal(impl_->data[col], impl_->row, columns_[col].width, v);
  } else {
    static_cast<int64_t*>(impl_->data[col])[impl_->row] = v;
  }
  set_[col] = 1;
}

void Appender::SetUInt64(size_t col, uint64_t v) {
  static_cast<uint64_t*>(impl_->data[col])[impl_->row] = v;
  set_[col] = 1;
}

void Appender::SetDouble(size_t col, double v) {
  static_cast<double*>(impl_->data[col])[impl_->row] = v;
  set_[col] = 1;
}

void Appender::SetString(size_t col, std::string_view v) {
  duckdb_vector_assign_string_element_len(impl_->vectors[col], impl_->row, v.data(), v.size());
  set_[col] = 1;
}

Status Appender::EndRow() {
  for (size_t c = 0; c < set_.size(); c++) {
    if (set_[c] == 0) impl_->Invalidate(c);
    set_[c] = 0;
  }
  impl_->row++;
  rows_++;
  if (impl_->row == impl_->capacity) return FlushChunk();
  return Status::OK();
}

Status Appender::FlushChunk() {
  if (impl_->row == 0) return Status::OK();
  duckdb_data_chunk_set_size(impl_->chunk, impl_->row);
  if (duckdb_append_data_chunk(impl_->appender, impl_->chunk) == DuckDBError) {
    return Status::SourceError(std::string("append failed: ") + duckdb_appender_error(impl_->appender));
  }
  duckdb_data_chunk_reset(impl_->chunk);
  impl_->row = 0;
  impl_->BindVectors();  // reset may hand out fresh buffers
  return Status::OK();
}

Status Appender::Flush() {
  RETURN_NOT_OK(FlushChunk());
  if (duckdb_appender_flush(impl_->appender) == DuckDBError) {
    return Status::SourceError(std::string("append failed: ") + duckdb_appender_error(impl_->appender));
  }
  return Status::OK();
}

Status Appender::Close() {
  RETURN_NOT_OK(Flush());
  if (duckdb_appender_close(impl_->appender) == DuckDBError) {
    return Status::SourceError(std::string("append failed: ") + duckdb_appender_error(impl_->appender));
  }
  return Status::OK();
}

}  // namespace custlake::engine
