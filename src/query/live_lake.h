// The lake as it is now, for servers: one shared LakeDatabase per lake
// generation (the newest committed batch: an import, an ingest, a build that
// publishes a warehouse version, new churn/CLV scores each make a new one).
//
// Current() gives the database of the newest generation, opening it once when
// the generation moves on (callers meanwhile wait for that one open); older
// databases live on while a session still uses them, so a statement in flight
// finishes on the version it started with. A server's connection asks before
// each statement and moves its session over when the generation changed, so
// no connection keeps reading files a re-import superseded or a vacuum removed.
//
// Generation() is cheap when nothing changed: it looks at the metastore's
// files (SQLite's database and write-ahead log) and reads the metastore
// only when one of them changed since it last did.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <sys/stat.h>

#include "common/status.h"
#include "lake/metastore.h"
#include "query/lake_database.h"

namespace custlake::query {

class LiveLake {
 public:
  LiveLake(std::string lake_root, SandboxOptions options);

  /// The newest committed batch id (0 for an empty lake).
  Result<int64_t> Generation();
  /// The database of the newest generation (shared; opened on first use).
  Result<std::shared_ptr<LakeDatabase>> Current();
  /// A new session on Current().
  Result<std::unique_ptr<LakeSession>> Connect();
  /// The current warehouse version (the batch that published it), nullopt before any build.
  Result<std::optional<int64_t>> WarehouseVersion();

  const SandboxOptions& options() const { return options_; }

 private:
  /// The metastore's files as stat(2) sees them: equal means unchanged.
  struct Fingerprint {
    struct timespec db_mtime{}, wal_mtime{};
    off_t db_size = -1, wal_size = -1;
    ino_t db_ino = 0, wal_ino = 0;
    bool operator==(const Fingerprint& o) const;
  };
  Fingerprint Stat() const;
  Status OpenMetastore();  ///< with mu_ held

  const std::string lake_root_;
  const SandboxOptions options_;
  std::mutex mu_;                               ///< guards what follows, but not an open
  std::unique_ptr<lake::Metastore> metastore_;  ///< read-only
  Fingerprint seen_;                            ///< when generation_ was read
  int64_t generation_ = -1;
  std::shared_ptr<LakeDatabase> current_;
  std::mutex open_mu_;  ///< one open at a time; others wait for it and share it
};

}  // namespace custlake::query
