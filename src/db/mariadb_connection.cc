// The MariaDB/MySQL driver (libmariadb, text protocol).
//
// Bulk loads run in one transaction as multi-row INSERT statements of about
// 1 MiB each (well under the default max_allowed_packet of 16 MiB).
// Queries stream with mysql_use_result: one row in memory at a time, the
// server sends as fast as the reader takes. Sessions run with utf8mb4 and
// time_zone '+00:00', so TIMESTAMP columns read back in UTC.
#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "db/drivers.h"

namespace custlake::db::internal {
namespace {

constexpr size_t kInsertBatchBytes = 1 << 20;
constexpr unsigned kBinaryCharset = 63;

// Error codes after which the session is gone or the server is going away:
// a retry (on a new connection) may succeed. Everything else (access denied,
// unknown database, SQL errors, KILL QUERY) is not retried.
bool IsTransientCode(unsigned code) {
  switch (code) {
    case CR_CONNECTION_ERROR:      // 2002: socket connect failed
    case CR_CONN_HOST_ERROR:       // 2003: TCP connect failed
    case CR_SERVER_GONE_ERROR:     // 2006: gone between queries
    case CR_SERVER_LOST:           // 2013: lost during a query
    case CR_SERVER_LOST_EXTENDED:  // 2055
    case ER_CON_COUNT_ERROR:       // 1040: too many connections
    case ER_SERVER_SHUTDOWN:       // 1053
    case ER_LOCK_WAIT_TIMEOUT:     // 1205
    case ER_LOCK_DEADLOCK:         // 1213
    case ER_CONNECTION_KILLED:     // 1927: KILL <connection> from another session
      return true;
    default:
      return false;
  }
}

// A SourceError for the session's last error, Transient when its code says so.
Status SourceFailure(MYSQL* mysql, const std::string& message) {
  const unsigned code = mysql_errno(mysql);
  std::string text = message + " (MariaDB error " + std::to_string(code) + ")";
  return IsTransientCode(code) ? Status::Transient(std::move(text)) : Status::SourceError(std::move(text));
}

std::string Quote(std::string_view name) { return QuoteWith(name, '`'); }

std::string DeclaredType(const ColumnDef& c) {
  switch (c.type) {
    case SqlType::kBoolean:
      return "BOOLEAN";
    case SqlType::kInteger:
      return "INT";
    case SqlType::kBigInt:
      return "BIGINT";
    case SqlType::kDouble:
      return "DOUBLE";
    case SqlType::kDecimal:
      return "DECIMAL(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
    // TEXT cannot be a key without a prefix length; keys get VARCHAR(255).
    case SqlType::kText:
      return c.primary_key ? "VARCHAR(255)" : "LONGTEXT";
    case SqlType::kDate:
      return "DATE";
    case SqlType::kTimestamp:
      return "DATETIME(6)";  // no 2038 limit, no session time-zone shifts
  }
  return "LONGTEXT";
}

// Fills type, source_type, precision and scale from a result field.
void MapField(const MYSQL_FIELD& f, ColumnInfo* info) {
  const bool is_unsigned = f.flags & UNSIGNED_FLAG;
  const bool binary = f.charsetnr == kBinaryCharset;
  info->name.assign(f.name, f.name_length);
  info->nullable = !(f.flags & NOT_NULL_FLAG);
  info->is_unsigned = is_unsigned;
  auto set = [&](SqlType type, const char* name) {
    info->type = type;
    info->source_type = name;
  };
  switch (f.type) {
    case MYSQL_TYPE_TINY:
      if (f.length == 1)
        set(SqlType::kBoolean, "tinyint(1)");
      else
        set(SqlType::kInteger, "tinyint");
      break;
    case MYSQL_TYPE_SHORT:
      set(SqlType::kInteger, "smallint");
      break;
    case MYSQL_TYPE_INT24:
      set(SqlType::kInteger, "mediumint");
      break;
    case MYSQL_TYPE_YEAR:
      set(SqlType::kInteger, "year");
      break;
    case MYSQL_TYPE_LONG:
      set(is_unsigned ? SqlType::kBigInt : SqlType::kInteger, "int");
      break;
    case MYSQL_TYPE_LONGLONG:
      if (is_unsigned) {  // up to 18446744073709551615: does not fit int64
        set(SqlType::kDecimal, "bigint");
        info->precision = 20;
        info->scale = 0;
      } else {
        set(SqlType::kBigInt, "bigint");
      }
      break;
    case MYSQL_TYPE_FLOAT:
      set(SqlType::kDouble, "float");
      break;
    case MYSQL_TYPE_DOUBLE:
      set(SqlType::kDouble, "double");
      break;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
      set(SqlType::kDecimal, "decimal");
      info->scale = static_cast<int>(f.decimals);
      // length counts the digits, the point and (when signed) the sign.
      info->precision = static_cast<int>(f.length) - (f.decimals > 0 ? 1 : 0) - (is_unsigned ? 0 : 1);
      break;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      set(SqlType::kDate, "date");
      break;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_DATETIME2:
      set(SqlType::kTimestamp, "datetime");
      info->naive_timestamp = true;
      break;
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIMESTAMP2:
      set(SqlType::kTimestamp, "timestamp");
      break;
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_TIME2:
      set(SqlType::kText, "time");
      break;
    case MYSQL_TYPE_BIT:
      set(SqlType::kBigInt, "bit");
      break;
    case MYSQL_TYPE_JSON:
      set(SqlType::kText, "json");
      break;
    case MYSQL_TYPE_ENUM:
      set(SqlType::kText, "enum");
      break;
    case MYSQL_TYPE_SET:
      set(SqlType::kText, "set");
      break;
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
      set(SqlType::kText, binary ? "blob" : "text");
      break;
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
      set(SqlType::kText, binary ? "varbinary" : "varchar");
      break;
    case MYSQL_TYPE_STRING:
      set(SqlType::kText, binary ? "binary" : "char");
      break;
    case MYSQL_TYPE_GEOMETRY:
      set(SqlType::kText, "geometry");
      break;
    default:
      set(SqlType::kText, "unknown");
      break;
  }
}

class MariaDBConnection;

class MariaDBRowStream : public RowStream {
 public:
  MariaDBRowStream(MYSQL* mysql, MYSQL_RES* res, std::vector<ColumnInfo> columns, std::string where)
      : mysql_(mysql), res_(res), columns_(std::move(columns)), where_(std::move(where)) {
    for (const ColumnInfo& c : columns_) {
      kinds_.push_back(c.source_type == "bit"       ? CellKind::kBit
                       : c.type == SqlType::kDouble ? CellKind::kDouble
                       : c.type == SqlType::kBoolean || c.type == SqlType::kInteger || c.type == SqlType::kBigInt
                           ? CellKind::kInt
                           : CellKind::kText);
    }
  }
  // Freeing an unfinished result reads (and drops) the rest of it.
  ~MariaDBRowStream() override { mysql_free_result(res_); }

