// The SQLite driver: the embedded default (demo database, tests).
//
// Bulk loads run in one IMMEDIATE transaction with one prepared INSERT reused
// for every row, on a database in WAL mode with synchronous=NORMAL (only a
// read-write Connection switches the file to WAL; read-only ones, which
// import uses, leave the file exactly as it was).
// Exact decimals are stored as text: SQLite's NUMERIC affinity would turn
// "-12.50" into a REAL and lose digits, so CreateTable declares them
// DECIMAL_TEXT(p,s), which has TEXT affinity and still names the type.
#include <sqlite3.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "db/drivers.h"

namespace custlake::db::internal {
namespace {

std::string Quote(std::string_view name) { return QuoteWith(name, '"'); }

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
      return "DECIMAL_TEXT(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
    case SqlType::kText:
      return "TEXT";
    case SqlType::kDate:
      return "DATE";
    case SqlType::kTimestamp:
      return "TIMESTAMP";
  }
  return "TEXT";
}

// Maps a declared column type the way SQLite's affinity rules would, but to
// custlake's portable types; fills precision/scale for DECIMAL(p,s).
void MapDeclaredType(const char* decl, ColumnInfo* info) {
  std::string upper;
  for (const char* p = decl; *p; ++p)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
  info->source_type.clear();
  for (const char* p = decl; *p; ++p)
    info->source_type += static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
  auto has = [&](const char* word) { return upper.find(word) != std::string::npos; };
  if (has("DECIMAL") || has("NUMERIC")) {
    info->type = SqlType::kDecimal;
    if (size_t open = upper.find('('); open != std::string::npos) {
      int p = 0, s = 0;
      if (std::sscanf(upper.c_str() + open, "(%d,%d)", &p, &s) >= 1) {
        info->precision = p;
        info->scale = s;
      }
    }
  } else if (has("BOOL")) {
    info->type = SqlType::kBoolean;
  } else if (upper == "INTEGER" || has("BIGINT") || has("INT8") || has("BIG INT")) {
    info->type = SqlType::kBigInt;  // SQLite integers are 64-bit
  } else if (has("INT")) {
    info->type = SqlType::kInteger;
  } else if (has("CHAR") || has("CLOB") || has("TEXT")) {
    info->type = SqlType::kText;
  } else if (has("REAL") || has("FLOA") || has("DOUB")) {
    info->type = SqlType::kDouble;
  } else if (has("TIMESTAMP") || has("DATETIME")) {
    info->type = SqlType::kTimestamp;
    info->naive_timestamp = true;  // SQLite has no time zones
  } else if (has("DATE")) {
    info->type = SqlType::kDate;
  } else {
    info->type = SqlType::kText;  // BLOB, no type, or a name SQLite gives NUMERIC affinity
  }
}

class SqliteRowStream : public RowStream {
 public:
  SqliteRowStream(sqlite3* db, sqlite3_stmt* stmt, std::vector<ColumnInfo> columns, bool has_row,
                  std::string where)
      : db_(db),
        stmt_(stmt),
        columns_(std::move(columns)),
        pending_(has_row),
        done_(!has_row),
        where_(std::move(where)) {}
  ~SqliteRowStream() override { sqlite3_finalize(stmt_); }

  const std::vector<ColumnInfo>& columns() const override { return columns_; }

