// The sandboxed DuckDB that LakeSessions run in, made once per state of the
// lake and shared by every session over that state.
//
// Opening one is the costly part of a session: a view per raw and quarantine
// dataset over exactly its committed Parquet files, the current warehouse
// version attached read-only with a view per table, the reader views, the
// caller's setup SQL (the PostgreSQL endpoint's ~90 catalog statements), then
// the lockdown (allowed_paths, no external access, configuration locked; all
// global settings, so they hold for every connection). Connect() then makes a
// session on it in microseconds: a DuckDB connection of its own (its own
// interrupt, its own statement), with the search_path the setup left.
// The database's memory limit and threads are shared by its sessions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "query/key_lookup.h"
#include "query/lake_session.h"

namespace custlake::query {

class LakeDatabase : public std::enable_shared_from_this<LakeDatabase> {
 public:
  /// Opens the lake at `lake_root` as its metastore lists it now (the lake
  /// must exist: `custlake init` makes one). `generation` tags it for the
  /// caller (LiveLake: the newest committed batch it was opened after).
  static Result<std::shared_ptr<LakeDatabase>> Open(const std::string& lake_root, const SandboxOptions& options,
                                                    int64_t generation = 0);

  /// A new session on this database (which it keeps alive).
  Result<std::unique_ptr<LakeSession>> Connect();

  const std::vector<ViewInfo>& views() const { return views_; }
  std::optional<int64_t> warehouse_version() const { return warehouse_version_; }
  int64_t generation() const { return generation_; }
  const SandboxOptions& options() const { return options_; }
  /// Point lookups answered from memory, for this generation's sessions (key_lookup.h).
  KeyLookupCache& lookups() const { return *lookups_; }

 private:
  LakeDatabase() = default;
  /// The views, the warehouse, the setup SQL and the lockdown, on `setup` (a session of db_).
  Status Build(const std::string& lake_root, engine::Session* setup);

  std::unique_ptr<engine::Database> db_;
  SandboxOptions options_;
  std::vector<ViewInfo> views_;
  std::optional<int64_t> warehouse_version_;
  int64_t generation_ = 0;
  std::string search_path_;  ///< what the setup left; each session starts with it
  std::unique_ptr<KeyLookupCache> lookups_;  ///< after db_: destroyed first, its build thread stopped while db_ stands
};

}  // namespace custlake::query
