// The PostgreSQL driver (libpq).
//
// Bulk loads use COPY ... FROM STDIN in text format inside one transaction,
// sent in chunks of about 1 MiB: the fastest way into PostgreSQL. Queries are
// described first (an unnamed prepared statement) so that column types,
// precision/scale and NOT NULL are known before any row, then stream in
// single-row mode: one row in memory at a time. Sessions run with
// TimeZone=UTC and DateStyle=ISO, so timestamptz values read back in UTC.
#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "db/drivers.h"

namespace custlake::db::internal {
namespace {

constexpr size_t kCopyChunkBytes = 1 << 20;

// Built-in type OIDs (pg_type.dat); stable across PostgreSQL versions.
enum Oid_ : Oid {
  kBoolOid = 16,
  kByteaOid = 17,
  kInt8Oid = 20,
  kInt2Oid = 21,
  kInt4Oid = 23,
  kOidOid = 26,
  kFloat4Oid = 700,
  kFloat8Oid = 701,
  kDateOid = 1082,
  kTimestampOid = 1114,
  kTimestampTzOid = 1184,
  kNumericOid = 1700,
};

// SQLSTATEs worth a retry on a new connection: connection exceptions (class
// 08), the server shutting down or restarting (57P01 admin_shutdown, e.g.
// pg_terminate_backend; 57P02 crash_shutdown; 57P03 cannot_connect_now),
// serialization failures and deadlocks (40001, 40P01), too many connections
// (53300). Everything else (SQL errors, permissions, 57014 query_canceled)
// is not retried.
bool IsTransientSqlState(std::string_view state) {
  return state.substr(0, 2) == "08" || state == "57P01" || state == "57P02" || state == "57P03" ||
         state == "40001" || state == "40P01" || state == "53300";
}

std::string TrimEnd(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A SourceError for a failed result (or, with res == nullptr, the
// connection's last error): Transient when the SQLSTATE says so or the
// connection itself is gone (PQstatus CONNECTION_BAD).
Status ResultFailure(PGconn* conn, const PGresult* res, const std::string& message) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string text =
      message + ": " + TrimEnd(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (state != nullptr) text += std::string(" (SQLSTATE ") + state + ")";
  const bool transient = PQstatus(conn) == CONNECTION_BAD || (state != nullptr && IsTransientSqlState(state));
  return transient ? Status::Transient(std::move(text)) : Status::SourceError(std::move(text));
}

std::string Quote(std::string_view name) { return QuoteWith(name, '"'); }

std::string DeclaredType(const ColumnDef& c) {
  switch (c.type) {
    case SqlType::kBoolean:
      return "BOOLEAN";
    case SqlType::kInteger:
      return "INTEGER";
    case SqlType::kBigInt:
      return "BIGINT";
    case SqlType::kDouble:
      return "DOUBLE PRECISION";
    case SqlType::kDecimal:
      return "NUMERIC(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
    case SqlType::kText:
      return "TEXT";
    case SqlType::kDate:
      return "DATE";
    case SqlType::kTimestamp:
      return "TIMESTAMP";  // values are UTC by contract
  }
  return "TEXT";
}

SqlType MapOid(Oid oid) {
  switch (oid) {
    case kBoolOid:
      return SqlType::kBoolean;
    case kInt2Oid:
    case kInt4Oid:
      return SqlType::kInteger;
    case kInt8Oid:
    case kOidOid:
      return SqlType::kBigInt;
    case kFloat4Oid:
    case kFloat8Oid:
      return SqlType::kDouble;
    case kNumericOid:
      return SqlType::kDecimal;
    case kDateOid:
      return SqlType::kDate;
    case kTimestampOid:
    case kTimestampTzOid:
      return SqlType::kTimestamp;
    default:
      return SqlType::kText;
  }
}

// Text-format COPY escaping: backslash, and the row/field separators.
void AppendCopyText(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        *out += c;
    }
  }
}

class PostgresRowStream : public RowStream {
 public:
  PostgresRowStream(PGconn* conn, std::vector<ColumnInfo> columns, std::vector<Oid> oids, std::string where)
      : conn_(conn), columns_(std::move(columns)), oids_(std::move(oids)), where_(std::move(where)) {}

