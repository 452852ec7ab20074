// The one adapter over DuckDB. Only engine.cc includes duckdb.h; every other
// module talks SQL through these classes, so DuckDB's types, exceptions and
// compile cost stay here.
//
// Ownership: a Database owns the DuckDB instance; Sessions borrow it and must
// not outlive it. A Database may be shared by threads (each with its own
// Session); a Session is used by one thread at a time, except Interrupt(),
// which any thread may call to cancel the running query.
#pragma once

#include <cstdint>
#include <map>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace custlake::engine {

struct DatabaseOptions {
  std::string path = ":memory:";  ///< a DuckDB file, or ":memory:"
  bool read_only = false;
  int threads = 0;                ///< 0 = DuckDB's default (all cores)
  std::string memory_limit;       ///< e.g. "2GB"; empty = DuckDB's default
  std::string temp_directory;     ///< spill folder; empty = DuckDB's default
  /// Any other DuckDB setting to apply at open time (name → value).
  std::map<std::string, std::string> settings;
};

/// How a result column should be rendered by a consumer that cares
/// (JSON output prints numbers and booleans bare).
enum class ValueKind { kNull, kBoolean, kInteger, kFloat, kText };

/// A fully materialised query result, values rendered as text.
/// Meant for results a person looks at (CLI, UI); bulk data moves as Parquet.
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::string> types;          ///< DuckDB type names, e.g. "BIGINT"
  std::vector<ValueKind> kinds;            ///< one per column
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<bool>> nulls;    ///< nulls[row][col]
  int64_t rows_changed = 0;                ///< for INSERT/UPDATE/DELETE/COPY
  bool truncated = false;                  ///< more rows existed than max_rows

  /// The single value of a one-row, one-column result ("" if NULL/empty).
  std::string Scalar() const { return rows.empty() || columns.empty() ? "" : rows[0][0]; }
};

/// One chunk of a streamed result (Session::ForEachTextChunk), every value as
/// DuckDB's own text (what Query and QueryReadOnly give for it).
struct TextChunk {
  size_t rows = 0;
  std::vector<std::vector<std::string_view>> values;  ///< values[c][r] ("" where NULL); valid during the call
  std::vector<std::vector<bool>> nulls;               ///< nulls[c][r]
};

class Session;

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Result<std::unique_ptr<Session>> Connect();
  const std::string& path() const { return path_; }

  /// DuckDB's version string, e.g. "v1.4.4".
  static std::string Version();

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl, std::string path);
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

class Session {
 public:
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Runs SQL (one or more statements) and discards any result.
  Status Execute(const std::string& sql);
  /// Runs SQL and materialises the last statement's result, at most
  /// `max_rows` rows (-1 = all).
  Result<QueryResult> Query(const std::string& sql, int64_t max_rows = -1);
  /// Like Query, but refuses anything but SELECT and EXPLAIN statements
  /// (checked on DuckDB's own parse, statement by statement, before any runs).
  /// The guard for SQL a user typed; pair it with a sandboxed Database.
  Result<QueryResult> QueryReadOnly(const std::string& sql, int64_t max_rows = -1);
  /// QueryReadOnly with `$1`..`$n` bound to `params` (VARCHAR values, or NULL
  /// for std::nullopt; DuckDB casts them to the type it infers for each, so
  /// `CAST($1 AS INTEGER)` fixes one), never pasted into the text: the same
  /// text with other values reuses the session's plan (no parse, bind or plan).
  /// For a user's SQL whose values come separately (the PostgreSQL extended protocol).
  Result<QueryResult> QueryReadOnlyWithParams(const std::string& sql,
                                              const std::vector<std::optional<std::string>>& params,
                                              int64_t max_rows = -1);
  /// Runs one statement like Query; a SELECT gives every value as DuckDB's
  /// own text (Query's C-API values render no TIMESTAMPTZ, list, struct, map
  /// or UUID), with the query's own column names and types, and at most
  /// `max_rows` rows produced. For results shown to people (check samples).
  Result<QueryResult> QueryText(const std::string& sql, int64_t max_rows = -1);
  /// Runs one SELECT with `$1`..`$n` bound to `params` (VARCHAR values, or
  /// NULL for std::nullopt; DuckDB casts them where the SQL compares them),
  /// never pasted into the text. Anything but one SELECT is refused. For
  /// trusted SQL (the web UI's dashboard queries) with values a user chose.
  Result<QueryResult> QueryWithParams(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                                      int64_t max_rows = -1);
  /// Runs a query whose first column is VARCHAR and calls `fn` for each
  /// non-NULL value, chunk by chunk, without materialising the result (for
  /// millions of rows, e.g. a key column). The views are valid during the call.
  Status ForEachString(const std::string& sql, const std::function<void(std::string_view)>& fn);
  /// Runs one query whose columns are all DOUBLE, without materialising the result and without
  /// text: `on_columns` gets the columns' names once, before any row, then `on_chunk` each chunk
  /// of rows, `columns[c][r]` being column c of row r (NaN where NULL; valid during the call).
  /// The first error either returns stops the query. For numeric results of millions of values.
  Status ForEachDoubleChunk(const std::string& sql,
                            const std::function<Status(const std::vector<std::string>& names)>& on_columns,
                            const std::function<Status(size_t rows, const std::vector<const double*>& columns)>& on_chunk);
  /// Runs one SELECT without materialising the result, every value as DuckDB's
  /// text (CAST AS VARCHAR, as QueryReadOnly renders it): `on_columns` gets
  /// the query's own names, types and kinds (no rows) once, before any row,
  /// then `on_chunk` each chunk of rows. The first error either returns stops
  /// the query. For text results of millions of rows read once (a copy held in memory).
  Status ForEachTextChunk(const std::string& sql, const std::function<Status(const QueryResult& shape)>& on_columns,
                          const std::function<Status(const TextChunk& chunk)>& on_chunk);
  /// Cancels the query running on this session (from any thread).
  void Interrupt();

 private:
  friend class Database;
  friend struct SessionAccess;
  /// QueryReadOnly's body; `params` (may be null: none) are bound to whichever statement runs.
  Result<QueryResult> QueryReadOnlyBound(const std::string& sql, int64_t max_rows,
                                         const std::vector<std::optional<std::string>>* params);
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Quotes an identifier for DuckDB SQL: my table → "my table".
std::string QuoteIdent(const std::string& ident);
/// Quotes a string literal for DuckDB SQL: it's → 'it''s'.
std::string QuoteLiteral(const std::string& text);

/// The session's default catalog (the database file's name, "memory" in memory).
Result<std::string> CurrentCatalog(Session* session);
/// True when `catalog`.main holds a table (not a view) named `table`.
Result<bool> HasTable(Session* session, const std::string& catalog, const std::string& table);

}  // namespace custlake::engine