  Result<bool> Next(std::vector<Value>* row) override {
    ASSIGN_OR_RETURN(bool more, Step());
    if (!more) return false;
    row->resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      RETURN_NOT_OK(ReadCell(static_cast<int>(i), &(*row)[i]));
    }
    return true;
  }

  /// Like Next, but a cell that is no valid value of its column (text in an
  /// INTEGER column, a Unix time past 9999) comes as the text SQLite stores,
  /// not as an error: the caller (import) names every bad column, not only
  /// the first, and the stream goes on.
  Result<bool> NextView(RowView* view) override {
    ASSIGN_OR_RETURN(bool more, Step());
    if (!more) return false;
    view->owned.resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      const int col = static_cast<int>(i);
      if (!ReadCell(col, &view->owned[i]).ok()) {
        const char* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        view->owned[i] = std::string(p ? p : "", sqlite3_column_bytes(stmt_, col));
      }
    }
    PointCellsAtOwned(view);
    return true;
  }

 private:
  // Steps to the next row (the first was stepped by Query()).
  Result<bool> Step() {
    if (done_) return false;
    if (!pending_) {
      int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_DONE) {
        done_ = true;
        return false;
      }
      if (rc != SQLITE_ROW) {
        done_ = true;
        return Status::SourceError(where_ + ": reading row " + std::to_string(row_number_ + 1) + ": " +
                                   sqlite3_errmsg(db_));
      }
    }
    pending_ = false;
    ++row_number_;
    return true;
  }

  Status ReadCell(int i, Value* out) {
    const ColumnInfo& col = columns_[i];
    int storage = sqlite3_column_type(stmt_, i);
    if (storage == SQLITE_NULL) {
      *out = std::monostate{};
      return Status::OK();
    }
    auto text = [&] {
      const char* p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt_, i));
      return std::string(p ? p : "", sqlite3_column_bytes(stmt_, i));
    };
    auto bad = [&](const std::string& value) {
      return Status::SourceError(where_ + ": row " + std::to_string(row_number_) + ", column " + col.name +
                                 " (" + col.source_type + "): value '" + value + "' is not a valid " +
                                 SqlTypeName(col.type));
    };
    switch (col.type) {
      case SqlType::kBoolean:
      case SqlType::kInteger:
      case SqlType::kBigInt: {
        if (storage == SQLITE_INTEGER) {
          *out = static_cast<int64_t>(sqlite3_column_int64(stmt_, i));
        } else if (storage == SQLITE_FLOAT) {
          double d = sqlite3_column_double(stmt_, i);
          if (d != std::trunc(d) || std::fabs(d) >= 9.2e18) return bad(FormatDouble(d));
          *out = static_cast<int64_t>(d);
        } else {
          std::string s = text();
          int64_t v = 0;
          if (!ParseInt64(s, &v)) return bad(s);
          *out = v;
        }
        return Status::OK();
      }
      case SqlType::kDouble: {
        if (storage == SQLITE_INTEGER || storage == SQLITE_FLOAT) {
          *out = sqlite3_column_double(stmt_, i);
        } else {
          std::string s = text();
          char* end = nullptr;
          double d = std::strtod(s.c_str(), &end);
          if (s.empty() || end != s.c_str() + s.size()) return bad(s);
          *out = d;
        }
        return Status::OK();
      }
      case SqlType::kDecimal: {
        if (storage == SQLITE_INTEGER) {
          *out = std::to_string(sqlite3_column_int64(stmt_, i));
        } else if (storage == SQLITE_FLOAT) {
          // NUMERIC affinity stored the value as REAL: its shortest exact
          // digits without an exponent ("0.005", not rounded to the scale,
          // so that import can refuse what does not fit).
          char buf[400];
          auto [end, ec] =
              std::to_chars(buf, buf + sizeof buf, sqlite3_column_double(stmt_, i), std::chars_format::fixed);
          *out = ec == std::errc() ? std::string(buf, end) : FormatDouble(sqlite3_column_double(stmt_, i));
        } else {
          *out = text();
        }
        return Status::OK();
      }
      case SqlType::kDate:
      case SqlType::kTimestamp: {
        // SQLite has no date type: its date functions read TEXT (ISO 8601),
        // INTEGER as Unix time (seconds since 1970-01-01 UTC) and REAL as a
        // Julian day number; the last two become the canonical text here.
        const bool date_only = col.type == SqlType::kDate;
        if (storage == SQLITE_INTEGER) {
          const int64_t secs = sqlite3_column_int64(stmt_, i);
          if (secs < -62135596800LL || secs > 253402300799LL)
            return bad(std::to_string(secs) + " (Unix time)");
          *out = FormatEpochMicros(secs * 1000000, date_only);
        } else if (storage == SQLITE_FLOAT) {
          const double julian = sqlite3_column_double(stmt_, i);
          const double micros = std::round((julian - 2440587.5) * 86400e6);
          if (!(micros >= -62135596800e6 && micros <= 253402300799e6)) {
            return bad(FormatDouble(julian) + " (Julian day)");
          }
          *out = FormatEpochMicros(static_cast<int64_t>(micros), date_only);
        } else {
          *out = date_only ? text() : NormalizeTimestamp(text(), /*keep_zone=*/true);  // "Z", "+02:00" stay
        }
        return Status::OK();
      }
      case SqlType::kText:
        if (storage == SQLITE_INTEGER) {
          *out = std::to_string(sqlite3_column_int64(stmt_, i));
        } else if (storage == SQLITE_FLOAT) {
          *out = FormatDouble(sqlite3_column_double(stmt_, i));
        } else {
          *out = text();
        }
        return Status::OK();
    }
    return Status::Internal("unknown column type");
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::vector<ColumnInfo> columns_;
  bool pending_;  // the first row, stepped by Query(), not yet returned
  bool done_;
  std::string where_;
  int64_t row_number_ = 0;
};

