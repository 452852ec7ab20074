// Read-only, sandboxed SQL over the lake: what `custlake query` runs, and
// later the web UI's SQL editor and the PostgreSQL-wire endpoint.
//
// A LakeSession is an in-memory DuckDB whose catalog is the lake as the
// metastore lists it: each raw dataset is a view `raw.<name>` ("sic/customers"
// becomes raw.sic_customers) over exactly its committed Parquet files, so
// half-written or uncommitted files are never seen. A dataset imported with
// --incremental lastmodified (its schema JSON, written by src/import, names
// the merge key and the check column) also gets `raw.<name>_current`: per
// merge key the version with the greatest check value, i.e. the table as the
// source had it at the last import, where raw.<name> keeps every version.
// Each dataset's quarantine is a view `quarantine.<name>` over its Parquet
// rows (file, line, byte offset, reason, detail, raw text). The current warehouse
// version (the star schema `custlake build` published last) is attached
// read-only as catalog `warehouse`, each of its tables also a view in main
// (SELECT * FROM dim_customer), and the reader views over it and the
// analytics' scores are made (reader_views.h: fact_customer_scores). After the views are made
// the session is locked down: external access is off except to those files,
// configuration is locked, and Run() accepts only SELECT/EXPLAIN statements,
// so a user's SQL can read the lake and nothing else on the machine (no file
// reads elsewhere, no COPY/ATTACH/INSTALL/LOAD/SET). Run() enforces a time
// limit (the query is interrupted) and a row limit.
//
// The database behind a session (lake_database.h) is made once per state of
// the lake and may be shared: LakeSession::Open makes one of its own, while a
// LiveLake (live_lake.h) shares one per lake generation among its sessions.
// Time limits are kept by one shared watchdog thread (watchdog.h).
//
// A LakeSession is used by one thread at a time; open one per client.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"

namespace custlake::query {

struct SandboxOptions {
  int64_t max_rows = 10000;                   ///< rows returned at most (-1: all)
  std::chrono::milliseconds timeout{60000};   ///< a query running longer is cancelled
  std::string memory_limit = "2GB";
  int threads = 0;                            ///< 0 = all cores
  /// SQL run after the views are made and before the lockdown (e.g. the
  /// PostgreSQL endpoint's compatibility macros); trusted text, never a user's.
  std::vector<std::string> setup_sql;
  /// Memory for point lookups by key answered without DuckDB (key_lookup.h),
  /// per lake generation; 0 turns that fast path off.
  int64_t lookup_memory_bytes = int64_t{512} << 20;
};

/// One view the session exposes.
struct ViewInfo {
  std::string name;     ///< "raw.usage"
  std::string dataset;  ///< "raw/usage"
  int64_t files = 0;
};

class LakeDatabase;

class LakeSession {
 public:
  /// Opens a session over the lake at `lake_root` (which must exist and hold
  /// a metastore: `custlake init` makes one).
  static Result<std::unique_ptr<LakeSession>> Open(const std::string& lake_root,
                                                   const SandboxOptions& options = {});

  /// Runs the user's SQL under the sandbox's limits.
  Result<engine::QueryResult> Run(const std::string& sql);
  /// Runs the user's SQL with `$1`..`$n` bound to `params` (text or NULL;
  /// DuckDB casts each to the type it infers), under the same guard and
  /// limits as Run(sql). The same text with other values reuses the
  /// session's plan: the PostgreSQL extended protocol's prepared statements.
  /// A point lookup by an integer key of a warehouse table (`SELECT cols FROM
  /// t WHERE key = $1 [ORDER BY cols]`) is answered from the generation's
  /// in-memory copy of its rows (key_lookup.h), with the same result.
  Result<engine::QueryResult> Run(const std::string& sql, const std::vector<std::optional<std::string>>& params);
  /// The answer to `sql` with `params` bound when it is a point lookup the
  /// generation holds in memory (key_lookup.h): exactly what Run(sql, params)
  /// returns. nullopt otherwise; then nothing ran but, the first time for a
  /// text, its recognition (and the read of its table's rows).
  std::optional<engine::QueryResult> AnswerFromMemory(const std::string& sql,
                                                      const std::vector<std::optional<std::string>>& params);
  /// Runs trusted SQL (one SELECT, e.g. a dashboard query compiled into the
  /// binary) with `$1`..`$n` bound to values a user chose, under the same
  /// time and row limits.
  Result<engine::QueryResult> RunWithParams(const std::string& sql,
                                            const std::vector<std::optional<std::string>>& params);
  /// Runs the user's query (one SELECT) under the same time limit as Run, its
  /// rows streamed as DuckDB's text (Run's text): `on_columns` once, then
  /// `on_chunk` per chunk; memory stays flat whatever the result's size, and
  /// the row limit is the caller's to apply. The first error either returns stops it.
  Status Stream(const std::string& sql, const std::function<Status(const engine::QueryResult& shape)>& on_columns,
                const std::function<Status(const engine::TextChunk& chunk)>& on_chunk);
  /// Cancels the statement running in Run() (from any thread; a no-op when idle).
  void Interrupt() { session_->Interrupt(); }
  const std::vector<ViewInfo>& views() const;
  /// The warehouse version attached (the batch that published it); nullopt before any build.
  std::optional<int64_t> warehouse_version() const;
  /// The database this session runs in (shared with other sessions over the same lake state).
  const LakeDatabase& database() const { return *database_; }
  /// Whether a view of this name exists ("raw.churn_scores", "dim_customer").
  bool HasView(const std::string& name) const;

 private:
  friend class LakeDatabase;
  LakeSession(std::shared_ptr<const LakeDatabase> database, std::unique_ptr<engine::Session> session);
  /// Runs `query` under the shared watchdog, which interrupts it past the time limit.
  Result<engine::QueryResult> Watched(const std::function<Result<engine::QueryResult>()>& query);

  std::shared_ptr<const LakeDatabase> database_;  ///< outlives session_ (declared first)
  std::unique_ptr<engine::Session> session_;
  const SandboxOptions& options_;  ///< the database's
};

/// "sic/customers" → "sic_customers": a dataset name as a SQL identifier.
std::string ViewName(const std::string& dataset_name);

/// The body of `raw.<name>_current` over `relation` for a dataset whose
/// schema JSON is `schema_json`: "" unless it is an import's lastmodified
/// dataset with a merge key ({"format": "custlake-import/1", "incremental":
/// "lastmodified", "merge_key": [...], "check_column": "..."}).
std::string CurrentStateSelect(const std::string& relation, const std::string& schema_json);

}  // namespace custlake::query
