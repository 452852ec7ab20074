// The lake's folder layout: where every file of the lake lives, and the
// names it may have. No other module concatenates lake paths by hand; they
// ask a Layout (or a BatchWriter, which hands out paths inside a batch).
//
//   <root>/
//     raw/<dataset>/[<key>=<value>/...]part-<batch>-<n>.parquet
//     quarantine/<dataset>/...      records that failed validation
//     warehouse/<table>/...         the star schema's Parquet export
//     models/<name>/...             trained models
//     archive/                      landing files after ingest (not managed)
//     _staging/<batch>/<final path> files of batches still being written
//     _metastore.db                 SQLite metastore (+ -wal, -shm)
//     _lake.lock                    flock(2) target; see docs/lake-format.md
//     _users.json, _users.lock      the users (auth/user_store.h)
//
// A dataset is named by its zone and a name of one or more '/'-separated
// segments ("raw" + "sic/customers"); its folder is "<zone>/<name>". All
// functions here are pure (no I/O) and thread-safe. docs/lake-format.md is
// the spec.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace custlake::lake {

/// The managed zones: folders whose every file is written through a batch.
/// Recovery deletes any file under them that the metastore does not list.
enum class Zone { kRaw, kQuarantine, kWarehouse, kModels };

/// "raw", "quarantine", "warehouse", "models": the zone's folder name.
std::string_view ZoneName(Zone zone);
Result<Zone> ParseZone(std::string_view name);
/// All managed zones, in folder-name order.
const std::vector<Zone>& AllZones();

/// A dataset: a zone plus a name such as "usage" or "sic/customers".
struct DatasetId {
  Zone zone = Zone::kRaw;
  std::string name;

  static DatasetId Raw(std::string n) { return {Zone::kRaw, std::move(n)}; }
  static DatasetId Quarantine(std::string n) { return {Zone::kQuarantine, std::move(n)}; }
  static DatasetId Warehouse(std::string n) { return {Zone::kWarehouse, std::move(n)}; }
  static DatasetId Model(std::string n) { return {Zone::kModels, std::move(n)}; }

  /// "<zone>/<name>": the dataset's key in the metastore and its folder
  /// relative to the lake root.
  std::string ToString() const;
  /// Parses "<zone>/<name>" and validates the name.
  static Result<DatasetId> Parse(std::string_view text);

  auto operator<=>(const DatasetId&) const = default;
};

/// A dataset name: 1..n segments of [A-Za-z0-9_.-], each not starting with
/// '.' or '_' (engines treat those as hidden) and without '=' (reserved for
/// partition folders).
Status ValidateDatasetName(std::string_view name);

/// Hive-style partition values, in folder order: {{"ingest_date", "2024-05-01"}}.
using Partition = std::vector<std::pair<std::string, std::string>>;

/// "ingest_date=2024-05-01/region=eu" (values escaped as Hive does: '%XX'
/// for '/', '=', '%', ':' and the other characters Hive escapes); "" when
/// the partition is empty. Keys must match [A-Za-z_][A-Za-z0-9_]*.
Result<std::string> PartitionPath(const Partition& partition);
/// The partition encoded in a path's "key=value" folders, values unescaped.
/// Only folders count, never the file name.
Partition ParsePartition(std::string_view relative_path);
std::string EscapePartitionValue(std::string_view value);
std::string UnescapePartitionValue(std::string_view value);

/// A path relative to a dataset folder or to the lake root: '/'-separated,
/// no empty, "." or ".." segments, no segment starting with '.' or '_'.
Status ValidateRelativePath(std::string_view path);

/// "part-<batch>-<n>.<ext>": the name of the n-th part file a batch writes.
std::string PartFileName(int64_t batch_id, int n, std::string_view ext = "parquet");

/// Folder and file names under the lake root. Cheap to copy.
class Layout {
 public:
  /// `root` should be absolute (Lake makes it so); it is used as given.
  explicit Layout(std::string root);

  const std::string& root() const { return root_; }

  /// "<root>/<relative>".
  std::string Absolute(std::string_view relative) const;
  std::string ZoneDir(Zone zone) const;
  /// "<root>/<zone>/<name>".
  std::string DatasetDir(const DatasetId& dataset) const;
  /// "<zone>/<name>/<partition path>" relative to the root.
  Result<std::string> PartitionRelative(const DatasetId& dataset, const Partition& partition) const;
  std::string ArchiveDir() const;
  std::string StagingRoot() const;
  /// "<root>/_staging/<batch>": where a batch's files wait for Commit.
  std::string StagingDir(int64_t batch_id) const;
  std::string MetastorePath() const;
  std::string LockPath() const;
  /// "<root>/_users.json": the users of the web UI and the PostgreSQL endpoint (auth/user_store.h).
  std::string UsersPath() const;
  /// "<root>/_users.lock": the flock(2) target of the user store's writers.
  std::string UsersLockPath() const;

  /// The folders Lake::Init creates, root first.
  std::vector<std::string> FoldersToCreate() const;

 private:
  std::string root_;
};

}  // namespace custlake::lake
