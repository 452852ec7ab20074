// Metastore: the lake's catalog in one SQLite file (_metastore.db, WAL
// mode). It records datasets and their schemas, batches, the files each
// committed batch added, import cursors, checksums of ingested landing
// files, quarantine counts and run history. docs/lake-format.md documents
// every table and column; MigrateSchema() moves older files forward.
//
// The metastore is the truth about what the lake holds: a file it does not
// list as live does not exist for readers. Other modules reach it only
// through Lake and BatchWriter; this class is their building block (and the
// tests'). Rows are written only inside the commit protocol's transactions.
//
// Concurrency: SQLite WAL gives many reading processes and one writer; each
// write here is one short transaction (BEGIN IMMEDIATE) that waits up to
// busy_timeout for another writer. A Metastore object is thread-safe: a
// mutex serialises its calls on its single connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "lake/fail_point.h"
#include "lake/layout.h"

struct sqlite3;

namespace custlake::lake {

/// The schema version this build writes (PRAGMA user_version).
inline constexpr int kMetastoreSchemaVersion = 4;

/// Current UTC time as "2024-05-01T12:34:56.789Z": every timestamp the
/// metastore stores has this form, so text order is time order.
std::string UtcNow();

struct DatasetInfo {
  DatasetId id;
  std::string schema_json;  ///< "" until a batch sets it
  std::string created_at;
  std::string updated_at;
};

enum class BatchState { kWriting, kCommitted, kAborted };
std::string_view BatchStateName(BatchState state);

struct BatchInfo {
  int64_t batch_id = 0;
  DatasetId dataset;  ///< the batch's primary dataset
  BatchState state = BatchState::kWriting;
  std::optional<int64_t> run_id;
  std::string started_at;
  std::string ended_at;  ///< commit or abort time; "" while writing
  int64_t row_count = 0;
  int64_t byte_count = 0;
  int64_t file_count = 0;
  int64_t quarantined_count = 0;
  std::string lineage_json = "{}";
  int64_t pid = 0;
  std::string host;
  std::string error;  ///< why it was aborted
};

/// pending: reserved by a batch being committed; live: visible to readers;
/// retired: replaced by a later batch, kept on disk until Lake::Vacuum.
enum class FileState { kPending, kLive, kRetired };
std::string_view FileStateName(FileState state);

struct FileInfo {
  int64_t file_id = 0;
  int64_t batch_id = 0;
  DatasetId dataset;
  std::string path;  ///< relative to the lake root: "raw/usage/ingest_date=.../part-3-0.parquet"
  Partition partition;
  int64_t row_count = 0;
  int64_t byte_count = 0;
  std::string checksum;  ///< sha256 hex of the content, "" if not computed
  std::string provenance_json = "{}";
  FileState state = FileState::kPending;
  std::optional<int64_t> retired_by;
  std::string committed_at;
  std::string absolute_path;  ///< filled in by Lake::CommittedFiles, not stored
};

struct CursorInfo {
  std::string key;
  std::string value;
  DatasetId dataset;
  int64_t batch_id = 0;
  std::string updated_at;
};

struct IngestedFileInfo {
  std::string checksum;
  std::string source_path;
  int64_t byte_count = 0;
  DatasetId dataset;
  int64_t batch_id = 0;
  std::string ingested_at;
};

/// A landing file's content identity as ingest computed it, with what stat()
/// said then: a later run that finds the file unchanged (the same size,
/// inode, mtime and ctime) need not read it again to know it was ingested.
struct LandingIdentity {
  std::string path;
  int64_t byte_count = 0, mtime_ns = 0, ctime_ns = 0, inode = 0;
  std::string identity;  ///< as in ingested_files.checksum
};

struct QuarantineCount {
  int64_t batch_id = 0;
  DatasetId dataset;
  std::string reason;
  int64_t record_count = 0;
};

/// kInterrupted: stopped by SIGINT/SIGTERM before it finished (what it
/// committed is kept); kPartial: finished, but some inputs could not be
/// read (the summary and error name them).
enum class RunStatus { kRunning, kOk, kFailed, kKilled, kInterrupted, kPartial };
std::string_view RunStatusName(RunStatus status);

struct RunInfo {
  int64_t run_id = 0;
  std::string verb;
  std::string args_json = "[]";
  RunStatus status = RunStatus::kRunning;
  std::string started_at;
  std::string ended_at;
  int64_t pid = 0;
  std::string host;
  std::string summary_json = "{}";
  std::string error;
};

/// Per-dataset totals over live files, for `custlake status`.
struct DatasetStats {
  DatasetId dataset;
  int64_t file_count = 0;
  int64_t row_count = 0;
  int64_t byte_count = 0;
  int64_t batch_count = 0;         ///< committed batches that added files or were primary
  int64_t quarantined_count = 0;   ///< summed over all batches
  std::string last_commit_at;
};

/// Everything one batch commit writes, applied in one transaction.
struct BatchCommit {
  int64_t batch_id = 0;
  DatasetId dataset;                       ///< the primary dataset
  std::vector<DatasetId> touched;          ///< datasets to register (files, quarantine, schema)
  std::vector<DatasetId> replace;          ///< datasets whose earlier live files retire
  std::map<std::string, std::string> schemas;  ///< dataset id text -> schema JSON
  struct Cursor {
    std::string key;
    std::string value;
    bool check_expected = false;
    std::optional<std::string> expected;  ///< nullopt = the cursor must not exist yet
  };
  std::vector<Cursor> cursors;
  std::vector<IngestedFileInfo> ingested;  ///< batch_id and ingested_at are filled in
  std::vector<QuarantineCount> quarantine; ///< batch_id is filled in
  int64_t file_count = 0;                  ///< must equal the batch's pending rows
  int64_t row_count = 0;
  int64_t byte_count = 0;
  int64_t quarantined_count = 0;
};

struct MetastoreOptions {
  /// How long a write waits for another process's write transaction.
  std::chrono::milliseconds busy_timeout{30000};
  /// PRAGMA synchronous=FULL: a commit survives power loss once Commit returns.
  bool synchronous_full = true;
  /// Create the file if missing (Lake::Init); otherwise a missing file is NotFound.
  bool create = false;
  /// Open with SQLITE_OPEN_READONLY: every write fails. The schema must be
  /// current already (a read-write open migrates it).
  bool read_only = false;
};

class Metastore {
 public:
  /// Opens (or creates) the metastore at `path`, sets WAL mode and the
  /// busy timeout, and migrates the schema to kMetastoreSchemaVersion.
  static Result<std::unique_ptr<Metastore>> Open(const std::string& path, const MetastoreOptions& options = {});
  ~Metastore();
  Metastore(const Metastore&) = delete;
  Metastore& operator=(const Metastore&) = delete;