  const std::vector<ColumnInfo>& columns() const override { return columns_; }

  // The zero-copy read: cells point into the MYSQL_ROW (valid until the
  // next fetch); only integers and doubles are parsed here.
  Result<bool> NextView(RowView* view) override {
    if (done_) return false;
    MYSQL_ROW cells = mysql_fetch_row(res_);
    if (cells == nullptr) return End();
    ++row_number_;
    const unsigned long* lengths = mysql_fetch_lengths(res_);
    const size_t n = columns_.size();
    view->cells.resize(n);
    for (size_t i = 0; i < n; ++i) {
      CellView& cell = view->cells[i];
      if (cells[i] == nullptr) {
        cell.kind = CellView::Kind::kNull;
        continue;
      }
      const std::string_view text(cells[i], lengths[i]);
      switch (kinds_[i]) {
        case CellKind::kInt: {
          // The server's integer text is plain digits with an optional '-'.
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cell.i);
          if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
            if (!ParseInt64(text, &cell.i)) return BadCell(i, text);
          }
          cell.kind = CellView::Kind::kInt;
          break;
        }
        case CellKind::kBit: {
          if (text.size() > 8) return BadCell(i, text);
          int64_t v = 0;
          for (unsigned char c : text) v = (v << 8) | c;
          cell.i = v;
          cell.kind = CellView::Kind::kInt;
          break;
        }
        case CellKind::kDouble: {
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cell.d);
          if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
            std::string copy(text);
            char* stop = nullptr;
            cell.d = std::strtod(copy.c_str(), &stop);
            if (copy.empty() || stop != copy.c_str() + copy.size()) return BadCell(i, text);
          }
          cell.kind = CellView::Kind::kDouble;
          break;
        }
        case CellKind::kText:
          cell.text = text;
          cell.kind = CellView::Kind::kText;
          break;
      }
    }
    return true;
  }

  Result<bool> Next(std::vector<Value>* row) override {
    if (done_) return false;
    MYSQL_ROW cells = mysql_fetch_row(res_);
    if (cells == nullptr) return End();
    ++row_number_;
    unsigned long* lengths = mysql_fetch_lengths(res_);
    row->resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (cells[i] == nullptr) {
        (*row)[i] = std::monostate{};
        continue;
      }
      RETURN_NOT_OK(Convert(columns_[i], std::string_view(cells[i], lengths[i]), &(*row)[i]));
    }
    return true;
  }

 private:
  Status Convert(const ColumnInfo& col, std::string_view text, Value* out) {
    auto bad = [&] {
      return Status::SourceError(where_ + ": row " + std::to_string(row_number_) + ", column " + col.name +
                                 " (" + col.source_type + "): cannot read '" +
                                 std::string(text.substr(0, 100)) + "' as " + SqlTypeName(col.type));
    };
    switch (col.type) {
      case SqlType::kBoolean:
      case SqlType::kInteger:
      case SqlType::kBigInt: {
        int64_t v = 0;
        if (col.source_type == "bit") {  // binary, big-endian
          if (text.size() > 8) return bad();
          for (unsigned char c : text) v = (v << 8) | c;
        } else if (!ParseInt64(text, &v)) {
          return bad();
        }
        *out = v;
        return Status::OK();
      }
      case SqlType::kDouble: {
        std::string s(text);
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) return bad();
        *out = d;
        return Status::OK();
      }
      case SqlType::kDate:
        if (text.substr(0, 10) == "0000-00-00") {  // zero dates read as NULL
          *out = std::monostate{};
        } else {
          *out = std::string(text);
        }
        return Status::OK();
      case SqlType::kTimestamp:
        if (text.substr(0, 10) == "0000-00-00") {
          *out = std::monostate{};
        } else {
          *out = NormalizeTimestamp(text);
        }
        return Status::OK();
      case SqlType::kDecimal:
      case SqlType::kText:
        *out = std::string(text);
        return Status::OK();
    }
    return Status::Internal("unknown column type");
  }

  Result<bool> End() {
    done_ = true;
    if (mysql_errno(mysql_) != 0) {
      return SourceFailure(
          mysql_, where_ + ": reading row " + std::to_string(row_number_ + 1) + ": " + mysql_error(mysql_));
    }
    return false;
  }

  Status BadCell(size_t i, std::string_view text) const {
    const ColumnInfo& col = columns_[i];
    return Status::SourceError(where_ + ": row " + std::to_string(row_number_) + ", column " + col.name + " (" +
                               col.source_type + "): cannot read '" + std::string(text.substr(0, 100)) + "' as " +
                               SqlTypeName(col.type));
  }

  enum class CellKind : uint8_t { kInt, kBit, kDouble, kText };

  MYSQL* mysql_;
  MYSQL_RES* res_;
  std::vector<ColumnInfo> columns_;
  std::vector<CellKind> kinds_;  // how NextView reads each column
  std::string where_;
  int64_t row_number_ = 0;
  bool done_ = false;
};

