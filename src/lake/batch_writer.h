// BatchWriter: one atomic, exactly-once write to the lake.
//
// A batch collects files (written by anyone, typically DuckDB's COPY ... TO
// a path the batch hands out), cursor moves, checksums of ingested landing
// files and quarantine counts, and makes them visible all at once with
// Commit(), or not at all. The protocol (docs/lake-format.md):
//
//   BeginBatch   row in `batches` (state writing), shared lock on _lake.lock
//   write        the caller writes each file at StagingPath(...) under
//                _staging/<batch>/ and declares it with AddFile(...)
//   Commit       1. check and checksum each staged file
//                2. fsync each staged file
//                3. reserve the final paths (rows in `files`, state pending)
//                4. rename each file into place, fsync the folders
//                5. ONE metastore transaction: files live, cursors moved,
//                   checksums recorded, batch committed
//   Abort        (or destruction without Commit) removes what was written
//
// A crash anywhere before step 5's COMMIT leaves only things recovery
// removes (the batch is still `writing`, its files are pending or unlisted);
// after it, the batch is complete. Readers see files only once they are live.
//
// Usage:
//   ASSIGN_OR_RETURN(auto batch, lake->BeginBatch(DatasetId::Raw("usage"), {.lineage = ...}));
//   ASSIGN_OR_RETURN(auto part, batch.NewPart({{"ingest_date", "2024-05-01"}}));
//   ... write a Parquet file at part.staging_path ...
//   RETURN_NOT_OK(batch.AddFile(part, n));
//   RETURN_NOT_OK(batch.SetCursor("sic.customers.updated_at", max_seen));
//   RETURN_NOT_OK(batch.Commit());
//
// Ownership and threads: the Lake must outlive its BatchWriters. A
// BatchWriter is movable, not copyable, and used by one thread at a time;
// several BatchWriters (in one or many processes) may be open at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lake/file_lock.h"
#include "lake/layout.h"

namespace custlake::lake {

class Lake;

/// What produced a batch; stored as the batch's lineage JSON.
struct Lineage {
  std::string source;         ///< "sqlite:demo/sic.db" (masked URL), "landing/usage"
  std::string query;          ///< the SQL that read the source, if any
  std::string file;           ///< the landing file, if any
  std::string cursor_column;  ///< incremental imports: the check column
  /// Lower bound read, inclusive: import reads check >= cursor_from and drops
  /// the re-read rows the lake already holds (its extra "cursor_rule" says so).
  std::string cursor_from;
  std::string cursor_to;      ///< inclusive upper bound read
  std::map<std::string, std::string> extra;  ///< anything else worth keeping

  /// A JSON object holding the non-empty fields (extra's keys at top level).
  std::string ToJson() const;
};

struct BatchOptions {
  Lineage lineage;
  std::optional<int64_t> run_id;  ///< Lake::BeginRun's id, to tie batches to runs
  /// Commit retires the dataset's earlier live files (a full re-import or a
  /// rebuild); otherwise the batch appends. See also ReplaceDataset().
  bool replace = false;
};

/// A file declared in a batch.
struct FileSpec {
  /// Relative to the dataset's folder: "ingest_date=2024-05-01/part-7-0.parquet".
  /// Partition values are read from its key=value folders.
  std::string path;
  /// The dataset the file belongs to; default: the batch's dataset.
  std::optional<DatasetId> dataset;
  int64_t row_count = 0;
  /// JSON object: where the rows came from (landing file, line range, query).
  std::string provenance_json;
  /// sha256 hex of the content; computed at Commit when empty (LakeOptions::checksum_files).
  std::string checksum;
  /// false: Commit records no checksum and does not read the file to compute one. For files
  /// whose format guards its own content and that are large and rewritten in place by their
  /// engine (a warehouse version: a DuckDB database, which checksums every block it stores).
  bool checksum_content = true;
};

/// A part file handed out by NewPart: its path relative to the dataset
/// folder (for AddFile) and the absolute staging path to write it to.
struct StagedPart {
  DatasetId dataset;
  std::string path;
  std::string staging_path;
};

class BatchWriter {
 public:
  BatchWriter(BatchWriter&&) noexcept;
  BatchWriter& operator=(BatchWriter&&) noexcept;
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;
  /// Aborts the batch if it was neither committed nor aborted.
  ~BatchWriter();

