// Point lookups by key answered from memory: the fast path of a statement
// like `SELECT month_start, revenue FROM fact_customer_metrics WHERE
// customer_id = $1 ORDER BY month_start` run with its parameter bound (the
// PostgreSQL extended protocol's prepared statements, as BI tools and drivers
// send them). DuckDB cannot push a bound parameter into the Parquet scan, so
// each such lookup reads the whole table (~1 ms at 2,000 customers, growing
// with the facts); here it is a hash probe and a copy of the matching rows.
//
// Recognition is DuckDB's own parser (json_serialize_sql), once per
// statement text: one SELECT of plain columns of one warehouse table with
// `key = $1` (or `key = CAST($1 AS <integer type>)`) on an integer column,
// optionally ORDER BY plain columns; no alias, DISTINCT, LIMIT, join,
// grouping or other clause. Its rows come from one query run once, over the
// same sandboxed database and table reference: `SELECT key, <columns> FROM
// <table> WHERE key IS NOT NULL ORDER BY key, <order>`, so the values, their
// text, types and column names are DuckDB's own, exactly what the statement
// returns. The serve path builds it off the request path (a thread of the
// cache with a session of its own; the statement's lookups run in DuckDB
// until it is ready); without a connector the first lookup builds it and waits. A lookup then answers only when the result is
// certain to be the one DuckDB would give; anything else runs the normal way:
//   - the bound value is non-NULL and the canonical text of an integer in the
//     key's (and any cast's) range ("42", not "042", " 42" or "4.2");
//   - without ORDER BY, the key matches at most one row (DuckDB's own order
//     of several rows is not fixed);
//   - the rows fit the session's row limit.
// An absent key gives no rows, with the statement's columns and types.
//
// Memory: the rows are held compactly, as typed values formatted back into
// DuckDB's text only when a row is sent (key_lookup_column.h; the distinct
// keys in a sorted array, probed by binary search), per lake generation (each
// LakeDatabase has its own cache, gone with it, so a new warehouse version
// never answers from an old one) within `budget_bytes` in all
// (SandboxOptions::lookup_memory_bytes; 0 turns the fast path off). The rows
// are read by that one query, streamed chunk by chunk (a chunk's text at a
// time, engine::Session::ForEachTextChunk), so building costs the copy plus
// what DuckDB's sort holds; the budget is checked after each chunk, and a
// table over it is not held (the read stops there): its lookups keep running
// in DuckDB. At most kMaxStatements statement texts of
// at most kMaxStatementBytes each are remembered per generation (16 MiB).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "query/key_lookup_column.h"

namespace custlake::query {

/// A recognised point lookup: SELECT columns FROM table WHERE key = $1 [ORDER BY ...].
struct LookupShape {
  std::string table;                ///< the reference as written: "fact_customer_metrics" or "main.x"
  std::string table_name;           ///< its last part, to check it is a warehouse table
  std::string key;                  ///< the key column as written
  std::string cast_type;            ///< "" or the integer type $1 is cast to ("BIGINT")
  std::vector<std::string> columns; ///< the select list, as written
  std::vector<std::string> order;   ///< ORDER BY items as SQL ("\"month_start\" DESC NULLS FIRST")
};

/// The shape of the statement whose json_serialize_sql output is `json`, or
/// nullopt when it is not a point lookup of the form above.
std::optional<LookupShape> ParseLookupShape(const std::string& json);

/// The query that reads every row a lookup of `shape` may return, keyed, in key order.
std::string SnapshotSql(const LookupShape& shape);

/// Whether `value` is the canonical decimal text of an integer that `type`
/// ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", ...) holds.
bool IsCanonicalInteger(const std::string& value, const std::string& type);

class KeyLookupCache {
 public:
  static constexpr size_t kMaxStatements = 4096;       ///< texts remembered (lookups or not)
  static constexpr size_t kMaxStatementBytes = 4096;  ///< a longer text is no lookup and not remembered

  /// A session of its own on the generation's database, for a build off the request path.
  using Connector = std::function<Result<std::unique_ptr<engine::Session>>()>;

