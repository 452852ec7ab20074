// The ingest module's public API: landing files → raw zone, exactly once.
//
// A SourceIngester ingests one source (a folder, a pattern, a format, a
// target dataset). RunOnce() scans the folder and ingests every file that is
// ready and not yet ingested, in batches of about batch_bytes of input:
//
//   1. each file is identified by a hash of its content (XXH3-128, or sha256
//      for a dataset that recorded its files so before); a checksum the
//      metastore already lists is skipped (the file was ingested before,
//      maybe under another name), and its after-action (archive/delete) is
//      (re)done;
//   2. records are split (record_reader.h), parsed and coerced to the schema
//      (record_parser.h), deduplicated by key against the batch and the lake
//      (dedup_index.h; per event-date partition, bounded memory) and written
//      into reusable columnar row blocks per partition (engine/row_stream.h); bad
//      records go to a quarantine staging table with file, line, byte
//      offset, reason and raw text; a file that cannot be read (corrupt
//      gzip/zstd, binary content) is quarantined whole as one record;
//   3. DuckDB COPYs each partition's blocks to Parquet in a scratch folder
//      under the lake root; only then a lake batch begins: the files move to
//      raw/<dataset>/event_date=YYYY-MM-DD/ (the quarantine table is COPYd to
//      quarantine/<dataset>/), and one metastore transaction commits the
//      files, the checksums of the source files, the quarantine counts, the
//      schema and the per-file reconciliation (input records = committed +
//      quarantined + duplicates).
//   4. after the commit, source files are kept, archived or deleted.
// A run killed at any point leaves either a committed batch or nothing (the
// lake's recovery removes staged files), and a re-run forms the same
// batches from the same files, so the lake ends the same as after one clean
// run.
//
// Ownership: a SourceIngester borrows the Lake, which must outlive it. One
// thread calls it; internally a reader thread and parse workers parse
// records (parse_pool.h; every decision stays in file order on the calling
// thread) and DuckDB uses its own threads to write Parquet.
// Memory: at most batch_memory_bytes of rows in row blocks per batch (two
// batches: one parsing, one copying), spilled to Parquet parts beyond that
// whatever the input size or compression ratio, plus DuckDB's memory
// limit, plus the dedup index's budget, plus the parse workers' chunks
// (at most 2 x parse_threads + 2 of ~256 KiB).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "ingest/file_scanner.h"
#include "ingest/ingest_config.h"
#include "ingest/schema.h"
#include "lake/fail_point.h"

namespace custlake::lake {
class Lake;
}

namespace custlake::ingest {

/// Where a run is: files and input bytes done of the files listed, records parsed.
struct IngestProgress {
  int64_t files_done = 0, files_total = 0;
  int64_t bytes_done = 0, bytes_total = 0;
  int64_t records = 0;
};

struct IngestOptions {
  int64_t batch_bytes = 128LL << 20;
  /// Rows a batch holds in memory (row blocks, by their real size, so
  /// whatever the compression ratio) before they spill to Parquet parts in
  /// the scratch folder; quarantine rows spill at a quarter of it. Parts
  /// join the same lake batch, so a file's commit stays atomic.
  int64_t batch_memory_bytes = 128LL << 20;
  int64_t max_record_bytes = 8LL << 20;
  int max_depth = 64;
  /// Checked between batches: when set, RunOnce returns after the batch in flight.
  const std::atomic<bool>* stop = nullptr;
  std::optional<int64_t> run_id;      ///< Lake::BeginRun's id, stored with each batch
  std::string duckdb_memory_limit = "1GB";
  /// DuckDB threads per COPY; 0 = one, with the partitions' COPYs run side
  /// by side on the cores (cheaper than several threads in one COPY). Also
  /// the threads of the ingester's own DuckDB (dedup loads, commit): 0 = all cores.
  int duckdb_threads = 0;
  /// Threads that parse and coerce records (parse_pool.h); 0 = the
  /// hardware threads (at most 8), 1 = on the ingester's own thread. Dedup, rows and
  /// quarantine stay in file order on the ingester's thread, so the lake is
  /// the same for any value.
  int parse_threads = 0;
  /// Dedup index memory kept between batches (about 16 bytes a key); see
  /// dedup_index.h for the bound and the scope of duplicate detection.
  int64_t dedup_memory_bytes = 256LL << 20;
  /// --watch: the scanner → ingester queue's bound, per source (landing_queue.h).
  int64_t watch_queue_files = 10000;
  int64_t watch_queue_bytes = 1LL << 30;
  /// Human progress lines (stderr in the CLI); may be empty.
  std::function<void(const std::string&)> log;
  /// Progress after each file and every 100 000 records (the CLI's progress line); may be empty.
  std::function<void(const IngestProgress&)> progress;
  /// A test seam like the lake's fail points: consulted at
  /// "ingest.parsed_file:<name>" (a file of the batch is parsed, the batch
  /// not yet written); an error fails the batch there. Empty in production.
  lake::FailPointHook step_hook;