class SqliteBulkInserter : public BulkInserter {
 public:
  SqliteBulkInserter(sqlite3* db, sqlite3_stmt* stmt, DatabaseUrl url, TableDef table)
      : db_(db), stmt_(stmt), url_(std::move(url)), table_(std::move(table)) {}

  ~SqliteBulkInserter() override {
    sqlite3_finalize(stmt_);
    if (!finished_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
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
      int idx = static_cast<int>(i) + 1;
      const Value& v = row[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt_, idx);
      } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt_, idx, *n);
      } else if (const double* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt_, idx, *d);
      } else {
        const std::string& s = std::get<std::string>(v);
        // SQLITE_STATIC: `row` outlives the step below.
        rc = sqlite3_bind_text(stmt_, idx, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) return Error("binding column " + table_.columns[i].name);
    }
    int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    if (rc != SQLITE_DONE) return Error("inserting");
    return Status::OK();
  }

  Status Finish() override {
    if (finished_) return Status::OK();
    finished_ = true;
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Status st = Status::SourceError("committing " + std::to_string(row_number_) + " rows into table " +
                                      table_.name + " (" + url_.Masked() + "): " + sqlite3_errmsg(db_));
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return st;
    }
    return Status::OK();
  }

 private:
  Status Error(const std::string& what) {
    return Status::SourceError(RowContext(url_, table_.name, row_number_) + ": " + what + ": " +
                               sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  DatabaseUrl url_;
  TableDef table_;
  int64_t row_number_ = 0;
  bool finished_ = false;
};

class SqliteConnection : public Connection {
 public:
  SqliteConnection(sqlite3* db, DatabaseUrl url) : db_(db), url_(std::move(url)) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  DatabaseUrl::Kind kind() const override { return DatabaseUrl::Kind::kSqlite; }
  std::string QuoteIdentifier(std::string_view name) const override { return Quote(name); }

  Status Execute(const std::string& sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return Status::SourceError(url_.Masked() + ": " + msg + " (in: " + sql.substr(0, 200) + ")");
    }
    return Status::OK();
  }

  Status CreateTable(const TableDef& table, bool drop_existing) override {
    if (table.columns.empty()) return Status::InvalidArgument("table " + table.name + " has no columns");
    std::string sql;
    if (drop_existing) sql = "DROP TABLE IF EXISTS " + Quote(table.name) + ";\n";
    sql += "CREATE TABLE " + Quote(table.name) + " (";
    std::string keys;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const ColumnDef& c = table.columns[i];
      if (i > 0) sql += ", ";
      sql += Quote(c.name) + " " + DeclaredType(c);
      if (!c.nullable || c.primary_key) sql += " NOT NULL";
      if (c.primary_key) keys += (keys.empty() ? "" : ", ") + Quote(c.name);
    }
    if (!keys.empty()) sql += ", PRIMARY KEY (" + keys + ")";
    sql += ")";
    return Execute(sql).WithContext("creating table " + table.name);
  }

  Result<std::unique_ptr<BulkInserter>> BeginInsert(const TableDef& table) override {
    if (table.columns.empty()) return Status::InvalidArgument("table " + table.name + " has no columns");
    std::string sql = "INSERT INTO " + Quote(table.name) + " (";
    std::string marks;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      sql += (i ? ", " : "") + Quote(table.columns[i].name);
      marks += i ? ", ?" : "?";
    }
    sql += ") VALUES (" + marks + ")";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return Status::SourceError("preparing the insert into table " + table.name + " (" + url_.Masked() +
                                 "): " + sqlite3_errmsg(db_));
    }
    if (Status st = Execute("BEGIN IMMEDIATE"); !st.ok()) {
      sqlite3_finalize(stmt);
      return st.WithContext("starting the insert into table " + table.name);
    }
    return std::unique_ptr<BulkInserter>(new SqliteBulkInserter(db_, stmt, url_, table));
  }

  Result<std::unique_ptr<RowStream>> Query(const std::string& sql) override {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const std::string where = url_.Masked() + ", query '" + sql.substr(0, 200) + "'";
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, &tail) != SQLITE_OK) {
      return Status::SourceError(where + ": " + sqlite3_errmsg(db_));
    }
    if (stmt == nullptr) return Status::InvalidArgument(where + ": no statement to run");
    for (; tail && *tail; ++tail) {
      if (!std::isspace(static_cast<unsigned char>(*tail)) && *tail != ';') {
        sqlite3_finalize(stmt);
        return Status::InvalidArgument(where + ": Query runs one statement; split the rest");
      }
    }
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      Status st = Status::SourceError(where + ": " + sqlite3_errmsg(db_));
      sqlite3_finalize(stmt);
      return st;
    }
    const int n = sqlite3_column_count(stmt);
    std::vector<ColumnInfo> columns(n);
    for (int i = 0; i < n; ++i) {
      ColumnInfo& info = columns[i];
      info.name = sqlite3_column_name(stmt, i);
      if (const char* decl = sqlite3_column_decltype(stmt, i)) {
        MapDeclaredType(decl, &info);
      } else {
        // An expression: take the type of the first value.
        switch (rc == SQLITE_ROW ? sqlite3_column_type(stmt, i) : SQLITE_NULL) {
          case SQLITE_INTEGER:
            info.type = SqlType::kBigInt;
            info.source_type = "integer";
            break;
          case SQLITE_FLOAT:
            info.type = SqlType::kDouble;
            info.source_type = "real";
            break;
          case SQLITE_BLOB:
            info.type = SqlType::kText;
            info.source_type = "blob";
            break;
          default:
            info.type = SqlType::kText;
            info.source_type = "text";
            break;
        }
      }
      const char* table = sqlite3_column_table_name(stmt, i);
      const char* origin = sqlite3_column_origin_name(stmt, i);
      if (table && origin) {
        int not_null = 0, primary = 0;
        if (sqlite3_table_column_metadata(db_, sqlite3_column_database_name(stmt, i), table, origin, nullptr,
                                          nullptr, &not_null, &primary, nullptr) == SQLITE_OK) {
          info.nullable = !not_null;
        }
      }
    }
    return std::unique_ptr<RowStream>(
        new SqliteRowStream(db_, stmt, std::move(columns), rc == SQLITE_ROW, where));
  }

 private:
  sqlite3* db_;
  DatabaseUrl url_;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqlite(const DatabaseUrl& url, Access access) {
  sqlite3* db = nullptr;
  const bool read_only =
      access == Access::kReadOnly || (url.params.count("mode") && url.params.at("mode") == "ro");
  const bool in_memory = url.database == ":memory:";
  if (read_only && !in_memory) {
    // SQLITE_OPEN_READONLY never creates the file, but say plainly which
    // path was looked for rather than SQLite's "unable to open database file".
    std::error_code ec;
    if (!std::filesystem::is_regular_file(url.database, ec)) {
      return Status::NotFound(
          "cannot open " + url.Masked() + ": there is no SQLite database file at '" + url.database + "' (" +
          (std::filesystem::exists(url.database, ec) ? "it is not a regular file" : "no such file") +
          "); check the path (sources are opened read-only and never created)");
    }
  }
  int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(url.database.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IOError(
        "cannot open " + url.Masked() + ": " + msg +
        (read_only ? " (is the file readable?)" : " (does the folder exist and is it writable?)"));
  }
  auto conn = std::make_unique<SqliteConnection>(db, url);
  sqlite3_busy_timeout(db, 10000);
  if (read_only) {
    // The user's file is left as it is: no journal-mode switch, no writes.
    RETURN_NOT_OK(conn->Execute("PRAGMA query_only=1; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;")
                      .WithContext("setting up " + url.Masked()));
    return std::unique_ptr<Connection>(std::move(conn));
  }
  // Fast, still crash-safe bulk loading: WAL with NORMAL sync loses at most
  // the last transactions on power loss, never corrupts.
  std::string pragmas = "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;";
  if (!in_memory) pragmas = "PRAGMA journal_mode=WAL; " + pragmas;
  RETURN_NOT_OK(conn->Execute(pragmas).WithContext("setting up " + url.Masked()));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace custlake::db::internal
