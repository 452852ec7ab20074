// SourceIngester::Impl, shared by the files that implement it (internal to
// the ingest module; the API is ingester.h):
//   batch_ingester.cc   opening a source, schema, batches, the run
//   ingest_file.cc      one landing file: read, parse, dedup, rows, quarantine
//   quarantine_stage.cc the quarantine staging table and its spills
//   batch_commit.cc     a batch's COPYs, lake batch and after-actions
//   known_files.cc      landing files' identities (checksums, stat)
// One thread (the caller's) runs it, except WriteBatch, which runs on the
// in-flight batch's thread; pending_mu and known_mu guard what is shared.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/appender.h"
#include "engine/engine.h"
#include "engine/row_stream.h"
#include "ingest/dedup_index.h"
#include "ingest/file_scanner.h"
#include "ingest/ingester.h"
#include "ingest/parse_pool.h"
#include "ingest/record_parser.h"
#include "lake/checksum.h"
#include "lake/lake.h"

namespace custlake::ingest {

namespace fs = std::filesystem;
using engine::ColumnSpec;
using engine::ColumnType;
using engine::QuoteIdent;
using engine::QuoteLiteral;
using engine::RowBlock;
using engine::RowSink;
using engine::RowStream;

// Where a file quarantined whole is kept, relative to quarantine/<dataset>/:
// named by its checksum (a content is ingested once per dataset, so the
// path is unique) and its file name.
std::string KeptFilePath(const std::string& checksum, const std::string& path);

// Where a COPY writes part `part` of partition `day` under a batch
// attempt's scratch folder `dir`: CopySql writes it, a spill lists it for
// the dedup loader, WriteBatch moves it into the lake. All in the one
// folder: a folder per event date cost a mkdir per part, and ext4 searches
// for a block group and a free inode for each new folder (3-4 % of the
// samples, with the lake's own folders).
fs::path PartFile(const std::string& dir, int64_t day, int part);

// A quarantine part's provenance, from the table it was COPYd from: per
// source file, its first line, last line and rows.
std::string QuarantineSourcesSql(const std::string& table);

struct SourceIngester::Impl {
  lake::Lake* lake = nullptr;
  SourceSpec source;
  IngestOptions options;
  Format format = Format::kNdjson;
  lake::DatasetId raw_ds, quarantine_ds;
  Schema schema;
  bool have_schema = false;
  bool schema_recorded = false;  ///< the lake holds this schema already
  /// How landing files are identified: XXH3-128, or sha256 for a dataset
  /// that recorded its files so before (lake/checksum.h).
  lake::ContentHash identity_hash = lake::ContentHash::kXxh128;

  std::unique_ptr<engine::Database> db;
  std::unique_ptr<engine::Session> session;
  std::unique_ptr<RowStream> stream;  ///< raw rows: parser → DuckDB COPY → Parquet
  std::unique_ptr<engine::Appender> quarantine;
  std::unique_ptr<ParsePool> parse_pool;  ///< parses records (options.parse_threads workers)
  std::vector<ColumnSpec> data_columns;

  std::unique_ptr<PartitionedDedupIndex> index;  ///< created by LoadIndex
  std::vector<char> buffer;  ///< RecordReader scratch, reused across files
  std::string raw_scratch;
  std::map<std::string, int64_t> quarantine_reasons;  ///< this batch
  // Per batch attempt (a whole-file error found after rows of that file were
  // streamed restarts the batch with the file marked failed).
  struct Prov {
    int64_t first_line = 0, last_line = 0, rows = 0;
  };
  /// (partition day, part) → file → lines. A part is one Parquet file of the
  /// partition: a batch spills its rows to a new part whenever the row
  /// blocks reach options.batch_memory_bytes.
  using ProvMap = std::map<std::pair<int64_t, int>, std::map<std::string, Prov>>;
  ProvMap prov;
  /// Quarantine rows spilled to Parquet in the scratch folder (the table
  /// holds the rest), when they reach a quarter of batch_memory_bytes.
  struct QuarantinePart {
    std::string path;
    int64_t rows = 0;
    std::vector<std::vector<std::string>> sources;  ///< file, first line, last line, rows
  };
  std::vector<QuarantinePart> quarantine_parts;
  int64_t quarantine_bytes = 0;  ///< kept in the table now (approximate)
  int spills = 0;                ///< rows and quarantine spills this batch attempt
  int64_t rows_since_spill = 0;  ///< rows added since the last rows spill (or the attempt's start)
  std::string out_dir;           ///< this batch attempt's scratch folder
  /// (partition, key) the file being parsed added since it started (or
  /// since the last spill): what a whole-file error undoes.
  std::vector<std::pair<int64_t, uint64_t>> file_inserted;
  // Dedup epochs (dedup_index.h): a batch attempt starts one, and so does
  // each spill. Open: the producer's current one and the in-flight batch's
  // last one (its rows are in memory or being COPYd).
  int64_t epoch = 0;
  int64_t producing_epoch = -1;  ///< -1 when no batch is being parsed
  std::vector<int64_t> OpenEpochs() const;
  /// Spilled raw parts not committed yet, per partition day: the dedup
  /// loader reads them with the committed files, so partitions can be
  /// evicted after a spill. WriteBatch holds pending_mu while it moves its
  /// parts into the lake and commits (the loader waits), then drops its
  /// entries.
  std::mutex pending_mu;
  std::map<int64_t, std::vector<std::string>> pending_parts;
  void DropPending(const std::string& dir);  ///< entries under `dir`; pending_mu held
  std::map<std::string, std::string> failed_files;      ///< path → whole-file error
  bool restart = false;
  int copy_seq = 0;
  std::string quarantine_table = "stage_quarantine_0";

