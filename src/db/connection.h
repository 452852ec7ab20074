// Clients for the operational databases custlake reads from (import) and
// writes to (the synthetic company generator): SQLite, MariaDB/MySQL and
// PostgreSQL, behind one small interface.
//
// A Connection is owned by one thread at a time; it is not thread-safe. Open
// as many as you need (parallel import splits each open their own).
// Driver errors never escape as exceptions: every call returns a Status
// whose message names the database (URL with the password masked), the
// table and, where known, the row.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace custlake::db {

/// A parsed database URL. Accepted forms:
///   sqlite:relative/path.db   sqlite:///absolute/path.db   (or a bare path ending .db/.sqlite)
///   mysql://user@host:port/database      mariadb://...  (same thing)
///   postgres://user@host:port/database   postgresql://...
/// Query parameters (?sslmode=disable&...) are kept in `params`.
/// A password may be written in the URL (user:pw@host) for tests, but the
/// documented ways are the CUSTLAKE_DB_PASSWORD environment variable or a
/// password file (params["password_file"]); see ResolvePassword().
struct DatabaseUrl {
  enum class Kind { kSqlite, kMariaDB, kPostgres };
  Kind kind = Kind::kSqlite;
  std::string user;
  std::string password;
  std::string host;
  int port = 0;               ///< 0 = the driver's default
  std::string database;       ///< database name, or the file path for SQLite
  std::map<std::string, std::string> params;

  static Result<DatabaseUrl> Parse(std::string_view url);
  /// The URL as text with any password replaced by "***": safe for logs and status.
  std::string Masked() const;
  /// Fills `password` from the URL, CUSTLAKE_DB_PASSWORD, or params["password_file"].
  Status ResolvePassword();
};

/// Portable column types: what the generator creates and what import maps from.
enum class SqlType { kBoolean, kInteger, kBigInt, kDouble, kDecimal, kText, kDate, kTimestamp };

struct ColumnDef {
  std::string name;
  SqlType type = SqlType::kText;
  bool nullable = true;
  bool primary_key = false;
  int precision = 18;  ///< kDecimal only
  int scale = 2;       ///< kDecimal only
};

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;
};

/// One cell to write. Decimals, dates ("2024-01-31") and timestamps
/// ("2024-01-31 12:34:56", UTC) travel as text; NULL is std::monostate.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

/// Appends rows to one table in large batches inside a transaction.
/// Finish() must be called to commit; destroying it unfinished rolls back.
class BulkInserter {
 public:
  virtual ~BulkInserter() = default;
  /// `row` has one Value per column of the TableDef, in order.
  virtual Status Append(const std::vector<Value>& row) = 0;
  virtual Status Finish() = 0;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const DatabaseUrl& url);
  virtual ~Connection() = default;

  virtual DatabaseUrl::Kind kind() const = 0;
  /// Runs one statement that returns no rows.
  virtual Status Execute(const std::string& sql) = 0;
  /// Creates `table` in this dialect (dropping an existing one when asked).
  virtual Status CreateTable(const TableDef& table, bool drop_existing) = 0;
  virtual Result<std::unique_ptr<BulkInserter>> BeginInsert(const TableDef& table) = 0;
};

}  // namespace custlake::db