  static IngestOptions FromConfig(const IngestConfig& config);
};

/// What happened to one landing file.
struct FileReport {
  std::string path;
  std::string checksum;
  int64_t bytes = 0;
  int64_t records = 0;      ///< input records (lines / documents / CSV rows)
  int64_t committed = 0;
  int64_t quarantined = 0;
  int64_t duplicates = 0;
  bool skipped = false;     ///< already ingested (same content) before
  /// An earlier version of this file (same path) was ingested and this is
  /// not an append to it: ingested whole again (docs/ingest.md, Files that change).
  bool rewritten = false;
  /// > 0: the file grew since an earlier version was ingested; only the
  /// bytes from here on were read (`bytes` is still the whole size).
  int64_t from_byte = 0;
  std::string error;        ///< whole-file quarantine reason, if any
  /// Why the file could not be read at all (permission denied, a dangling
  /// symlink, a FIFO): not ingested, not recorded as ingested, so a later
  /// run tries it again. "" for a file that was read.
  std::string unreadable;
  int64_t batch_id = 0;

  nlohmann::json ToJson() const;
};

struct IngestStats {
  int64_t files = 0;          ///< files ingested now
  int64_t files_skipped = 0;  ///< already ingested
  int64_t files_hashed = 0;   ///< files read to compute their checksum (unchanged known files are not)
  int64_t files_unreadable = 0;  ///< files that could not be read (FileReport::unreadable); the rest went on
  int64_t files_appended = 0;   ///< files that grew: only their new bytes read
  int64_t files_rewritten = 0;  ///< files rewritten in place: ingested whole again
  int64_t files_left = 0;     ///< files not looked at because the run was stopped (IngestOptions::stop)
  int64_t sources_left = 0;   ///< IngestAll: sources not started because the run was stopped
  int64_t records = 0;
  int64_t committed = 0;
  int64_t quarantined = 0;
  int64_t duplicates = 0;
  int64_t bytes = 0;          ///< input bytes read (compressed size on disk) of ingested files
  int64_t batches = 0;
  double seconds = 0;
  std::vector<FileReport> file_reports;

  void Add(const IngestStats& other);
  /// files, records, committed, quarantined, duplicates, bytes, seconds, mb_per_s, ...,
  /// and `unreadable_files` ({file, error} of each unreadable file).
  nlohmann::json ToJson(bool with_files = false) const;
};

/// A source as the ingester needs it (from config, or ad hoc from the CLI).
struct SourceSpec {
  SourceConfig config;
  /// A schema given directly (tests, --schema); overrides config.schema_file.
  std::optional<Schema> schema;
};

class SourceIngester {
 public:
  static Result<std::unique_ptr<SourceIngester>> Open(lake::Lake* lake, SourceSpec source, IngestOptions options);
  ~SourceIngester();
  SourceIngester(const SourceIngester&) = delete;
  SourceIngester& operator=(const SourceIngester&) = delete;

  /// Ingests every ready file of the source not yet ingested.
  Result<IngestStats> RunOnce();
  /// Ingests exactly these files (in this order), skipping ones already ingested.
  Result<IngestStats> IngestFiles(const std::vector<std::string>& paths);
  /// The same for files as the scanner listed them (--watch's queue).
  Result<IngestStats> IngestLanding(std::vector<LandingFile> files);
  /// True when this file (same path, and stat() sees it unchanged: size,
  /// inode, mtime and ctime) was already ingested, by this run or an
  /// earlier one (the metastore keeps the identities): a re-scan need not
  /// read it. Thread-safe.
  bool KnownUnchanged(const LandingFile& file) const;
  /// Forgets remembered files that are not in `files` (a full scan). Thread-safe.
  void ForgetFilesNotIn(const std::vector<LandingFile>& files);
  const SourceConfig& config() const;

  /// The schema in use (empty fields until the first batch inferred it).
  const Schema& schema() const;

 private:
  struct Impl;
  explicit SourceIngester(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Ingests every source of `config` (or only those named in `only`) once.
Result<IngestStats> IngestAll(lake::Lake* lake, const IngestConfig& config, const IngestOptions& options,
                              const std::vector<std::string>& only = {});

/// `--watch`: a scanner thread lists every source's folder every
/// poll_seconds and hands new files (not queued, not already ingested with
/// the same size and mtime) to a bounded queue per source (LandingQueue:
/// watch_queue_files / watch_queue_bytes; when full, the rest waits in the
/// folder); this thread takes up to two batches' worth from each queue in
/// turn and ingests them, until *options.stop is set (SIGINT/SIGTERM in the
/// CLI). The batch being parsed and the one in flight are finished and
/// committed first; queued files stay in their folders for the next run.
Result<IngestStats> Watch(lake::Lake* lake, const IngestConfig& config, const IngestOptions& options,
                          const std::vector<std::string>& only = {});

/// For `custlake status`: per ingest dataset, the totals and per-file
/// reconciliation recorded in the committed batches' lineage, newest batch
/// first (at most `max_files` files listed per dataset).
Result<nlohmann::json> IngestReconciliation(lake::Lake* lake, int max_files = 20);

}  // namespace custlake::ingest
