// Lake: the entry point to custlake's storage layer. It owns the layout,
// the metastore connection and the lock rules, starts batches (the only way
// to write), answers readers (CommittedFiles: exactly the committed files,
// never a partial batch), summarises the lake for `custlake status`, keeps
// run history, and cleans up after killed runs. The on-disk format is
// specified in docs/lake-format.md.
//
// Writers: Lake::Open (read-write) and BeginBatch first run recovery when no
// batch is live anywhere (an exclusive flock on _lake.lock proves it); each
// open batch then holds that lock shared. Readers (LakeOptions::read_only)
// take no lock and never modify anything.
//
// Thread safety: a Lake is thread-safe (its metastore connection is
// serialised). It must outlive the BatchWriters it starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/batch_writer.h"
#include "lake/fail_point.h"
#include "lake/layout.h"
#include "lake/metastore.h"

namespace custlake::lake {

struct LakeOptions {
  /// Readers: no lock, no recovery, no writes (BeginBatch fails).
  bool read_only = false;
  /// Run recovery in Open (writers only) when no batch is live anywhere.
  bool recover_on_open = true;
  /// Also delete files under the managed zones that the metastore does not
  /// list, at Open. Cheap batch-level recovery runs at every BeginBatch.
  bool sweep_on_open = true;
  /// How long BeginBatch waits for another process's recovery to finish.
  std::chrono::milliseconds lock_timeout{60000};
  /// Compute a sha256 of every committed file that has none.
  bool checksum_files = true;
  /// fsync files and folders during Commit. Only tests of throughput may
  /// turn this off; without it a power loss can lose committed data.
  bool sync = true;
  MetastoreOptions metastore;
  /// Test seam consulted between the commit protocol's steps (fail_point.h).
  FailPointHook fail_point;

  Status Validate() const;
};

/// What a recovery did.
struct RecoveryReport {
  bool ran = false;            ///< false: a batch was live elsewhere, nothing touched
  int batches_aborted = 0;     ///< batches left `writing` by a dead process
  int staging_removed = 0;     ///< folders under _staging/
  int files_removed = 0;       ///< final-place files of dead batches and unlisted files
  int runs_reaped = 0;         ///< runs marked killed
  int files_set_aside = 0;     ///< retired files moved out of their dataset folders to _superseded/
  std::vector<std::string> removed_paths;  ///< lake-relative paths of removed files
};

struct VacuumOptions {
  /// Only files retired (replaced by a batch that committed) more than this
  /// long ago go: readers that planned a query over them have had time to finish.
  std::chrono::seconds min_age = std::chrono::hours(1);
  /// List what would go; delete and move nothing.
  bool dry_run = false;
  /// Whether a retired file must stay whatever its age (e.g. a raw file a
  /// kept warehouse version consumed). Called with the lake locked
  /// exclusively, so no batch commits between the decision and the deletion.
  std::function<Result<bool>(const FileInfo&)> keep;
};

struct VacuumReport {
  int files_removed = 0;  ///< (dry run: that would be removed)
  int64_t bytes_removed = 0;
  int files_kept = 0;     ///< retired files old enough that `keep` kept
  int files_set_aside = 0;  ///< retired files moved out of their dataset folders first
  std::vector<FileInfo> removed;  ///< the files removed (dry run: to remove), paths as recorded
};

/// `custlake status` in one struct.
struct LakeSummary {
  std::string root;
  int schema_version = 0;
  std::vector<DatasetStats> datasets;
  std::vector<BatchInfo> recent_batches;   ///< newest first
  std::vector<BatchInfo> writing_batches;  ///< in flight (or abandoned, before recovery)
  std::vector<RunInfo> recent_runs;        ///< newest first
  int64_t file_count = 0;
  int64_t row_count = 0;
  int64_t byte_count = 0;
  int64_t quarantined_count = 0;

  std::string ToJson() const;
};

class Lake {
 public:
  /// Opens an existing lake (NotFound if `root` holds none). Writers run
  /// recovery first (LakeOptions::recover_on_open).
  static Result<std::unique_ptr<Lake>> Open(const std::string& root, LakeOptions options = {});
  /// Creates the folders and the metastore if missing (idempotent), then Opens.
  static Result<std::unique_ptr<Lake>> Init(const std::string& root, LakeOptions options = {});

  Lake(const Lake&) = delete;
  Lake& operator=(const Lake&) = delete;
  ~Lake();