  const std::string& path() const { return path_; }
  Result<int> SchemaVersion();

  // --- batches (the commit protocol's writes; see BatchWriter) ---
  /// Inserts a batch in state `writing` and returns its id.
  Result<int64_t> InsertBatch(const DatasetId& dataset, const std::string& lineage_json,
                              std::optional<int64_t> run_id);
  /// Inserts `files` as pending rows of `batch_id` in one transaction.
  /// AlreadyExists (naming the owner) if a path is taken by any other row.
  Status ReserveFiles(int64_t batch_id, const std::vector<FileInfo>& files);
  /// The commit transaction: pending -> live, replaced -> retired, cursors,
  /// ingested checksums, quarantine counts, datasets, batch -> committed.
  /// `hook` is consulted at "commit.before_transaction" and
  /// "commit.in_transaction"; any error rolls everything back.
  Status CommitBatch(const BatchCommit& commit, const FailPointHook& hook);
  /// Drops the batch's pending rows and marks it aborted (if still writing).
  Status AbortBatch(int64_t batch_id, const std::string& reason);

  // --- reads ---
  Result<std::optional<BatchInfo>> GetBatch(int64_t batch_id);
  /// Newest first. `dataset` and `state` filter when given; limit <= 0: all.
  Result<std::vector<BatchInfo>> ListBatches(std::optional<DatasetId> dataset = std::nullopt,
                                             std::optional<BatchState> state = std::nullopt,
                                             int limit = 0);
  /// Files of `dataset` in `state`, ordered by path. A partition filter
  /// keeps files whose partition has all of the given key=value pairs.
  Result<std::vector<FileInfo>> ListFiles(const DatasetId& dataset, FileState state = FileState::kLive,
                                          const Partition& partition_filter = {});
  Result<std::vector<FileInfo>> BatchFiles(int64_t batch_id);
  /// Every path the metastore lists, in any state (recovery's keep-list).
  Result<std::vector<std::string>> AllPaths();
  /// Retired files whose replacing batch committed before `before` (ISO time).
  Result<std::vector<FileInfo>> RetiredFiles(const std::string& before);
  Status DeleteFileRows(const std::vector<int64_t>& file_ids);
  /// In one transaction: the retired file `file_id` is now recorded at
  /// `path` (superseded.h moves retired files out of their dataset folders).
  Status MoveRetiredFileRows(const std::vector<std::pair<int64_t, std::string>>& new_paths);

  Result<std::vector<DatasetInfo>> ListDatasets();
  Result<std::optional<DatasetInfo>> GetDataset(const DatasetId& dataset);
  Result<std::vector<DatasetStats>> DatasetSummary();

  Result<std::optional<std::string>> GetCursor(const std::string& key);
  Result<std::vector<CursorInfo>> ListCursors();
  /// The landing file with this content checksum ingested into `dataset`.
  Result<std::optional<IngestedFileInfo>> FindIngestedFile(const DatasetId& dataset, const std::string& checksum);
  /// The last ingested version of the landing file at `path` (its checksum
  /// and byte count), if any.
  Result<std::optional<IngestedFileInfo>> LastIngestedAt(const DatasetId& dataset, const std::string& path);
  /// Whether `dataset` recorded a landing file by a checksum of `length`
  /// characters (ingest tells its hashes apart by their length).
  Result<bool> HasIngestedChecksumOfLength(const DatasetId& dataset, int length);
  /// Per batch (newest first), or all when batch_id is nullopt.
  Result<std::vector<QuarantineCount>> ListQuarantine(std::optional<int64_t> batch_id = std::nullopt);
  /// The remembered identities of `dataset`'s landing files whose content is
  /// still in ingested_files (so never one of content ingest has forgotten).
  Result<std::vector<LandingIdentity>> ListLandingIdentities(const DatasetId& dataset);
  /// In one transaction: forgets `removed` paths, then records `upserts`.
  Status UpdateLandingIdentities(const DatasetId& dataset, const std::vector<LandingIdentity>& upserts,
                                 const std::vector<std::string>& removed);

  // --- runs ---
  Result<int64_t> BeginRun(const std::string& verb, const std::vector<std::string>& args);
  Status EndRun(int64_t run_id, RunStatus status, const std::string& summary_json, const std::string& error);
  Result<std::vector<RunInfo>> ListRuns(int limit = 20);
  /// Marks `running` runs of this host whose process is gone as `killed`.
  Result<int> ReapDeadRuns(const std::string& host, const std::function<bool(int64_t pid)>& alive);

 private:
  Metastore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);
  Status Migrate();

  std::mutex mu_;
  sqlite3* db_;
  std::string path_;
};

/// This machine's host name (for batches and runs).
std::string HostName();

}  // namespace custlake::lake