  int64_t id() const;
  const DatasetId& dataset() const;
  /// The batch's staging folder: <root>/_staging/<id>.
  std::string staging_dir() const;

  /// A new part file "<partition>/part-<id>-<n>.<ext>" of `dataset` (default:
  /// the batch's), with its staging path; parent folders are created.
  Result<StagedPart> NewPart(const Partition& partition = {}, std::string_view ext = "parquet");
  Result<StagedPart> NewPart(const DatasetId& dataset, const Partition& partition,
                             std::string_view ext = "parquet");
  /// The absolute staging path for a file that will become
  /// "<dataset folder>/<relative_path>"; parent folders are created.
  Result<std::string> StagingPath(std::string_view relative_path);
  Result<std::string> StagingPath(const DatasetId& dataset, std::string_view relative_path);

  /// The staging folder of `dataset` in this batch (created): for writers
  /// that lay out a partitioned tree themselves, e.g. DuckDB's
  /// COPY ... TO dir (PARTITION_BY (...), FILENAME_PATTERN 'part-<id>-{i}').
  /// Declare what they wrote with AddStagedFiles.
  Result<std::string> StagingDatasetDir(const DatasetId& dataset);
  /// Declares every file under StagingDatasetDir(dataset) not declared yet,
  /// and returns how many. `row_count` (given the absolute staging path)
  /// supplies each file's rows; without it they count 0.
  Result<int> AddStagedFiles(const DatasetId& dataset,
                             const std::function<Result<int64_t>(const std::string&)>& row_count = nullptr);

  /// Declares a file written at its staging path. It must exist now.
  Status AddFile(FileSpec spec);
  /// AddFile for a part from NewPart.
  Status AddFile(const StagedPart& part, int64_t row_count, std::string provenance_json = "");
  /// AddFile for `path` (relative to the batch's dataset folder).
  Status AddFile(std::string_view path, int64_t row_count, std::string provenance_json = "");
  /// Writes `bytes` at `path`'s staging path and declares it (no rows): a small file such as a
  /// model's JSON.
  Status AddFileWithBytes(std::string_view path, std::string_view bytes);
  /// Records `schema_json` as the dataset's schema at Commit.
  Status SetSchema(std::string schema_json);
  Status SetSchema(const DatasetId& dataset, std::string schema_json);
  /// At Commit, the dataset's earlier live files retire (replace mode for one dataset).
  Status ReplaceDataset(const DatasetId& dataset);

  /// Reads a cursor's committed value and remembers it: if another batch
  /// moves the cursor before this one commits, Commit fails (AlreadyExists)
  /// instead of importing the same range twice.
  Result<std::optional<std::string>> ReadCursor(const std::string& key);
  /// Moves a cursor at Commit (and only then).
  Status SetCursor(const std::string& key, std::string value);
  /// Records a landing file's content checksum for the batch's dataset at
  /// Commit. AlreadyExists right away if the dataset already has it (skip
  /// the file) or it is already in this batch; Commit also refuses it if
  /// another batch got there first.
  Status RecordIngestedFile(std::string checksum, std::string source_path, int64_t byte_count = 0);
  /// Adds to the quarantine count of `dataset` (default: the batch's) for `reason`.
  Status AddQuarantined(int64_t count, std::string reason = "invalid",
                        std::optional<DatasetId> dataset = std::nullopt);

  int64_t row_count() const;
  int64_t file_count() const;

  /// Makes everything above visible atomically. On error nothing is
  /// visible, the batch is aborted and its files removed; start a new batch
  /// to retry. After Commit or Abort only the accessors may be called.
  Status Commit();
  /// Removes the staged files and marks the batch aborted with `reason`.
  Status Abort(std::string reason = "aborted by the caller");

 private:
  friend class Lake;
  struct Impl;
  explicit BatchWriter(std::unique_ptr<Impl> impl);
  /// Lake::BeginBatch's half: the batch row exists and `lock` is held shared.
  static BatchWriter Start(Lake* lake, int64_t id, DatasetId dataset, FileLock lock);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custlake::lake