  /// `is_warehouse_table(name)` says whether a table name is one of the warehouse's. With
  /// `connect`, a copy is built off the request path: a statement's first lookup starts the
  /// build on a thread of the cache, in a session `connect` makes, and runs the normal way, as
  /// lookups of it do until the copy is ready; without, the first lookup builds it through the
  /// caller's reader and waits. The database `connect` uses must outlive the cache.
  KeyLookupCache(int64_t budget_bytes, std::function<bool(const std::string&)> is_warehouse_table,
                 Connector connect = nullptr);
  /// Stops a build under way (its session interrupted) and waits for its thread.
  ~KeyLookupCache();
  KeyLookupCache(const KeyLookupCache&) = delete;
  KeyLookupCache& operator=(const KeyLookupCache&) = delete;

  /// How the cache reads, in the caller's session (under its time limit): `run` runs read-only
  /// SQL with at most `max_rows` rows; `stream` runs one SELECT chunk by chunk
  /// (engine::Session::ForEachTextChunk's contract).
  using Runner = std::function<Result<engine::QueryResult>(const std::string& sql, int64_t max_rows)>;
  using Streamer = std::function<Status(const std::string& sql,
                                        const std::function<Status(const engine::QueryResult& shape)>& on_columns,
                                        const std::function<Status(const engine::TextChunk& chunk)>& on_chunk)>;
  struct Reader {
    Runner run;
    Streamer stream;
  };

  /// The answer to `sql` with `params` bound, from memory; nullopt when it is
  /// to run the normal way. The first call for a text recognises it and, for
  /// a lookup, reads its rows through `read`.
  std::optional<engine::QueryResult> Answer(const std::string& sql,
                                            const std::vector<std::optional<std::string>>& params,
                                            int64_t max_rows, const Reader& read);

  /// Bytes held now (for tests and docs).
  int64_t bytes_held() const;
  /// Waits until no build is under way (tests and benchmarks).
  void WaitForBuilds();

 private:
  /// One table's rows for one shape, sorted by key: a column each (key_lookup_column.h), and
  /// the distinct keys in order with where each one's rows begin.
  struct Snapshot {
    std::vector<std::string> columns, types;
    std::vector<engine::ValueKind> kinds;
    std::vector<LookupColumn> values;  ///< one per column, without the key
    std::vector<int64_t> keys;         ///< distinct, ascending
    std::vector<uint32_t> starts;      ///< keys.size() + 1: rows of keys[i] are [starts[i], starts[i + 1])
    size_t rows = 0;
    std::string key_type;
    std::string cast_type;
    bool ordered = false;
    int64_t bytes() const;
  };
  enum class State { kBuilding, kReady, kNone };
  struct Entry {
    State state = State::kBuilding;
    std::shared_ptr<const Snapshot> snapshot;
  };

  /// Recognises `sql` and reads its rows; nullptr when it is no lookup or over the budget.
  std::shared_ptr<const Snapshot> Build(const std::string& sql, const Reader& read);
  /// The build thread's body: Build in a session of its own, then Finish.
  void BuildOffPath(const std::string& sql);
  /// Records a build's outcome for `sql` and wakes WaitForBuilds and the destructor.
  void Finish(const std::string& sql, std::shared_ptr<const Snapshot> snapshot);
  /// Takes the columns, types and kinds of the snapshot query's result (key first); false when the key is no integer.
  static bool TakeShape(const engine::QueryResult& shape, Snapshot* snapshot);
  /// Adds one chunk of keyed rows (key first, in key order); false when the copy cannot be held.
  static bool AddChunk(const engine::TextChunk& chunk, Snapshot* snapshot);
  std::optional<engine::QueryResult> Lookup(const Snapshot& snapshot, const std::string& value, int64_t max_rows) const;

  const int64_t budget_bytes_;
  const std::function<bool(const std::string&)> is_warehouse_table_;
  const Connector connect_;
  std::atomic<bool> stopping_{false};  ///< the cache is going: a build stops at its next step
  mutable std::mutex mu_;  ///< guards what follows
  std::unordered_map<std::string, Entry> entries_;
  int64_t bytes_held_ = 0;
  bool building_ = false;  ///< a Build is under way (one at a time: it knows the budget left)
  std::condition_variable built_;             ///< building_ turned false
  std::thread builder_;                       ///< the last build thread (joined before the next starts)
  engine::Session* build_session_ = nullptr;  ///< the build thread's session while it reads (to interrupt)
};

}  // namespace custlake::query