  // The batch whose COPYs run on another thread while the next one is
  // parsed; committed (in order) before the next one starts its COPYs.
  struct InFlight {
    int64_t final_epoch = 0;  ///< the epoch of its last (unspilled) rows
    std::vector<FileReport> reports;
    std::string out_dir;
    std::unique_ptr<RowStream> stream;
    std::unique_ptr<engine::Appender> quarantine;
    std::string quarantine_table;
    std::map<std::string, int64_t> quarantine_reasons;
    ProvMap prov;
    std::vector<QuarantinePart> quarantine_parts;
    std::set<std::string> sums;
    std::vector<LandingFile> landing;  ///< the batch's files as scanned
    int spills = 0;                    ///< rows/quarantine spills while it was parsed
    bool placeholder = false;
    std::thread copier;
    Status copied = Status::OK();  ///< COPYs, moves and the commit
    int64_t batch_id = 0;
    double t_move = 0, t_commit = 0;
  };
  std::unique_ptr<engine::Session> writer_session;  ///< the in-flight batch's thread's connection
  std::unique_ptr<InFlight> inflight;
  std::unique_ptr<RowStream> spare_stream;
  Status FinishInFlight(IngestStats* stats);
  void SwapBatchState(InFlight* f);

  ~Impl() {
    if (inflight && inflight->copier.joinable()) {
      inflight->copier.join();
      std::error_code ec;
      fs::remove_all(inflight->out_dir, ec);
    }
  }
  // Seconds spent per phase (reported in the batch log line).
  double t_checksum = 0, t_parse = 0, t_copy_wait = 0, t_copy = 0, t_commit = 0;

  void Log(const std::string& line) const {
    if (options.log) options.log(line);
  }
  IngestProgress prog;  ///< this ingester's progress (options.progress)
  IngestStats finished_early;  ///< the in-flight batch, when committed in the middle of the next one
  void ReportProgress() const {
    if (options.progress) options.progress(prog);
  }