  const Layout& layout() const { return layout_; }
  const std::string& root() const { return layout_.root(); }
  const LakeOptions& options() const { return options_; }

  // --- writing ---
  /// Starts a batch whose primary dataset is `dataset`.
  Result<BatchWriter> BeginBatch(const DatasetId& dataset, BatchOptions options = {});
  /// Cleans up after killed runs if no batch is live anywhere; `sweep` also
  /// deletes unlisted files under the managed zones. Safe to call any time.
  Result<RecoveryReport> Recover(bool sweep = true);
  /// Deletes retired files whose replacing batch committed more than
  /// `min_age` ago (readers that planned over them have had time to finish),
  /// except those `keep` keeps, and drops their rows. Waits up to
  /// lock_timeout for _lake.lock exclusively (no batch anywhere is live
  /// meanwhile) and recovers first, which also moves retired files out of
  /// their dataset folders (superseded.h).
  Result<VacuumReport> Vacuum(const VacuumOptions& options);
  Result<VacuumReport> Vacuum(std::chrono::seconds min_age = std::chrono::hours(1));

  // --- reading: only committed data ---
  /// The live files of `dataset` (with absolute_path filled in), ordered by
  /// path, optionally only those whose partition has all of `partition_filter`.
  Result<std::vector<FileInfo>> CommittedFiles(const DatasetId& dataset, const Partition& partition_filter = {});
  /// The same as absolute paths: what `read_parquet([...])` wants.
  Result<std::vector<std::string>> CommittedPaths(const DatasetId& dataset, const Partition& partition_filter = {});
  Result<std::vector<DatasetInfo>> ListDatasets();
  Result<std::optional<DatasetInfo>> GetDataset(const DatasetId& dataset);
  Result<std::optional<BatchInfo>> GetBatch(int64_t batch_id);
  Result<std::vector<BatchInfo>> ListBatches(std::optional<DatasetId> dataset = std::nullopt, int limit = 0);
  /// A cursor's committed value (nullopt: never set). Inside a batch prefer
  /// BatchWriter::ReadCursor, which also guards against a concurrent move.
  Result<std::optional<std::string>> GetCursor(const std::string& key);
  Result<std::vector<CursorInfo>> ListCursors();
  /// The committed record of a landing file with this checksum ingested
  /// into `dataset`, if any (checksums are per dataset: the same content
  /// may land for several datasets).
  Result<std::optional<IngestedFileInfo>> FindIngestedFile(const DatasetId& dataset, const std::string& checksum);
  /// The last ingested version of the landing file at `path` (ingest reads only what a file that grew appended).
  Result<std::optional<IngestedFileInfo>> LastIngestedAt(const DatasetId& dataset, const std::string& path);
  /// Whether `dataset` recorded a landing file by a checksum of `length`
  /// characters (not counting the `empty:<name>` of empty files).
  Result<bool> HasIngestedChecksumOfLength(const DatasetId& dataset, int length);
  Result<std::vector<QuarantineCount>> ListQuarantine(std::optional<int64_t> batch_id = std::nullopt);
  Result<std::vector<LandingIdentity>> ListLandingIdentities(const DatasetId& dataset);
  Status UpdateLandingIdentities(const DatasetId& dataset, const std::vector<LandingIdentity>& upserts,
                                 const std::vector<std::string>& removed);
  /// Datasets, totals, recent batches and runs.
  Result<LakeSummary> Summary(int recent = 10);

  // --- run history ---
  Result<int64_t> BeginRun(const std::string& verb, const std::vector<std::string>& args);
  /// status ok/failed from `outcome` (interrupted when it is Cancelled);
  /// `summary_json` is the verb's JSON summary.
  Status EndRun(int64_t run_id, const Status& outcome, const std::string& summary_json = "{}");
  /// The same with the status given (kPartial: done, with inputs it could not read).
  Status EndRun(int64_t run_id, RunStatus status, const std::string& summary_json, const std::string& error);
  Result<std::vector<RunInfo>> ListRuns(int limit = 20);

  /// The metastore, for tests and tools that need a query Lake does not
  /// offer. Write only through BatchWriter.
  Metastore& metastore() { return *metastore_; }

 private:
  friend class BatchWriter;
  Lake(Layout layout, LakeOptions options, std::unique_ptr<Metastore> metastore);

  std::string StagingFor(int64_t batch_id, const DatasetId& dataset, std::string_view relative) const;

  Layout layout_;
  LakeOptions options_;
  std::unique_ptr<Metastore> metastore_;
};

}  // namespace custlake::lake