class MariaDBBulkInserter : public BulkInserter {
 public:
  MariaDBBulkInserter(MYSQL* mysql, DatabaseUrl url, TableDef table)
      : mysql_(mysql), url_(std::move(url)), table_(std::move(table)) {
    prefix_ = "INSERT INTO " + Quote(table_.name) + " (";
    for (size_t i = 0; i < table_.columns.size(); ++i)
      prefix_ += (i ? ", " : "") + Quote(table_.columns[i].name);
    prefix_ += ") VALUES ";
    sql_.reserve(kInsertBatchBytes + (64 << 10));
  }
  ~MariaDBBulkInserter() override {
    if (!finished_) mysql_real_query(mysql_, "ROLLBACK", 8);
  }

  Status Append(const std::vector<Value>& row) override {
    ++row_number_;
    if (finished_) return Status::Internal("Append after Finish on table " + table_.name);
    if (row.size() != table_.columns.size()) {
      return Status::InvalidArgument(RowContext(url_, table_.name, row_number_) + ": has " +
                                     std::to_string(row.size()) + " values for " +
                                     std::to_string(table_.columns.size()) + " columns");
    }
    if (sql_.empty()) {
      sql_ = prefix_;
      first_row_in_batch_ = row_number_;
    } else {
      sql_ += ',';
    }
    sql_ += '(';
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) sql_ += ',';
      const Value& v = row[i];
      if (std::holds_alternative<std::monostate>(v)) {
        sql_ += "NULL";
      } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
        sql_ += std::to_string(*n);
      } else if (const double* d = std::get_if<double>(&v)) {
        if (!std::isfinite(*d)) {
          return Status::InvalidArgument(RowContext(url_, table_.name, row_number_) + ", column " +
                                         table_.columns[i].name + ": MariaDB cannot store " +
                                         FormatDouble(*d));
        }
        sql_ += FormatDouble(*d);
      } else {
        const std::string& s = std::get<std::string>(v);
        size_t at = sql_.size();
        sql_.resize(at + 2 * s.size() + 3);
        sql_[at] = '\'';
        unsigned long len = mysql_real_escape_string(mysql_, &sql_[at + 1], s.data(), s.size());
        sql_[at + 1 + len] = '\'';
        sql_.resize(at + 2 + len);
      }
    }
    sql_ += ')';
    if (sql_.size() >= kInsertBatchBytes) return Flush();
    return Status::OK();
  }

  Status Finish() override {
    if (finished_) return Status::OK();
    Status st = Flush();
    finished_ = true;
    if (!st.ok()) {
      mysql_real_query(mysql_, "ROLLBACK", 8);
      return st;
    }
    if (mysql_real_query(mysql_, "COMMIT", 6) != 0) {
      return SourceFailure(mysql_, "committing " + std::to_string(row_number_) + " rows into table " +
                                       table_.name + " (" + url_.Masked() + "): " + mysql_error(mysql_));
    }
    return Status::OK();
  }

 private:
  Status Flush() {
    if (sql_.empty()) return Status::OK();
    int rc = mysql_real_query(mysql_, sql_.data(), sql_.size());
    sql_.clear();
    if (rc != 0) {
      return SourceFailure(mysql_, "inserting rows " + std::to_string(first_row_in_batch_) + "-" +
                                       std::to_string(row_number_) + " into table " + table_.name + " (" +
                                       url_.Masked() + "): " + mysql_error(mysql_));
    }
    return Status::OK();
  }

  MYSQL* mysql_;
  DatabaseUrl url_;
  TableDef table_;
  std::string prefix_;
  std::string sql_;  // the pending multi-row INSERT; reused between batches
  int64_t row_number_ = 0;
  int64_t first_row_in_batch_ = 0;
  bool finished_ = false;
};

