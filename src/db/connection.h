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
/// documented ways are an environment variable (CUSTLAKE_DB_PASSWORD, or the
/// one named by `password_env`) or a password file (params["password_file"]);
/// see ResolvePassword(). ?password= is refused by Parse.
struct DatabaseUrl {
  enum class Kind { kSqlite, kMariaDB, kPostgres };
  Kind kind = Kind::kSqlite;
  std::string user;
  std::string password;
  std::string host;
  int port = 0;          ///< 0 = the driver's default
  std::string database;  ///< database name, or the file path for SQLite
  std::map<std::string, std::string> params;
  /// The environment variable holding the password; empty = CUSTLAKE_DB_PASSWORD.
  /// Not part of the URL text: set from a source's password_env / --password-env.
  std::string password_env;

  static Result<DatabaseUrl> Parse(std::string_view url);
  /// The URL as text with any password replaced by "***": safe for logs and status.
  std::string Masked() const;
  /// Fills `password`, first found of: the URL, params["password_file"], the
  /// variable named by `password_env` (an error when that one is not set),
  /// CUSTLAKE_DB_PASSWORD.
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
/// Booleans travel as int64_t 0/1. The empty string is a value, not NULL.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

/// What a result column is, as the source database describes it. Import maps
/// `type` to the lake's schema; `source_type` is kept for messages and docs.
struct ColumnInfo {
  std::string name;
  std::string source_type;  ///< the database's own type name, lower case: "decimal", "int8", "varchar"
  SqlType type = SqlType::kText;
  bool nullable = true;      ///< false only when the database says NOT NULL
  int precision = 0;         ///< kDecimal: total digits (0 = unknown/unbounded)
  int scale = 0;             ///< kDecimal: digits after the point
  bool is_unsigned = false;  ///< MariaDB UNSIGNED integers (BIGINT UNSIGNED maps to kDecimal(20,0))
  /// kTimestamp without a time zone: MariaDB DATETIME, PostgreSQL timestamp,
  /// any SQLite date-time. Its values are wall-clock times; import reads them
  /// in the source's `timezone` setting. (MariaDB TIMESTAMP and PostgreSQL
  /// timestamptz are instants, read in UTC.)
  bool naive_timestamp = false;
};

/// One cell of a RowView: borrowed, valid until the next call on its stream.
struct CellView {
  enum class Kind : uint8_t { kNull, kInt, kDouble, kText };
  Kind kind = Kind::kNull;
  int64_t i = 0;          ///< kInt
  double d = 0;           ///< kDouble
  std::string_view text;  ///< kText: points into the driver's (or the stream's) buffer
};

/// One row of a RowStream without copies: a cell per column, pointing into
/// the driver's own buffers (MYSQL_ROW + lengths, PQgetvalue, sqlite3_column_*).
/// Valid until the next call on the stream. Reuse one RowView for a whole
/// stream: its vectors keep their capacity, so reading allocates nothing.
struct RowView {
  std::vector<CellView> cells;
  std::vector<Value> owned;  ///< the default NextView's storage (drivers without a fast path)
  size_t size() const { return cells.size(); }
  const CellView& operator[](size_t i) const { return cells[i]; }
};

/// Points view->cells at the values of view->owned (drivers without a
/// zero-copy NextView).
void PointCellsAtOwned(RowView* view);

/// Rows of one query, read one at a time: the streaming read API import uses.
///
/// Memory stays bounded whatever the result size: MariaDB reads with
/// mysql_use_result, PostgreSQL in single-row mode, SQLite with sqlite3_step.
/// Values read back use the same conventions as Value for writing:
///   kBoolean, kInteger, kBigInt -> int64_t (booleans 0/1)
///   kDouble                     -> double
///   kDecimal                    -> std::string with exact digits ("-12.50")
///   kDate                       -> std::string "YYYY-MM-DD"
///   kTimestamp                  -> std::string "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC,
///                                  fraction without trailing zeros (SQLite TEXT:
///                                  its "Z" or offset, if any, kept)
///   kText                       -> std::string (binary columns: the raw bytes)
///   NULL                        -> std::monostate (MariaDB zero dates read as NULL)
/// The stream borrows its Connection: the Connection must outlive it, and no
/// other call may be made on that Connection until the stream is destroyed
/// (or has returned false/an error from Next()). Destroying a stream early is
/// fine: PostgreSQL cancels the rest; MariaDB has to read (and drop) it.
class RowStream {
 public:
  virtual ~RowStream() = default;
  /// One entry per result column, known before the first row.
  virtual const std::vector<ColumnInfo>& columns() const = 0;
  /// Reads the next row into `*row` (resized to columns().size()).
  /// Returns true with a row, false at the end of the result, or an error.
  virtual Result<bool> Next(std::vector<Value>* row) = 0;
  /// The same row without copies (see RowView); Next and NextView may be
  /// mixed on one stream. Cells follow Next's conventions, except:
  ///   kBoolean/kInteger/kBigInt -> kInt;  kDouble -> kDouble;  NULL -> kNull
  ///   kDecimal, kText           -> kText (binary columns: the raw bytes)
  ///   kDate, kTimestamp         -> kText as the source writes it: "YYYY-MM-DD",
  ///       "YYYY-MM-DD HH:MM:SS[.ffffff]" with ' ' or 'T' and an optional UTC
  ///       suffix ("Z", "+00", "+00:00"); trailing fraction zeros may remain.
  ///       SQLite TEXT may hold any ISO 8601 form, with any offset (kept).
  ///       Values outside the calendar come as the source's text, not as NULL:
  ///       MariaDB zero dates ("0000-00-00", "0000-00-00 00:00:00"),
  ///       PostgreSQL "infinity"/"-infinity" and "... BC" dates; the caller
  ///       decides (import writes NULL and counts them).
  /// The default implementation calls Next() and points the cells into
  /// view->owned; MariaDB and PostgreSQL override it with zero-copy reads.
  virtual Result<bool> NextView(RowView* view);
};

/// Appends rows to one table in large batches inside a transaction.
/// Finish() must be called to commit; destroying it unfinished rolls back.
/// Like RowStream it borrows its Connection (which must outlive it and is
/// busy until it is finished or destroyed). SQLite reuses one prepared
/// INSERT, MariaDB sends multi-row INSERTs of ~1 MiB, PostgreSQL streams
/// COPY FROM STDIN; errors name the table and the row (or row range).
class BulkInserter {
 public:
  virtual ~BulkInserter() = default;
  /// `row` has one Value per column of the TableDef, in order.
  virtual Status Append(const std::vector<Value>& row) = 0;
  virtual Status Finish() = 0;
};

/// What a Connection may do to the database.
enum class Access {
  /// Writes allowed (the generator): a missing SQLite file is created and
  /// switched to WAL mode for fast bulk loads.
  kReadWrite,
  /// Reads only (import): the SQLite file must exist and is opened
  /// SQLITE_OPEN_READONLY with its journal mode untouched (a typo'd path is
  /// an error naming it, never a new empty database); MariaDB sessions run
  /// SET SESSION TRANSACTION READ ONLY, PostgreSQL sessions
  /// default_transaction_read_only=on.
  kReadOnly,
};

class Connection {
 public:
  /// Connects (or opens the SQLite file; see Access). The password is
  /// resolved on a copy of `url` (see DatabaseUrl::ResolvePassword). A kind
  /// whose client was compiled out gives an error naming the CMake option.
  static Result<std::unique_ptr<Connection>> Open(const DatabaseUrl& url, Access access = Access::kReadWrite);
  virtual ~Connection() = default;

  virtual DatabaseUrl::Kind kind() const = 0;
  /// Runs one statement that returns no rows (SQLite and PostgreSQL also
  /// accept several separated by ';', MariaDB does not).
  virtual Status Execute(const std::string& sql) = 0;
  /// Creates `table` in this dialect (dropping an existing one when asked).
  virtual Status CreateTable(const TableDef& table, bool drop_existing) = 0;
  virtual Result<std::unique_ptr<BulkInserter>> BeginInsert(const TableDef& table) = 0;
  /// Starts one query that returns rows (a single SELECT) and streams them;
  /// see RowStream for the value conventions and the borrowing rule.
  virtual Result<std::unique_ptr<RowStream>> Query(const std::string& sql) = 0;
  /// `name` quoted as an identifier in this dialect ("x" or `x`).
  virtual std::string QuoteIdentifier(std::string_view name) const = 0;
};

}  // namespace custlake::db