  ~PostgresRowStream() override {
    PQclear(current_);
    if (!done_) {
      // Stop the server sending the rest, then drain what is in flight.
      if (PGcancel* cancel = PQgetCancel(conn_)) {
        char err[256];
        PQcancel(cancel, err, sizeof(err));
        PQfreeCancel(cancel);
      }
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    }
  }

  const std::vector<ColumnInfo>& columns() const override { return columns_; }

  // The zero-copy read: cells point into the row's PGresult, kept until the
  // next call; only booleans, integers, doubles and bytea are converted here.
  Result<bool> NextView(RowView* view) override {
    PQclear(current_);
    current_ = nullptr;
    ASSIGN_OR_RETURN(PGresult * res, Fetch());
    if (res == nullptr) return false;
    current_ = res;
    const size_t n = columns_.size();
    view->cells.resize(n);
    if (scratch_.size() < n) scratch_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      CellView& cell = view->cells[i];
      const int col = static_cast<int>(i);
      if (PQgetisnull(res, 0, col)) {
        cell.kind = CellView::Kind::kNull;
        continue;
      }
      const std::string_view text(PQgetvalue(res, 0, col), static_cast<size_t>(PQgetlength(res, 0, col)));
      switch (columns_[i].type) {
        case SqlType::kBoolean:
          if (text != "t" && text != "f") return BadCell(i, text);
          cell.kind = CellView::Kind::kInt;
          cell.i = text == "t";
          break;
        case SqlType::kInteger:
        case SqlType::kBigInt:
          if (!ParseInt64(text, &cell.i)) return BadCell(i, text);
          cell.kind = CellView::Kind::kInt;
          break;
        case SqlType::kDouble: {
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cell.d);
          if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
            const std::string copy(text);
            char* stop = nullptr;
            cell.d = std::strtod(copy.c_str(), &stop);  // "NaN", "Infinity", "-Infinity"
            if (copy.empty() || stop != copy.c_str() + copy.size()) return BadCell(i, text);
          }
          cell.kind = CellView::Kind::kDouble;
          break;
        }
        case SqlType::kText:
          if (oids_[i] == kByteaOid) {
            if (!DecodeBytea(text, &scratch_[i])) return BadCell(i, text);
            cell.text = scratch_[i];
          } else {
            cell.text = text;
          }
          cell.kind = CellView::Kind::kText;
          break;
        case SqlType::kDecimal:
        case SqlType::kDate:
        case SqlType::kTimestamp:
          cell.text = text;
          cell.kind = CellView::Kind::kText;
          break;
      }
    }
    return true;
  }

  Result<bool> Next(std::vector<Value>* row) override {
    PQclear(current_);
    current_ = nullptr;
    ASSIGN_OR_RETURN(PGresult * res, Fetch());
    if (res == nullptr) return false;
    ++row_number_;
    row->resize(columns_.size());
    Status status;
    for (size_t i = 0; i < columns_.size() && status.ok(); ++i) {
      int col = static_cast<int>(i);
      if (PQgetisnull(res, 0, col)) {
        (*row)[i] = std::monostate{};
      } else {
        status = Convert(i, std::string_view(PQgetvalue(res, 0, col), PQgetlength(res, 0, col)), &(*row)[i]);
      }
    }
    PQclear(res);
    RETURN_NOT_OK(status);
    return true;
  }

 private:
  Status Convert(size_t i, std::string_view text, Value* out) {
    const ColumnInfo& col = columns_[i];
    auto bad = [&] {
      return Status::SourceError(where_ + ": row " + std::to_string(row_number_) + ", column " + col.name +
                                 " (" + col.source_type + "): cannot read '" +
                                 std::string(text.substr(0, 100)) + "' as " + SqlTypeName(col.type));
    };
    switch (col.type) {
      case SqlType::kBoolean:
        if (text == "t" || text == "f") {
          *out = int64_t{text == "t"};
          return Status::OK();
        }
        return bad();
      case SqlType::kInteger:
      case SqlType::kBigInt: {
        int64_t v = 0;
        if (!ParseInt64(text, &v)) return bad();
        *out = v;
        return Status::OK();
      }
      case SqlType::kDouble: {
        std::string s(text);
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);  // also "NaN", "Infinity", "-Infinity"
        if (s.empty() || end != s.c_str() + s.size()) return bad();
        *out = d;
        return Status::OK();
      }
      case SqlType::kTimestamp:
        *out = NormalizeTimestamp(text);
        return Status::OK();
      case SqlType::kDecimal:
      case SqlType::kDate:
        *out = std::string(text);
        return Status::OK();
      case SqlType::kText:
        if (oids_[i] == kByteaOid) {  // "\x48656c6c6f" -> the bytes
          if (text.substr(0, 2) != "\\x" || text.size() % 2 != 0) return bad();
          std::string bytes;
          bytes.reserve(text.size() / 2 - 1);
          for (size_t k = 2; k < text.size(); k += 2) {
            bytes += static_cast<char>(std::stoi(std::string(text.substr(k, 2)), nullptr, 16));
          }
          *out = std::move(bytes);
        } else {
          *out = std::string(text);
        }
        return Status::OK();
    }
    return Status::Internal("unknown column type");
  }

  // The next single-row result (row_number_ counted), or nullptr at the end.
  Result<PGresult*> Fetch() {
    if (done_) return static_cast<PGresult*>(nullptr);
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) {
      done_ = true;
      return res;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK) {  // the end: an empty result carries the final status
      PQclear(res);
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
      done_ = true;
      return static_cast<PGresult*>(nullptr);
    }
    if (st != PGRES_SINGLE_TUPLE) {
      Status err = ResultFailure(conn_, res, where_ + ": reading row " + std::to_string(row_number_ + 1));
      PQclear(res);
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
      done_ = true;
      return err;
    }
    ++row_number_;
    return res;
  }

  static bool DecodeBytea(std::string_view text, std::string* out) {  // "\x48656c6c6f" -> the bytes
    if (text.substr(0, 2) != "\\x" || text.size() % 2 != 0) return false;
    out->resize(text.size() / 2 - 1);
    for (size_t k = 2, o = 0; k < text.size(); k += 2, ++o) {
      int v = 0;
      auto [end, ec] = std::from_chars(text.data() + k, text.data() + k + 2, v, 16);
      if (ec != std::errc() || end != text.data() + k + 2) return false;
      (*out)[o] = static_cast<char>(v);
    }
    return true;
  }

  Status BadCell(size_t i, std::string_view text) const {
    const ColumnInfo& col = columns_[i];
    return Status::SourceError(where_ + ": row " + std::to_string(row_number_) + ", column " + col.name + " (" +
                               col.source_type + "): cannot read '" + std::string(text.substr(0, 100)) + "' as " +
                               SqlTypeName(col.type));
  }

  PGconn* conn_;
  PGresult* current_ = nullptr;  // NextView's row, cleared at the next call
  std::vector<std::string> scratch_;  // decoded bytea, per column
  std::vector<ColumnInfo> columns_;
  std::vector<Oid> oids_;
  std::string where_;
  int64_t row_number_ = 0;
  bool done_ = false;
};