class MariaDBConnection : public Connection {
 public:
  MariaDBConnection(MYSQL* mysql, DatabaseUrl url) : mysql_(mysql), url_(std::move(url)) {}
  ~MariaDBConnection() override { mysql_close(mysql_); }

  DatabaseUrl::Kind kind() const override { return DatabaseUrl::Kind::kMariaDB; }
  std::string QuoteIdentifier(std::string_view name) const override { return Quote(name); }

  Status Execute(const std::string& sql) override {
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error(sql);
    // A statement that unexpectedly returns rows: drain and drop them.
    if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
    return Status::OK();
  }

  Status CreateTable(const TableDef& table, bool drop_existing) override {
    if (table.columns.empty()) return Status::InvalidArgument("table " + table.name + " has no columns");
    if (drop_existing) RETURN_NOT_OK(Execute("DROP TABLE IF EXISTS " + Quote(table.name)));
    std::string sql = "CREATE TABLE " + Quote(table.name) + " (";
    std::string keys;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const ColumnDef& c = table.columns[i];
      sql += (i ? ", " : "") + Quote(c.name) + " " + DeclaredType(c);
      sql += (!c.nullable || c.primary_key) ? " NOT NULL" : " NULL";
      if (c.primary_key) keys += (keys.empty() ? "" : ", ") + Quote(c.name);
    }
    if (!keys.empty()) sql += ", PRIMARY KEY (" + keys + ")";
    sql += ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    return Execute(sql).WithContext("creating table " + table.name);
  }

  Result<std::unique_ptr<BulkInserter>> BeginInsert(const TableDef& table) override {
    if (table.columns.empty()) return Status::InvalidArgument("table " + table.name + " has no columns");
    RETURN_NOT_OK(Execute("START TRANSACTION").WithContext("starting the insert into table " + table.name));
    return std::unique_ptr<BulkInserter>(new MariaDBBulkInserter(mysql_, url_, table));
  }

  Result<std::unique_ptr<RowStream>> Query(const std::string& sql) override {
    const std::string where = url_.Masked() + ", query '" + sql.substr(0, 200) + "'";
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
      return SourceFailure(mysql_, where + ": " + mysql_error(mysql_));
    }
    MYSQL_RES* res = mysql_use_result(mysql_);
    if (res == nullptr) {
      if (mysql_field_count(mysql_) == 0) {
        return Status::InvalidArgument(where + ": the statement returns no rows; use Execute()");
      }
      return SourceFailure(mysql_, where + ": " + mysql_error(mysql_));
    }
    unsigned n = mysql_num_fields(res);
    MYSQL_FIELD* fields = mysql_fetch_fields(res);
    std::vector<ColumnInfo> columns(n);
    for (unsigned i = 0; i < n; ++i) MapField(fields[i], &columns[i]);
    return std::unique_ptr<RowStream>(new MariaDBRowStream(mysql_, res, std::move(columns), where));
  }

 private:
  Status Error(const std::string& sql) {
    return SourceFailure(mysql_,
                         url_.Masked() + ": " + mysql_error(mysql_) + " (in: " + sql.substr(0, 200) + ")");
  }

  MYSQL* mysql_;
  DatabaseUrl url_;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenMariaDB(const DatabaseUrl& url, Access access) {
  // mysql_init() initialises the library on first use, which is not
  // thread-safe; parallel import splits open connections concurrently.
  static std::once_flag library_once;
  std::call_once(library_once, [] { mysql_library_init(0, nullptr, nullptr); });
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return Status::Internal("mysql_init failed (out of memory?)");
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned timeout = 10;
  if (auto it = url.params.find("connect_timeout"); it != url.params.end()) {
    timeout = static_cast<unsigned>(std::atoi(it->second.c_str()));
  }
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  const char* socket = nullptr;
  if (auto it = url.params.find("socket"); it != url.params.end()) socket = it->second.c_str();
  const char* host = url.host.empty() ? nullptr : url.host.c_str();
  if (mysql_real_connect(mysql, host, url.user.c_str(), url.password.c_str(), url.database.c_str(),
                         static_cast<unsigned>(url.port), socket, 0) == nullptr) {
    const std::string msg = mysql_error(mysql);
    const unsigned code = mysql_errno(mysql);
    mysql_close(mysql);
    const bool auth = code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR;
    const std::string hint =
        auth ? "check the user and the password (CUSTLAKE_DB_PASSWORD, the source's password_env, or "
               "?password_file=); not retried"
        : code == ER_BAD_DB_ERROR ? "check the database name; not retried"
                                  : "check that the server is running and reachable at that host and port";
    std::string text = "cannot connect to " + url.Masked() + ": " + msg + " (MariaDB error " +
                       std::to_string(code) + "); " + hint;
    return IsTransientCode(code) ? Status::Transient(std::move(text)) : Status::SourceError(std::move(text));
  }
  auto conn = std::make_unique<MariaDBConnection>(mysql, url);
  RETURN_NOT_OK(conn->Execute("SET time_zone = '+00:00'").WithContext("setting up the session"));
  if (access == Access::kReadOnly) {
    RETURN_NOT_OK(conn->Execute("SET SESSION TRANSACTION READ ONLY").WithContext("setting up the session"));
  }
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace custlake::db::internal