  Status Init();
  Status LoadIndex();
  Status InferSchema(const std::vector<LandingFile>& files);
  /// Logs a short summary of the inferred schema and writes it whole to
  /// <lake>/archive/schemas/<dataset>.inferred.json.
  void LogInferredSchema(int64_t records) const;
  Status PrepareStaging();
  Result<IngestStats> Run(std::vector<LandingFile> files);
  // Identities of files already ingested, by path, valid while stat() sees
  // the file unchanged (Unchanged): unchanged files are not read again (a
  // --watch pass over a folder of kept files reads nothing). Kept in the
  // metastore (landing_identities) across runs: loaded by LoadKnownFiles,
  // the changes written by SaveKnownFiles after each run. Guarded by
  // known_mu (the watch scanner asks from its thread).
  std::mutex known_mu;
  std::unordered_map<std::string, lake::LandingIdentity> known;
  std::set<std::string> known_added, known_removed;  ///< paths changed since the last save
  std::optional<std::string> KnownIdentity(const LandingFile& f);
  void RememberFile(const LandingFile& f, const std::string& identity);
  void ForgetFilesNotIn(const std::vector<LandingFile>& files);
  Status LoadKnownFiles();
  Status SaveKnownFiles();
  /// What a landing file is against the version of it ingested before
  /// (same path, other content): see CompareWithLastVersion. Files with no
  /// earlier version have no entry.
  struct FileVersion {
    bool rewritten = false;  ///< not an append: ingested whole as a new version
    int64_t last_bytes = 0;  ///< the earlier version's size
    int64_t offset = 0;      ///< an append: read from this byte ...
    int64_t lines = 0;       ///< ... which follows this many lines
  };
  std::unordered_map<std::string, FileVersion> versions;  ///< by path, for the files of the coming batches
  Status CompareWithLastVersion(const LandingFile& f);
  void LogVersion(const LandingFile& f) const;
  void NoteUnreadable(const LandingFile& f, const std::string& why, IngestStats* total);
  /// Unreadable files this ingester reported (path → reason), until read.
  std::map<std::string, std::string> reported_unreadable;
  void NoteSkipped(const LandingFile& f, const std::string& sum, const std::optional<lake::IngestedFileInfo>& seen,
                   IngestStats* total);
  Result<IngestStats> IngestBatch(const std::vector<std::pair<LandingFile, std::string>>& files);
  class FileIngest;  ///< IngestFile's steps (ingest_file.cc)
  /// `file_idx`: the file's index in the batch (its _source_file ENUM value).
  Status IngestFile(const LandingFile& file, int64_t file_idx, FileReport* report, RowSink* sink);
  std::string CopySql(const std::string& dir, int64_t day, int part, size_t rows) const;
  Status ResetQuarantineTable();
  Status SpillQuarantine();
  /// Removes `path`'s rows from the quarantine table (its file turned out unreadable).
  Status DropQuarantineRowsOf(const std::string& path);
  std::string ScratchDir();
  void RemoveDeadScratch() const;
  /// Scratch folders are ScratchRoot()/<ScratchName()>-<pid>-<seq>.
  fs::path ScratchRoot() const;
  std::string ScratchName() const;  ///< the dataset, '/' as '_'
  /// `raw` is the record's text as kept (an oversize record's first 64 KiB);
  /// `raw_bytes` its real size.
  Status AppendQuarantine(const std::string& file, int64_t line, int64_t offset, Reason reason,
                          const std::string& detail, std::string_view raw, int64_t raw_bytes);
  Status WriteBatch(InFlight& f, int64_t* batch_id, engine::Session* db_session);
  Status AddRawParts(const InFlight& f, lake::BatchWriter& batch, const std::map<std::string, std::string>& checksum_of);
  Status AddQuarantineParts(const InFlight& f, lake::BatchWriter& batch, int64_t quarantined,
                            const std::map<std::string, std::string>& checksum_of, engine::Session* db_session);
  void AfterIngest(const std::string& path, const std::string& checksum);
};

/// What ingested_files records for a file (its content's hash; an empty
/// file's name: see known_files.cc); `*bytes`: how many bytes it covers.
Result<std::string> FileIdentity(const LandingFile& file, lake::ContentHash hash, int64_t* bytes);

// Checksums the listed files on a helper thread, a few files ahead of the
// one being consumed, so hashing overlaps parsing. (Files whose identity
// is already known are not given to it: no hand-off per file.)
class ChecksumAhead {
 public:
  ChecksumAhead(std::vector<LandingFile> files, lake::ContentHash hash, size_t ahead)
      : files_(std::move(files)), hash_(hash), ahead_(ahead) {
    sums_.resize(files_.size(), Status::Internal("not computed"));
    bytes_.resize(files_.size(), 0);
    thread_ = std::thread([this] { Loop(); });
  }
  int64_t hashed() {
    std::lock_guard<std::mutex> lock(mu_);
    return hashed_;
  }
  ~ChecksumAhead() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  /// The i-th file's identity; `*bytes`: the bytes it covers.
  Result<std::string> Get(size_t i, int64_t* bytes) {
    std::unique_lock<std::mutex> lock(mu_);
    consumed_ = i + 1;
    cv_.notify_all();
    cv_.wait(lock, [&] { return done_ > i; });
    *bytes = bytes_[i];
    return sums_[i];
  }

 private:
  void Loop() {
    for (size_t i = 0; i < files_.size(); i++) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || i < consumed_ + ahead_; });
        if (stop_) return;
      }
      int64_t bytes = 0;
      Result<std::string> sum = FileIdentity(files_[i], hash_, &bytes);
      std::lock_guard<std::mutex> lock(mu_);
      hashed_++;
      bytes_[i] = bytes;
      sums_[i] = std::move(sum);
      done_ = i + 1;
      cv_.notify_all();
    }
  }

  const std::vector<LandingFile> files_;
  const lake::ContentHash hash_;
  const size_t ahead_;
  int64_t hashed_ = 0;
  std::vector<Result<std::string>> sums_;
  std::vector<int64_t> bytes_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t consumed_ = 0, done_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace custlake::ingest