class PostgresBulkInserter : public BulkInserter {
 public:
  PostgresBulkInserter(PGconn* conn, DatabaseUrl url, TableDef table)
      : conn_(conn), url_(std::move(url)), table_(std::move(table)) {
    buffer_.reserve(kCopyChunkBytes + (64 << 10));
  }
  ~PostgresBulkInserter() override {
    if (!finished_) {
      PQputCopyEnd(conn_, "custlake: insert abandoned");
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
  }

  Status Append(const std::vector<Value>& row) override {
    ++row_number_;
    if (finished_) return Status::Internal("Append after Finish on table " + table_.name);
    if (row.size() != table_.columns.size()) {
      return Status::InvalidArgument(RowContext(url_, table_.name, row_number_) + ": has " +
                                     std::to_string(row.size()) + " values for " +
                                     std::to_string(table_.columns.size()) + " columns");
    }
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) buffer_ += '\t';
      const Value& v = row[i];
      if (std::holds_alternative<std::monostate>(v)) {
        buffer_ += "\\N";
      } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
        buffer_ += std::to_string(*n);
      } else if (const double* d = std::get_if<double>(&v)) {
        buffer_ += FormatDouble(*d);
      } else {
        const std::string& s = std::get<std::string>(v);
        if (s.find('\0') != std::string::npos) {
          return Status::InvalidArgument(RowContext(url_, table_.name, row_number_) + ", column " +
                                         table_.columns[i].name + ": PostgreSQL text cannot hold a NUL byte");
        }
        AppendCopyText(s, &buffer_);
      }
    }
    buffer_ += '\n';
    if (buffer_.size() >= kCopyChunkBytes) return Send();
    return Status::OK();
  }

  Status Finish() override {
    if (finished_) return Status::OK();
    finished_ = true;
    Status st = Send();
    if (PQputCopyEnd(conn_, st.ok() ? nullptr : "custlake: send failed") != 1 && st.ok())
      st = ConnError("ending COPY");
    while (PGresult* r = PQgetResult(conn_)) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK && st.ok()) {
        // The server's message names the failing line of the COPY, which is our row number.
        st = ResultFailure(conn_, r, "loading table " + table_.name + " (" + url_.Masked() + ")");
      }
      PQclear(r);
    }
    PGresult* end = PQexec(conn_, st.ok() ? "COMMIT" : "ROLLBACK");
    if (st.ok() && PQresultStatus(end) != PGRES_COMMAND_OK) {
      st = ResultFailure(conn_, end,
                         "committing " + std::to_string(row_number_) + " rows into table " + table_.name +
                             " (" + url_.Masked() + ")");
    }
    PQclear(end);
    return st;
  }

 private:
  Status Send() {
    if (buffer_.empty()) return Status::OK();
    int rc = PQputCopyData(conn_, buffer_.data(), static_cast<int>(buffer_.size()));
    buffer_.clear();
    if (rc != 1) return ConnError("sending rows up to " + std::to_string(row_number_));
    return Status::OK();
  }
  Status ConnError(const std::string& what) {
    return ResultFailure(conn_, nullptr, what + " of table " + table_.name + " (" + url_.Masked() + ")");
  }

  PGconn* conn_;
  DatabaseUrl url_;
  TableDef table_;
  std::string buffer_;  // COPY text not yet sent; reused between chunks
  int64_t row_number_ = 0;
  bool finished_ = false;
};

class PostgresConnection : public Connection {
 public:
  PostgresConnection(PGconn* conn, DatabaseUrl url) : conn_(conn), url_(std::move(url)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  DatabaseUrl::Kind kind() const override { return DatabaseUrl::Kind::kPostgres; }
  std::string QuoteIdentifier(std::string_view name) const override { return Quote(name); }

  Status Execute(const std::string& sql) override {
    PGresult* res = PQexec(conn_, sql.c_str());
    ExecStatusType st = PQresultStatus(res);
    Status status;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      status = ResultFailure(conn_, res, url_.Masked() + " (in: " + sql.substr(0, 200) + ")");
    }
    PQclear(res);
    return status;
  }

  Status CreateTable(const TableDef& table, bool drop_existing) override {
    if (table.columns.empty()) return Status::InvalidArgument("table " + table.name + " has no columns");
    std::string sql;
    if (drop_existing) sql = "DROP TABLE IF EXISTS " + Quote(table.name) + ";\n";
    sql += "CREATE TABLE " + Quote(table.name) + " (";
    std::string keys;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const ColumnDef& c = table.columns[i];
      sql += (i ? ", " : "") + Quote(c.name) + " " + DeclaredType(c);
      if (!c.nullable || c.primary_key) sql += " NOT NULL";
      if (c.primary_key) keys += (keys.empty() ? "" : ", ") + Quote(c.name);
    }
    if (!keys.empty()) sql += ", PRIMARY KEY (" + keys + ")";
    sql += ")";
    return Execute(sql).WithContext("creating table " + table.name);
  }

  Result<std::unique_ptr<BulkInserter>> BeginInsert(const TableDef& table) override {
    if (table.columns.empty()) return Status::InvalidArgument("table " + table.name + " has no columns");
    RETURN_NOT_OK(Execute("BEGIN").WithContext("starting the insert into table " + table.name));
    std::string sql = "COPY " + Quote(table.name) + " (";
    for (size_t i = 0; i < table.columns.size(); ++i) sql += (i ? ", " : "") + Quote(table.columns[i].name);
    sql += ") FROM STDIN";
    PGresult* res = PQexec(conn_, sql.c_str());
    if (PQresultStatus(res) != PGRES_COPY_IN) {
      Status st =
          ResultFailure(conn_, res, "starting COPY into table " + table.name + " (" + url_.Masked() + ")");
      PQclear(res);
      PQclear(PQexec(conn_, "ROLLBACK"));
      return st;
    }
    PQclear(res);
    return std::unique_ptr<BulkInserter>(new PostgresBulkInserter(conn_, url_, table));
  }

  Result<std::unique_ptr<RowStream>> Query(const std::string& sql) override {
    const std::string where = url_.Masked() + ", query '" + sql.substr(0, 200) + "'";
    auto fail = [&](PGresult* res) {
      Status st = ResultFailure(conn_, res, where);
      PQclear(res);
      return st;
    };
    // 1. Describe: types and source columns of the result, before any row.
    PGresult* prep = PQprepare(conn_, "", sql.c_str(), 0, nullptr);
    if (PQresultStatus(prep) != PGRES_COMMAND_OK) return fail(prep);
    PQclear(prep);
    PGresult* desc = PQdescribePrepared(conn_, "");
    if (PQresultStatus(desc) != PGRES_COMMAND_OK) return fail(desc);
    const int n = PQnfields(desc);
    if (n == 0) {
      PQclear(desc);
      return Status::InvalidArgument(where + ": the statement returns no rows; use Execute()");
    }
    std::vector<ColumnInfo> columns(n);
    std::vector<Oid> oids(n);
    std::set<Oid> type_oids, tables;
    for (int i = 0; i < n; ++i) {
      columns[i].name = PQfname(desc, i);
      oids[i] = PQftype(desc, i);
      columns[i].type = MapOid(oids[i]);
      columns[i].naive_timestamp = oids[i] == kTimestampOid;
      type_oids.insert(oids[i]);
      if (PQftable(desc, i) != InvalidOid) tables.insert(PQftable(desc, i));
      int mod = PQfmod(desc, i);
      if (oids[i] == kNumericOid && mod >= 4) {
        columns[i].precision = ((mod - 4) >> 16) & 0xffff;
        columns[i].scale = (mod - 4) & 0xffff;
      }
    }
    // 2. Type names and NOT NULL flags from the catalog, in two small queries.
    auto list = [](const std::set<Oid>& s) {
      std::string out;
      for (Oid o : s) {
        if (!out.empty()) out += ',';
        out += std::to_string(o);
      }
      return out;
    };
    std::map<Oid, std::string> type_names;
    RETURN_NOT_OK(CatalogQuery(
        "SELECT oid, typname FROM pg_catalog.pg_type WHERE oid IN (" + list(type_oids) + ")",
        [&](PGresult* r, int row) {
          type_names[static_cast<Oid>(std::stoul(PQgetvalue(r, row, 0)))] = PQgetvalue(r, row, 1);
        }));
    std::map<std::pair<Oid, int>, bool> not_null;
    if (!tables.empty()) {
      RETURN_NOT_OK(
          CatalogQuery("SELECT attrelid, attnum, attnotnull FROM pg_catalog.pg_attribute WHERE attnum > 0 "
                       "AND attrelid IN (" +
                           list(tables) + ")",
                       [&](PGresult* r, int row) {
                         not_null[{static_cast<Oid>(std::stoul(PQgetvalue(r, row, 0))),
                                   std::atoi(PQgetvalue(r, row, 1))}] = PQgetvalue(r, row, 2)[0] == 't';
                       }));
    }
    for (int i = 0; i < n; ++i) {
      columns[i].source_type =
          type_names.count(oids[i]) ? type_names[oids[i]] : "oid " + std::to_string(oids[i]);
      auto it = not_null.find({PQftable(desc, i), PQftablecol(desc, i)});
      columns[i].nullable = it == not_null.end() || !it->second;
    }
    PQclear(desc);
    // 3. Run it, one row at a time.
    // (The catalog queries dropped the unnamed statement; this parses it again.)
    if (!PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0))
      return fail(nullptr);
    if (!PQsetSingleRowMode(conn_)) {
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
      return Status::Internal(where + ": could not switch libpq to single-row mode");
    }
    return std::unique_ptr<RowStream>(
        new PostgresRowStream(conn_, std::move(columns), std::move(oids), where));
  }

 private:
  template <typename F>
  Status CatalogQuery(const std::string& sql, F&& on_row) {
    PGresult* res = PQexec(conn_, sql.c_str());
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      Status st = ResultFailure(conn_, res, url_.Masked() + ": reading the catalog");
      PQclear(res);
      return st;
    }
    for (int row = 0; row < PQntuples(res); ++row) on_row(res, row);
    PQclear(res);
    return Status::OK();
  }

  PGconn* conn_;
  DatabaseUrl url_;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenPostgres(const DatabaseUrl& url, Access access) {
  // Keywords and values for PQconnectdbParams; URL params pass through
  // (sslmode, application_name, ...), except custlake's own.
  std::vector<std::pair<std::string, std::string>> kv;
  if (!url.host.empty()) kv.emplace_back("host", url.host);
  if (url.port != 0) kv.emplace_back("port", std::to_string(url.port));
  kv.emplace_back("dbname", url.database);
  if (!url.user.empty()) kv.emplace_back("user", url.user);
  if (!url.password.empty()) kv.emplace_back("password", url.password);
  kv.emplace_back("client_encoding", "UTF8");
  int timeout_s = 10;
  if (auto it = url.params.find("connect_timeout"); it != url.params.end())
    timeout_s = std::atoi(it->second.c_str());
  std::string options =
      "-c TimeZone=UTC -c DateStyle=ISO,YMD -c extra_float_digits=3 -c client_min_messages=warning";
  if (access == Access::kReadOnly) options += " -c default_transaction_read_only=on";
  kv.emplace_back("options", options);
  for (const auto& [key, value] : url.params) {
    if (key == "password_file" || key == "password" || key == "connect_timeout") continue;
    kv.emplace_back(key, value);
  }
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : kv) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  // libpq's non-blocking connect, so that a failure before the server
  // answered (refused, unreachable, timed out: worth a retry) can be told
  // from one the server reported during start-up (wrong password, unknown
  // database or role: not retried), without reading the message text.
  PGconn* conn = PQconnectStartParams(keys.data(), values.data(), 0);
  if (conn == nullptr) return Status::Internal("PQconnectStartParams failed (out of memory?)");
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s > 0 ? timeout_s : 10);
  bool answered = false, timed_out = false;
  PostgresPollingStatusType polling =
      PQstatus(conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (polling != PGRES_POLLING_OK && polling != PGRES_POLLING_FAILED) {
    const int ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count());
    if (ms <= 0) {
      timed_out = true;
      break;
    }
    pollfd fd{PQsocket(conn), static_cast<short>(polling == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    if (fd.fd < 0) break;
    const int ready = ::poll(&fd, 1, ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // the deadline check above ends it
    polling = PQconnectPoll(conn);
    const ConnStatusType state = PQstatus(conn);
    if (state == CONNECTION_AWAITING_RESPONSE || state == CONNECTION_AUTH_OK || state == CONNECTION_SETENV ||
        state == CONNECTION_CHECK_WRITABLE || state == CONNECTION_CONSUME ||
        state == CONNECTION_CHECK_TARGET || state == CONNECTION_OK) {
      answered = true;
    }
  }
  if (polling != PGRES_POLLING_OK || PQstatus(conn) != CONNECTION_OK) {
    std::string msg =
        timed_out ? "timed out after " + std::to_string(timeout_s) + " s" : TrimEnd(PQerrorMessage(conn));
    const bool used_password = PQconnectionUsedPassword(conn);
    PQfinish(conn);
    const bool rejected = answered && !timed_out;  // the server said no
    const std::string hint =
        rejected && used_password
            ? "check the user and the password (CUSTLAKE_DB_PASSWORD, the source's password_env, or "
              "?password_file=); not retried"
        : rejected ? "check the database and user names and the server's pg_hba.conf; not retried"
                   : "check that the server is running and reachable at that host and port";
    std::string text = "cannot connect to " + url.Masked() + ": " + msg + "; " + hint;
    return rejected ? Status::SourceError(std::move(text)) : Status::Transient(std::move(text));
  }
  // Notices (e.g. "table does not exist, skipping") must not go to stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(std::make_unique<PostgresConnection>(conn, url));
}

}  // namespace custlake::db::internal
