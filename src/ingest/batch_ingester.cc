// SourceIngester: see ingester.h for the protocol.
#include <fmt/format.h>
#include <simdjson.h>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>
#include <map>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <optional>

#include "engine/appender.h"
#include "engine/engine.h"
#include "ingest/dedup_index.h"
#include "ingest/file_reader.h"
#include "ingest/file_scanner.h"
#include "ingest/ingester.h"
#include "ingest/parse_pool.h"
#include "ingest/record_parser.h"
#include "ingest/record_reader.h"
#include "engine/row_stream.h"
#include "ingest/timestamp_parse.h"
#include "lake/checksum.h"
#include "lake/lake.h"

namespace custlake::ingest {

using engine::RowBlock;
using engine::RowSink;
using engine::RowStream;

namespace fs = std::filesystem;
using engine::ColumnSpec;
using engine::ColumnType;
using engine::QuoteIdent;
using engine::QuoteLiteral;

namespace {

constexpr size_t kRawKeep = 64 * 1024;  // raw text kept per quarantined record

ColumnType StagingType(FieldType t) {
  switch (t) {
    case FieldType::kString: return ColumnType::kVarchar;
    case FieldType::kInt64: return ColumnType::kBigInt;
    case FieldType::kDouble: return ColumnType::kDouble;
    case FieldType::kBool: return ColumnType::kBoolean;
    case FieldType::kTimestamp: return ColumnType::kTimestamp;
    case FieldType::kDate: return ColumnType::kDate;
    case FieldType::kJson: return ColumnType::kVarchar;
  }
  return ColumnType::kVarchar;
}

// Text safe for a VARCHAR: valid UTF-8 is kept; otherwise bytes >= 0x80 and
// NUL are shown as \xNN.
void SanitizeRaw(std::string_view raw, std::string* out) {
  raw = raw.substr(0, kRawKeep);
  out->clear();
  const bool valid = simdjson::validate_utf8(raw.data(), raw.size()) && raw.find('\0') == std::string_view::npos;
  if (valid) {
    out->assign(raw);
    return;
  }
  for (const char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0 || c >= 0x80) {
      out->append(fmt::format("\\x{:02x}", c));
    } else {
      out->push_back(ch);
    }
  }
}

// Where a file quarantined whole is kept, relative to quarantine/<dataset>/:
// named by its checksum (a content is ingested once per dataset, so the
// path is unique) and its file name.
std::string KeptFilePath(const std::string& checksum, const std::string& path) {
  std::string name = fs::path(path).filename().string();
  std::replace(name.begin(), name.end(), '\\', '-');
  return fmt::format("files/{}-{}", checksum, name);
}

// Where a COPY writes part `part` of partition `day` under a batch
// attempt's scratch folder `dir`: CopySql writes it, a spill lists it for
// the dedup loader, WriteBatch moves it into the lake. All in the one
// folder: a folder per event date cost a mkdir per part, and ext4 searches
// for a block group and a free inode for each new folder (3-4 % of the
// samples, with the lake's own folders).
fs::path PartFile(const std::string& dir, int64_t day, int part) {
  char date[11];
  FormatDate(day, date);
  return fs::path(dir) / fmt::format("{}={}_part{}.parquet", kPartitionColumn, std::string_view(date, 10), part);
}

// DuckDB's Parquet writer dictionary-encodes a column chunk until it holds
// DICTIONARY_SIZE_LIMIT distinct values, by default a fifth of a full row
// group (24,576). A part file of one event date usually holds far fewer
// rows, so unique columns (event ids, timestamps, line numbers) never reach
// that limit: each value is hashed twice and written as a dictionary
// larger than the plain values. The same fifth of the rows the file holds
// keeps DuckDB's rule for full row groups (with the one scratch folder of
// PartFile, ~4 % less CPU per GB of usage events: docs/ingest.md).
int64_t DictionarySizeLimit(size_t rows) {
  constexpr size_t kRowGroup = 122880;  // DuckDB's default ROW_GROUP_SIZE
  return static_cast<int64_t>(std::max<size_t>(1024, std::min(rows, kRowGroup) / 5));
}

// A quarantine part's provenance, from the table it was COPYd from: per
// source file, its first line, last line and rows.
std::string QuarantineSourcesSql(const std::string& table) {
  return fmt::format(
      "SELECT _source_file, min(_source_line), max(_source_line), count(*) FROM {} GROUP BY ALL ORDER BY 1",
      table);
}

// Why a file cannot be ingested at all, seen from its first 4 KiB (after
// decompression): it cannot be opened or read, or holds NUL bytes (binary
// content). "" when it looks like text.
std::string ProbeFile(const std::string& path, Format format) {
  auto probe = FileReader::Open(path);
  if (!probe.ok()) return probe.status().message();
  // Read() may return less than asked (the plain reader hands out the
  // sniffed magic bytes first): read until 4 KiB or the end.
  char head[4096];
  size_t got = 0;
  while (got < sizeof(head)) {
    auto n = (*probe)->Read(head + got, sizeof(head) - got);
    if (!n.ok()) return n.status().message();
    if (*n == 0) break;
    got += *n;
  }
  if (std::memchr(head, '\0', got) != nullptr) {
    return fmt::format("{}: binary content (NUL bytes near the start); not a {} file", path,
                       FormatName(format));
  }
  return "";
}

int64_t TodayDays() {
  const auto now = std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() / 86400;
}

}  // namespace

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
  Result<IngestStats> IngestBatch(const std::vector<std::pair<LandingFile, std::string>>& files);
  /// `file_idx`: the file's index in the batch (its _source_file ENUM value).
  Status IngestFile(const LandingFile& file, int64_t file_idx, FileReport* report, RowSink* sink);
  std::string CopySql(const std::string& dir, int64_t day, int part, size_t rows) const;
  Status ResetQuarantineTable();
  Status SpillQuarantine();
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
  void AfterIngest(const std::string& path, const std::string& checksum);
};

Status SourceIngester::Impl::Init() {
  RETURN_NOT_OK(source.config.Validate());
  ASSIGN_OR_RETURN(format, ParseFormat(source.config.format));
  RETURN_NOT_OK(lake::ValidateDatasetName(source.config.dataset).WithContext("ingest." + source.config.name + ".dataset"));
  raw_ds = lake::DatasetId::Raw(source.config.dataset);
  quarantine_ds = lake::DatasetId::Quarantine(source.config.dataset);
  RemoveDeadScratch();
  ASSIGN_OR_RETURN(const bool sha256_identities,
                   lake->HasIngestedChecksumOfLength(raw_ds, lake::HexDigits(lake::ContentHash::kSha256)));
  if (sha256_identities) identity_hash = lake::ContentHash::kSha256;
  RETURN_NOT_OK(LoadKnownFiles());
  engine::DatabaseOptions dbo;
  dbo.memory_limit = options.duckdb_memory_limit;
  dbo.threads = options.duckdb_threads;
  dbo.settings["preserve_insertion_order"] = "false";
  ASSIGN_OR_RETURN(db, engine::Database::Open(dbo));
  ASSIGN_OR_RETURN(session, db->Connect());

  // Schema: given > schema file > the lake's > inferred on first sight. A
  // given schema or file must be compatible with the lake's (it replaces
  // the recorded one at the next commit).
  std::optional<Schema> s = source.schema;
  std::string given_where = "the given schema";
  if (!s && !source.config.schema_file.empty()) {
    ASSIGN_OR_RETURN(Schema f, Schema::FromFile(source.config.schema_file));
    s = std::move(f);
    given_where = "schema file " + source.config.schema_file;
  }
  std::optional<Schema> recorded;
  {
    ASSIGN_OR_RETURN(auto info, lake->GetDataset(raw_ds));
    if (info && !info->schema_json.empty()) {
      auto parsed = Schema::FromJson(info->schema_json, "schema of " + raw_ds.ToString() + " in the metastore");
      if (parsed.ok()) recorded = std::move(parsed).value();
    }
  }
  if (!s && recorded) {
    s = recorded;
    schema_recorded = true;
  }
  if (s) {
    schema = std::move(*s);
    const auto& c = source.config;
    if (!c.key.empty()) schema.key = c.key;
    if (!c.partition_field.empty()) schema.partition_field = c.partition_field;
    for (const auto& r : c.required) {
      const int i = schema.Find(r);
      if (i < 0) return Status::ConfigError(fmt::format("ingest.{}.required: field {} is not in the schema", c.name, r));
      schema.fields[i].required = true;
    }
    if (c.unknown_fields == "drop") schema.unknown = UnknownFieldPolicy::kDrop;
    if (!schema.key.empty() && schema.Find(schema.key) >= 0) schema.fields[schema.Find(schema.key)].required = true;
    if (!schema.partition_field.empty() && schema.Find(schema.partition_field) >= 0) {
      schema.fields[schema.Find(schema.partition_field)].required = true;
    }
    RETURN_NOT_OK(schema.Validate().WithContext("ingest." + c.name + " schema"));
    if (recorded && !schema_recorded) {
      RETURN_NOT_OK(CheckSchemaEvolution(*recorded, schema)
                        .WithContext(fmt::format("ingest.{}: {} for {}", c.name, given_where, raw_ds.ToString())));
    }
    have_schema = true;
  }
  return Status::OK();
}

Status SourceIngester::Impl::LoadIndex() {
  if (index || schema.key.empty()) return Status::OK();
  const size_t budget = static_cast<size_t>(std::max<int64_t>(options.dedup_memory_bytes, 16) / 16);
  index = std::make_unique<PartitionedDedupIndex>(
      [this](int64_t day, DedupIndex* into) -> Status {
        std::vector<std::string> files;
        if (day == PartitionedDedupIndex::kWhole) {
          ASSIGN_OR_RETURN(files, lake->CommittedPaths(raw_ds));
        } else {
          char date[11];
          FormatDate(day, date);
          ASSIGN_OR_RETURN(files, lake->CommittedPaths(raw_ds, {{kPartitionColumn, std::string(date, 10)}}));
        }
        // Spilled parts not committed yet hold keys too (this batch's, the
        // in-flight one's); WriteBatch holds the lock while it moves them.
        std::lock_guard<std::mutex> lock(pending_mu);
        for (const auto& [d, parts] : pending_parts) {
          if (day == PartitionedDedupIndex::kWhole || d == day) files.insert(files.end(), parts.begin(), parts.end());
        }
        if (files.empty()) return Status::OK();
        std::string list;
        for (const auto& f : files) list += (list.empty() ? "" : ", ") + QuoteLiteral(f);
        // The same key text as the parser makes (KeyText), from the typed column.
        const Field& key = schema.fields[schema.Find(schema.key)];
        // Streamed chunk by chunk: a partition may hold millions of keys.
        std::string scratch, bad;
        RETURN_NOT_OK(session->ForEachString(
            fmt::format("SELECT {} FROM read_parquet([{}]) WHERE {} IS NOT NULL",
                        KeyLakeSql(QuoteIdent(key.name), key.type), list, QuoteIdent(key.name)),
            [&](std::string_view stored) {
              const auto text = KeyTextFromLake(stored, key.type, &scratch);
              if (!text) {
                if (bad.empty()) bad = std::string(stored);
                return;
              }
              into->Insert(KeyFingerprint(*text));
            }));
        if (!bad.empty()) {
          return Status::Corruption(fmt::format("{}: key {} value '{}' in the committed files cannot be read as {}",
                                                raw_ds.ToString(), key.name, bad, FieldTypeName(key.type)));
        }
        return Status::OK();
      },
      budget);
  return Status::OK();
}

Status SourceIngester::Impl::InferSchema(const std::vector<LandingFile>& files) {
  SchemaInference inference;
  Schema empty;  // the parser needs a schema object; it is not used for Observe
  RecordParser p(&empty, {static_cast<size_t>(options.max_depth), static_cast<size_t>(options.max_record_bytes)});
  RecordReaderOptions ro;
  ro.format = format;
  ro.max_record_bytes = static_cast<size_t>(options.max_record_bytes);
  for (const auto& f : files) {
    auto fr = FileReader::Open(f.path);
    if (!fr.ok()) continue;
    RecordReader reader(std::move(fr).value(), ro, &buffer);
    RawRecord rec;
    bool header = format == Format::kCsv;
    while (inference.records() < 1000) {
      auto more = reader.Next(&rec);
      if (!more.ok() || !*more) break;
      if (header) {
        if (!p.SetCsvHeader(rec.text, source.config.csv_delimiter).ok()) break;
        header = false;
        continue;
      }
      if (rec.oversize) continue;
      if (format == Format::kCsv) {
        p.ObserveCsv(rec.text, source.config.csv_delimiter, &inference);
      } else {
        p.ObserveJson(rec.text, &inference);
      }
    }
    if (inference.records() >= 1000) break;
  }
  if (inference.records() == 0) return Status::OK();  // nothing to learn from yet
  const auto& c = source.config;
  schema = inference.Finish(c.required, c.key, c.partition_field,
                            c.unknown_fields == "drop" ? UnknownFieldPolicy::kDrop : UnknownFieldPolicy::kKeep);
  for (const auto& r : c.required) {
    if (schema.Find(r) < 0) {
      return Status::InvalidArgument(fmt::format(
          "ingest.{}: required field {} was not seen in the first records; declare a schema file", c.name, r));
    }
  }
  if (!c.key.empty() && schema.Find(c.key) < 0) {
    return Status::InvalidArgument(
        fmt::format("ingest.{}: key field {} was not seen in the first records; declare a schema file", c.name, c.key));
  }
  RETURN_NOT_OK(schema.Validate().WithContext("inferred schema of ingest." + c.name));
  Log(fmt::format("{}: schema inferred from {} records: {}", raw_ds.ToString(), inference.records(), schema.ToJson()));
  have_schema = true;
  return Status::OK();
}

Status SourceIngester::Impl::PrepareStaging() {
  if (quarantine) RETURN_NOT_OK(quarantine->Close());
  quarantine.reset();
  data_columns.clear();
  for (const auto& f : schema.fields) {
    data_columns.push_back({f.name, StagingType(f.type)});
    // Text fields other than the dedup key (an identifier) mostly repeat a
    // few values (event types, devices, versions): kept as dictionary indexes
    // (see engine::RowStream), which close by themselves on free text.
    data_columns.back().dictionary = f.type == FieldType::kString && f.name != schema.key;
  }
  if (schema.unknown == UnknownFieldPolicy::kKeep) data_columns.push_back({kExtraColumn, ColumnType::kVarchar});
  // The file as an ENUM of the batch's files (IngestBatch sets the values):
  // each row holds its file's index, not the path, and Parquet gets the
  // path as text, its dictionary taken from the ENUM instead of hashing every
  // row's path.
  data_columns.push_back({kSourceFileColumn, ColumnType::kEnum});
  data_columns.push_back({kSourceLineColumn, ColumnType::kBigInt});
  data_columns.push_back({kPartitionColumn, ColumnType::kDate});
  // Two tables alternate: the previous batch's may still be waiting for its commit.
  quarantine_table = (inflight && inflight->quarantine_table == "stage_quarantine_0") ? "stage_quarantine_1"
                                                                                     : "stage_quarantine_0";
  RETURN_NOT_OK(ResetQuarantineTable());
  quarantine_parts.clear();
  spills = 0;
  rows_since_spill = 0;
  if (!parse_pool) {
    // Default: the hardware threads, at most kDefaultMaxParseThreads (each
    // worker's parser may briefly hold ~10x a record of max_record_bytes).
    constexpr unsigned kDefaultMaxParseThreads = 8;
    const int threads =
        options.parse_threads > 0
            ? options.parse_threads
            : static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, kDefaultMaxParseThreads));
    parse_pool = std::make_unique<ParsePool>(
        &schema, RecordParserOptions{static_cast<size_t>(options.max_depth), static_cast<size_t>(options.max_record_bytes)},
        threads);
  }
  quarantine_reasons.clear();
  return Status::OK();
}

// An empty quarantine table (and its appender) for this batch's rows.
Status SourceIngester::Impl::ResetQuarantineTable() {
  if (quarantine) RETURN_NOT_OK(quarantine->Close());
  quarantine.reset();
  static const std::vector<ColumnSpec> q = {
      {"_source_file", ColumnType::kVarchar}, {"_source_line", ColumnType::kBigInt}, {"_byte_offset", ColumnType::kBigInt},
      {"reason", ColumnType::kVarchar},       {"detail", ColumnType::kVarchar},      {"raw", ColumnType::kVarchar},
      {"raw_bytes", ColumnType::kBigInt}};
  RETURN_NOT_OK(session->Execute("DROP TABLE IF EXISTS " + quarantine_table));
  RETURN_NOT_OK(session->Execute(engine::CreateTableSql(quarantine_table, q)));
  ASSIGN_OR_RETURN(quarantine, engine::Appender::Open(session.get(), quarantine_table, q));
  quarantine_bytes = 0;
  return Status::OK();
}

// The quarantine rows so far go to a Parquet part in the scratch folder
// (moved into the lake batch at commit); the table starts empty again.
Status SourceIngester::Impl::SpillQuarantine() {
  RETURN_NOT_OK(quarantine->Flush());
  QuarantinePart part;
  ASSIGN_OR_RETURN(auto sources, session->Query(QuarantineSourcesSql(quarantine_table)));
  for (auto& r : sources.rows) {
    part.rows += std::stoll(r[3]);
    part.sources.push_back(std::move(r));
  }
  const fs::path dir = fs::path(out_dir) / "quarantine";
  std::error_code ec;
  fs::create_directories(dir, ec);
  part.path = (dir / fmt::format("part_{}.parquet", quarantine_parts.size())).string();
  RETURN_NOT_OK(session->Execute(
      fmt::format("COPY {} TO {} (FORMAT parquet)", quarantine_table, QuoteLiteral(part.path))));
  quarantine_parts.push_back(std::move(part));
  spills++;
  return ResetQuarantineTable();
}

Status SourceIngester::Impl::AppendQuarantine(const std::string& file, int64_t line, int64_t offset, Reason reason,
                                              const std::string& detail, std::string_view raw, int64_t raw_bytes) {
  SanitizeRaw(raw, &raw_scratch);
  quarantine->SetString(0, file);
  quarantine->SetInt64(1, line);
  quarantine->SetInt64(2, offset);
  quarantine->SetString(3, ReasonName(reason));
  quarantine->SetString(4, detail);
  quarantine->SetString(5, raw_scratch);
  quarantine->SetInt64(6, raw_bytes);
  quarantine_reasons[ReasonName(reason)]++;
  RETURN_NOT_OK(quarantine->EndRow());
  quarantine_bytes += static_cast<int64_t>(raw_scratch.size() + detail.size() + file.size()) + 64;
  if (quarantine_bytes >= options.batch_memory_bytes / 4) RETURN_NOT_OK(SpillQuarantine());
  return Status::OK();
}

Status SourceIngester::Impl::IngestFile(const LandingFile& file, int64_t file_idx, FileReport* report, RowSink* sink) {
  // A file that failed in an earlier attempt of this batch is not read again.
  const auto failed = failed_files.find(file.path);
  std::string whole_file_error = failed != failed_files.end() ? failed->second : ProbeFile(file.path, format);
  // A whole-file error undoes this file's dedup inserts (file_inserted), or,
  // when rows of the file went into a COPY or a spill, restarts the batch
  // (which reloads the index from the lake).
  const int spills_at_start = spills;
  file_inserted.clear();
  std::map<int64_t, Prov> file_prov;
  int64_t last_day = INT64_MIN;
  Prov* last_prov = nullptr;
  const int64_t today = TodayDays();
  const int pidx = schema.partition_field.empty() ? -1 : schema.Find(schema.partition_field);
  const size_t nfields = schema.fields.size();
  const bool keep_extra = schema.unknown == UnknownFieldPolicy::kKeep;
  const size_t c_extra = nfields, c_file = nfields + (keep_extra ? 1 : 0), c_line = c_file + 1, c_date = c_file + 2;
  // One record, parsed by the pool, in file order: dedup, rows, quarantine.
  auto take = [&](const RecordChunk& chunk, size_t i) -> Status {
    const RecordChunk::Record& rec = chunk.record(i);
    const ParsedRecord& parsed = chunk.result(i);
    report->records++;
    if (++prog.records % 100000 == 0) ReportProgress();
    if (!parsed.ok) {
      RETURN_NOT_OK(AppendQuarantine(file.path, rec.line, rec.offset, parsed.error.reason, parsed.error.detail,
                                     chunk.text(i), rec.size));
      report->quarantined++;
      return Status::OK();
    }
    const int64_t day = parsed.day;
    if (parsed.fingerprint != 0 && index) {
      const uint64_t fp = parsed.fingerprint;
      const int64_t part = pidx >= 0 ? day : PartitionedDedupIndex::kWhole;
      ASSIGN_OR_RETURN(bool fresh, index->Insert(part, fp));
      if (!fresh) {
        report->duplicates++;
        return Status::OK();
      }
      file_inserted.emplace_back(part, fp);
    }
    RowBlock* data = sink->block(day);
    const Value* values = chunk.values(i);
    for (size_t c = 0; c < nfields; c++) {
      const Value& v = values[c];
      switch (v.kind) {
        case Value::kNull: data->SetNull(c); break;
        case Value::kInt: data->SetInt64(c, v.i); break;
        case Value::kDouble: data->SetDouble(c, v.d); break;
        case Value::kBool: data->SetBool(c, v.i != 0); break;
        case Value::kText: data->SetString(c, v.s); break;
      }
    }
    if (keep_extra) {
      if (parsed.extra.empty()) {
        data->SetNull(c_extra);
      } else {
        data->SetString(c_extra, parsed.extra);
      }
    }
    data->SetInt64(c_file, file_idx);
    data->SetInt64(c_line, rec.line);
    data->SetInt64(c_date, day);
    data->EndRow();
    sink->RowDone(day);
    if (day != last_day || last_prov == nullptr) {
      last_day = day;
      last_prov = &file_prov[day];
      if (last_prov->rows == 0) last_prov->first_line = rec.line;
    }
    last_prov->last_line = rec.line;
    last_prov->rows++;
    report->committed++;
    // Rows over their budget, or dedup keys over theirs (a reloaded day
    // brings all its committed keys): the rows so far go to Parquet parts.
    // (Keys: only after a block's worth of rows since the last spill, so a
    // day larger than the whole budget cannot make every row spill.)
    const bool keys_over = index && ++rows_since_spill >= static_cast<int64_t>(engine::RowBlock::kRows) && index->over_budget();
    if (sink->over_budget() || keys_over) {
      const int spilled = sink->part();
      for (const auto& [d, p] : file_prov) prov[{d, spilled}][file.path] = p;
      file_prov.clear();
      last_prov = nullptr;
      RETURN_NOT_OK(sink->Spill());
      spills++;
      rows_since_spill = 0;
      // Its keys are now readable from the parts: a new dedup epoch, and
      // partitions only the closed ones touched may be evicted.
      {
        std::lock_guard<std::mutex> lock(pending_mu);
        for (const auto& [day_part, unused] : prov) {
          if (day_part.second != spilled) continue;
          pending_parts[day_part.first].push_back(PartFile(out_dir, day_part.first, spilled).string());
        }
      }
      file_inserted.clear();
      if (index) {
        producing_epoch = ++epoch;
        index->SetEpoch(epoch);
        // Too many keys: the batch in flight commits now, so that no epoch
        // but the (empty) new one stays open and the index shrinks to its budget.
        if (keys_over) RETURN_NOT_OK(FinishInFlight(&finished_early));
        index->Trim(OpenEpochs());
      }
    }
    return Status::OK();
  };
  if (whole_file_error.empty()) {
    RecordReaderOptions ro;
    ro.format = format;
    ro.max_record_bytes = static_cast<size_t>(options.max_record_bytes);
    ASSIGN_OR_RETURN(auto fr, FileReader::Open(file.path));
    RecordReader reader(std::move(fr), ro, &buffer);
    ChunkContext context;
    context.format = format;
    context.csv_delimiter = source.config.csv_delimiter;
    context.max_record_bytes = static_cast<size_t>(options.max_record_bytes);
    context.partition_index = pidx;
    context.today = today;
    // Whatever happens, no chunk of this file stays in the pool.
    struct DiscardOnExit {
      ParsePool* pool;
      ~DiscardOnExit() {
        pool->Cancel();
        pool->Discard();
      }
    } discard{parse_pool.get()};
    // A parsed chunk's records, in order.
    auto take_chunk = [&](RecordChunk* chunk) -> Status {
      Status st = Status::OK();
      // The dedup probes miss the cache (random slots of a large table):
      // ask for the slots a few records ahead while taking this one.
      constexpr size_t kAhead = 8;
      for (size_t i = 0; i < chunk->size() && st.ok(); i++) {
        if (index && i + kAhead < chunk->size()) {
          const ParsedRecord& ahead = chunk->result(i + kAhead);
          if (ahead.ok && ahead.fingerprint != 0) {
            index->Prefetch(pidx >= 0 ? ahead.day : PartitionedDedupIndex::kWhole, ahead.fingerprint);
          }
        }
        st = take(*chunk, i);
      }
      parse_pool->Recycle(chunk);
      return st;
    };
    // Splits the file into records and hands them to the workers in chunks.
    // `take_here`: this thread also takes the chunks back (one parsing
    // thread); else the records are read on a thread of their own while
    // this one takes the chunks (reading is part of the critical path).
    std::string read_error;
    auto read_records = [&](bool take_here) -> Status {
      RawRecord rec;
      RecordChunk* filling = nullptr;
      bool header = format == Format::kCsv;
      while (true) {
        auto more = reader.Next(&rec);
        if (!more.ok()) {
          read_error = more.status().message();
          break;
        }
        if (!*more) break;
        if (header) {
          header = false;
          auto st = parse_pool->SetCsvHeader(rec.text, source.config.csv_delimiter);
          if (!st.ok()) {
            read_error = fmt::format("{}:{}: {}", file.path, rec.line, st.message());
            break;
          }
          continue;
        }
        if (filling == nullptr) {
          filling = parse_pool->NewChunk();
          if (filling == nullptr) return Status::OK();  // cancelled: the taker failed
        }
        filling->Add(rec);
        if (!filling->full()) continue;
        parse_pool->Submit(filling, context);
        filling = nullptr;
        if (!take_here) continue;
        while (parse_pool->in_flight() >= parse_pool->max_in_flight()) RETURN_NOT_OK(take_chunk(parse_pool->Next()));
      }
      // The records before an unreadable part count as they did before it
      // was found (a restart or an undo follows).
      if (filling != nullptr) parse_pool->Submit(filling, context);
      parse_pool->Finish();
      return Status::OK();
    };
    parse_pool->Begin();
    if (parse_pool->threads() <= 1) {
      RETURN_NOT_OK(read_records(true));
      while (RecordChunk* chunk = parse_pool->Next()) RETURN_NOT_OK(take_chunk(chunk));
    } else {
      std::thread reading([&] { (void)read_records(false); });
      Status taken = Status::OK();
      while (RecordChunk* chunk = parse_pool->Next()) {
        taken = take_chunk(chunk);
        if (!taken.ok()) {
          parse_pool->Cancel();
          break;
        }
      }
      reading.join();
      RETURN_NOT_OK(taken);
    }
    whole_file_error = read_error;
  }
  if (!whole_file_error.empty()) {
    if (report->committed > 0 || spills != spills_at_start) {
      // Rows of this file are already in the COPY (or spilled to parts with
      // its quarantine rows): start the batch again with the file marked
      // failed (deterministic: same result as if the error had been known
      // up front).
      failed_files[file.path] = whole_file_error;
      restart = true;
      return Status::Cancelled("restart the batch: " + whole_file_error);
    }
    // No spill during this file: file_inserted is all it added.
    if (index) {
      for (const auto& [part, fp] : file_inserted) index->Erase(part, fp);
    }
    file_inserted.clear();
    // Drop this file's quarantine rows, then quarantine the file as one record.
    if (report->quarantined > 0) {
      RETURN_NOT_OK(quarantine->Flush());
      const std::string lit = QuoteLiteral(file.path);
      ASSIGN_OR_RETURN(auto reasons,
                       session->Query(fmt::format("SELECT reason, count(*) FROM {} WHERE _source_file = "
                                                  "{} GROUP BY reason", quarantine_table, lit)));
      for (const auto& r : reasons.rows) quarantine_reasons[r[0]] -= std::stoll(r[1]);
      RETURN_NOT_OK(session->Execute(fmt::format("DELETE FROM {} WHERE _source_file = {}", quarantine_table, lit)));
    }
    report->records = 1;
    report->committed = 0;
    report->duplicates = 0;
    report->quarantined = 1;
    report->error = whole_file_error;
    RETURN_NOT_OK(AppendQuarantine(file.path, 0, 0, Reason::kUnreadableFile,
                                   fmt::format("{}; the whole file is kept as {}/{}", whole_file_error,
                                               quarantine_ds.ToString(), KeptFilePath(report->checksum, file.path)),
                                   "", file.size));
    return Status::OK();
  }
  for (const auto& [day, p] : file_prov) prov[{day, sink->part()}][file.path] = p;
  return Status::OK();
}

std::string SourceIngester::Impl::CopySql(const std::string& dir_root, int64_t day, int part, size_t rows) const {
  std::string select;
  for (const auto& f : schema.fields) {
    if (!select.empty()) select += ", ";
    const std::string col = QuoteIdent(f.name);
    if (f.type == FieldType::kJson) {
      // Nested values are canonical JSON for their type (the parser made
      // them so, see nested_type.h), so a strict CAST cannot fail or drop.
      auto nested = f.nested_type.empty() ? Result<NestedType>(NestedType{}) : NestedType::Parse(f.nested_type);
      select += nested.ok() && nested->nested()
                    ? fmt::format("CAST(CAST({} AS JSON) AS {}) AS {}", col, nested->ToSql(), col)
                    : fmt::format("CAST({} AS JSON) AS {}", col, col);
    } else {
      select += col;
    }
  }
  if (schema.unknown == UnknownFieldPolicy::kKeep) select += fmt::format(", CAST({0} AS JSON) AS {0}", kExtraColumn);
  select += fmt::format(", {}, {}", kSourceFileColumn, kSourceLineColumn);
  const fs::path file = PartFile(dir_root, day, part);  // IngestBatch made the folder
  return fmt::format("COPY (SELECT {} FROM custlake_rows({})) TO {} (FORMAT parquet, DICTIONARY_SIZE_LIMIT {})", select,
                     day, QuoteLiteral(file.string()), DictionarySizeLimit(rows));
}

// Scratch folders of this dataset left by processes that no longer run.
void SourceIngester::Impl::RemoveDeadScratch() const {
  const std::string name = ScratchName();
  const fs::path root = ScratchRoot();
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string f = it->path().filename().string();
    if (f.size() <= name.size() + 1 || f.compare(0, name.size() + 1, name + "-") != 0) continue;
    // "<name>-<pid>-<seq>": anything else belongs to another dataset.
    const std::string rest = f.substr(name.size() + 1);
    char* end_pid = nullptr;
    const long pid = std::strtol(rest.c_str(), &end_pid, 10);
    if (rest.empty() || rest[0] < '0' || rest[0] > '9' || *end_pid != '-' ||
        rest.find_first_not_of("0123456789", static_cast<size_t>(end_pid - rest.c_str()) + 1) != std::string::npos) {
      continue;
    }
    if (pid > 0 && pid != static_cast<long>(::getpid()) && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
  }
}

// Where a batch's COPY writes before the batch begins: under the lake root
// (same file system, so files move into the batch by rename) in the
// unmanaged archive zone, named by process; leftovers of a killed process
// are removed by the next ingester of the dataset (see Init).
std::string SourceIngester::Impl::ScratchDir() {
  return (ScratchRoot() / fmt::format("{}-{}-{}", ScratchName(), static_cast<long>(::getpid()), copy_seq++))
      .string();
}

fs::path SourceIngester::Impl::ScratchRoot() const {
  return fs::path(lake->layout().ArchiveDir()) / ".ingest-tmp";
}

std::string SourceIngester::Impl::ScratchName() const {
  std::string name = source.config.dataset;
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

// Runs on the batch's own thread (with its own engine session `db_session`)
// while the next batch is parsed: nothing here touches the parser's state.
Status SourceIngester::Impl::WriteBatch(InFlight& f, int64_t* batch_id, engine::Session* db_session) {
  std::vector<FileReport>* reports = &f.reports;
  const std::string& out_dir = f.out_dir;
  // The dedup loader may read this batch's spilled parts: not while they
  // move. Whatever happens, they are no longer pending afterwards (in the
  // lake, or gone with a failed batch).
  std::lock_guard<std::mutex> pending_lock(pending_mu);
  struct DropOnExit {
    Impl* impl;
    const std::string& dir;
    ~DropOnExit() { impl->DropPending(dir); }
  } drop_pending{this, out_dir};
  const auto t_write0 = std::chrono::steady_clock::now();
  lake::BatchOptions bo;
  bo.run_id = options.run_id;
  bo.lineage.source = source.config.path;
  bo.lineage.extra["verb"] = "ingest";
  bo.lineage.extra["format"] = FormatName(format);
  nlohmann::json files = nlohmann::json::array();
  int64_t in = 0, committed = 0, quarantined = 0, duplicates = 0;
  for (const auto& r : *reports) {
    files.push_back(r.ToJson());
    in += r.records;
    committed += r.committed;
    quarantined += r.quarantined;
    duplicates += r.duplicates;
  }
  bo.lineage.extra["ingest_files"] = files.dump();
  bo.lineage.extra["ingest_totals"] = nlohmann::json({{"records", in},
                                                      {"committed", committed},
                                                      {"quarantined", quarantined},
                                                      {"duplicates", duplicates}})
                                          .dump();
  ASSIGN_OR_RETURN(auto batch, lake->BeginBatch(raw_ds, bo));
  *batch_id = batch.id();
  std::map<std::string, std::string> checksum_of;
  for (const auto& r : *reports) checksum_of[r.path] = r.checksum;

  // Raw rows: the COPYs (spills while parsing, the rest on this thread)
  // wrote event_date=<date>_part<part>.parquet under out_dir; each moves to
  // the part path the batch hands out, with the files and lines it holds.
  auto sources_json = [&](const std::map<std::string, Prov>& files_of_part, int64_t* rows) {
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& [path, p] : files_of_part) {
      sources.push_back({{"file", path},
                         {"checksum", checksum_of[path]},
                         {"first_line", p.first_line},
                         {"last_line", p.last_line},
                         {"rows", p.rows}});
      *rows += p.rows;
    }
    return sources;
  };
  auto add_part = [&](const std::string& produced, const lake::DatasetId& ds, const lake::Partition& partition,
                      int64_t rows, const nlohmann::json& sources) -> Status {
    ASSIGN_OR_RETURN(auto part, batch.NewPart(ds, partition));
    std::error_code ec;
    fs::rename(produced, part.staging_path, ec);
    if (ec) return Status::IOError(fmt::format("cannot move {} to {}: {}", produced, part.staging_path, ec.message()));
    lake::FileSpec spec;
    ASSIGN_OR_RETURN(spec.checksum, lake::Sha256File(part.staging_path));
    spec.path = part.path;
    spec.dataset = ds;
    spec.row_count = rows;
    spec.provenance_json = nlohmann::json({{"sources", sources}}).dump();
    return batch.AddFile(std::move(spec));
  };
  for (const auto& [day_part, files_of_part] : f.prov) {
    char date[11];
    FormatDate(day_part.first, date);
    const std::string produced = PartFile(out_dir, day_part.first, day_part.second).string();
    if (!fs::exists(produced)) return Status::Internal(fmt::format("COPY produced no file {}", produced));
    int64_t rows = 0;
    const nlohmann::json sources = sources_json(files_of_part, &rows);
    RETURN_NOT_OK(add_part(produced, raw_ds, {{kPartitionColumn, std::string(date, 10)}}, rows, sources));
  }
  if (quarantined > 0) {
    // Parts spilled while parsing, then the rows still in the table.
    auto quarantine_sources = [&](const std::vector<std::vector<std::string>>& rows_of) {
      nlohmann::json sources = nlohmann::json::array();
      for (const auto& r : rows_of) {
        sources.push_back({{"file", r[0]},
                           {"checksum", checksum_of[r[0]]},
                           {"first_line", std::stoll(r[1])},
                           {"last_line", std::stoll(r[2])},
                           {"rows", std::stoll(r[3])}});
      }
      return sources;
    };
    int64_t in_parts = 0;
    for (const auto& qp : f.quarantine_parts) {
      RETURN_NOT_OK(add_part(qp.path, quarantine_ds, {}, qp.rows, quarantine_sources(qp.sources)));
      in_parts += qp.rows;
    }
    if (quarantined > in_parts) {
      std::error_code ec;
      fs::create_directories(out_dir, ec);
      const std::string last = (fs::path(out_dir) / "quarantine_last.parquet").string();
      RETURN_NOT_OK(db_session->Execute(
          fmt::format("COPY {} TO {} (FORMAT parquet)", f.quarantine_table, QuoteLiteral(last))));
      ASSIGN_OR_RETURN(auto prov, db_session->Query(QuarantineSourcesSql(f.quarantine_table)));
      RETURN_NOT_OK(add_part(last, quarantine_ds, {}, quarantined - in_parts, quarantine_sources(prov.rows)));
    }
    for (const auto& [reason, count] : f.quarantine_reasons) {
      if (count > 0) RETURN_NOT_OK(batch.AddQuarantined(count, reason, quarantine_ds));
    }
  }
  {
    std::error_code ec;
    fs::remove_all(out_dir, ec);
  }
  // Files quarantined whole (unreadable) are kept byte for byte in the
  // same batch, before the after-action may delete or archive them.
  for (const auto& r : *reports) {
    if (r.error.empty()) continue;
    const std::string rel = KeptFilePath(r.checksum, r.path);
    ASSIGN_OR_RETURN(std::string staging, batch.StagingPath(quarantine_ds, rel));
    std::error_code ec;
    fs::copy_file(r.path, staging, fs::copy_options::overwrite_existing, ec);
    if (ec) return Status::IOError(fmt::format("cannot keep {} in quarantine: {}", r.path, ec.message()));
    lake::FileSpec spec;
    spec.path = rel;
    spec.dataset = quarantine_ds;
    ASSIGN_OR_RETURN(spec.checksum, lake::Sha256File(staging));
    spec.row_count = 0;
    spec.provenance_json = nlohmann::json({{"sources", {{{"file", r.path}, {"checksum", r.checksum}}}},
                                           {"reason", ReasonName(Reason::kUnreadableFile)},
                                           {"error", r.error}})
                               .dump();
    RETURN_NOT_OK(batch.AddFile(std::move(spec)));
  }
  if (!schema_recorded) RETURN_NOT_OK(batch.SetSchema(schema.ToJson()));
  for (const auto& r : *reports) {
    RETURN_NOT_OK(batch.RecordIngestedFile(r.checksum, r.path, r.bytes).WithContext(r.path));
  }
  const auto tc = std::chrono::steady_clock::now();
  f.t_move = std::chrono::duration<double>(tc - t_write0).count();
  RETURN_NOT_OK(batch.Commit());
  f.t_commit = std::chrono::duration<double>(std::chrono::steady_clock::now() - tc).count();
  schema_recorded = true;
  for (auto& r : *reports) r.batch_id = *batch_id;
  return Status::OK();
}

void SourceIngester::Impl::AfterIngest(const std::string& path, const std::string& checksum) {
  std::error_code ec;
  switch (source.config.after) {
    case AfterIngest::kKeep: return;
    case AfterIngest::kDelete:
      fs::remove(path, ec);
      return;
    case AfterIngest::kArchive: {
      const fs::path dir = fs::path(lake->layout().ArchiveDir()) / source.config.dataset;
      fs::create_directories(dir, ec);
      fs::path target = dir / fs::path(path).filename();
      if (fs::exists(target, ec)) target += "." + (checksum.rfind("empty:", 0) == 0 ? "empty" : checksum.substr(0, 12));
      fs::rename(path, target, ec);
      if (ec) Log(fmt::format("warning: cannot archive {}: {}", path, ec.message()));
      return;
    }
  }
}

// Parses one batch (its COPYs then run on another thread) and commits the
// batch before it, whose COPYs ran meanwhile. Returns what was committed.
Result<IngestStats> SourceIngester::Impl::IngestBatch(const std::vector<std::pair<LandingFile, std::string>>& files) {
  IngestStats done;
  const auto t0 = std::chrono::steady_clock::now();
  if (!have_schema) {
    // Inference needs a committed schema state: finish the batch in flight first.
    RETURN_NOT_OK(FinishInFlight(&done));
    std::vector<LandingFile> lf;
    for (const auto& f : files) lf.push_back(f.first);
    RETURN_NOT_OK(InferSchema(lf));
    if (!have_schema) {
      // Only empty or unreadable files so far: a minimal schema keeps the
      // whole-file accounting going; inference waits for real records.
      Log(fmt::format("{}: no records to infer a schema from yet", raw_ds.ToString()));
    }
  }
  const bool placeholder_schema = !have_schema;
  if (placeholder_schema) {
    // Record the files as ingested with their (zero-record or whole-file) outcome.
    schema = Schema{};
    schema.fields.push_back({"_record", FieldType::kJson, false, ""});
  }
  RETURN_NOT_OK(LoadIndex());
  if (!stream) {
    if (spare_stream) {
      stream = std::move(spare_stream);
    } else {
      // By default one DuckDB thread per COPY, and the partitions' COPYs
      // side by side on every core (row_stream.h).
      ASSIGN_OR_RETURN(stream, RowStream::Open(options.duckdb_memory_limit,
                                               options.duckdb_threads > 0 ? options.duckdb_threads : 1, 0));
    }
  }
  std::vector<FileReport> reports;
  // The _source_file ENUM: each distinct path once (a file rewritten
  // between two checksums can be listed twice), by index.
  std::vector<std::string> paths;
  std::map<std::string, int64_t> path_index;
  for (const auto& f : files) {
    if (path_index.emplace(f.first.path, static_cast<int64_t>(paths.size())).second) paths.push_back(f.first.path);
  }
  failed_files.clear();
  // A failed attempt's keys are forgotten by reloading the index from the
  // lake, once the in-flight batch (whose keys are not all there) committed.
  auto drop_attempt = [&]() -> Status {
    {
      std::lock_guard<std::mutex> lock(pending_mu);
      DropPending(out_dir);
    }
    std::error_code ec;
    fs::remove_all(out_dir, ec);  // parts this attempt spilled
    file_inserted.clear();
    producing_epoch = -1;
    Status previous = FinishInFlight(&done);
    if (index) index->Clear();
    return previous;
  };
  const IngestProgress prog_at_start = prog;
  while (true) {
    prog = prog_at_start;  // an attempt that restarts counts again
    RETURN_NOT_OK(PrepareStaging());
    for (auto& c : data_columns) {
      if (c.type == ColumnType::kEnum) c.enum_values = paths;
    }
    reports.clear();
    prov.clear();
    file_inserted.clear();
    restart = false;
    out_dir = ScratchDir();
    {
      std::error_code ec;
      fs::create_directories(out_dir, ec);  // an error shows as the first COPY's
    }
    producing_epoch = ++epoch;
    if (index) index->SetEpoch(epoch);
    auto spill_sql = [this, dir = out_dir](int64_t day, int part, size_t rows) { return CopySql(dir, day, part, rows); };
    Status st = stream->Produce(data_columns, [&](RowSink* sink) -> Status {
      for (const auto& [file, checksum] : files) {
        FileReport r;
        r.path = file.path;
        r.checksum = checksum;
        r.bytes = file.size;
        RETURN_NOT_OK(IngestFile(file, path_index.at(file.path), &r, sink));
        reports.push_back(std::move(r));
        prog.files_done++;
        prog.bytes_done += file.size;
        ReportProgress();
        RETURN_NOT_OK(lake::CheckFailPoint(options.step_hook, "ingest.parsed_file:" + file.name));
      }
      return Status::OK();
    }, spill_sql, static_cast<size_t>(options.batch_memory_bytes));
    if (st.ok()) break;
    // The previous batch is good: it commits anyway.
    Status previous = drop_attempt();
    if (!restart) return st;
    RETURN_NOT_OK(previous);
  }
  t_parse += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // The previous batch: wait for its COPYs, commit it.
  if (Status st = FinishInFlight(&done); !st.ok()) {
    // This batch's dedup decisions assumed the previous one commits: drop
    // them all; the index reloads from the lake.
    (void)drop_attempt();
    return st;
  }
  // This batch's COPYs start now, on their own thread.
  auto f = std::make_unique<InFlight>();
  f->final_epoch = producing_epoch;
  f->spills = spills;
  producing_epoch = -1;
  f->reports = std::move(reports);
  f->out_dir = out_dir;
  f->placeholder = placeholder_schema;
  for (const auto& [file, checksum] : files) {
    f->sums.insert(checksum);
    f->landing.push_back(file);
  }
  SwapBatchState(f.get());  // moves the stream, quarantine table and provenance into f
  file_inserted.clear();
  // The quarantine rows are read by the writer's own connection: close the appender here.
  if (f->quarantine) RETURN_NOT_OK(f->quarantine->Close());
  f->quarantine.reset();
  if (!writer_session) {
    ASSIGN_OR_RETURN(writer_session, db->Connect());
  }
  if (f->placeholder) schema_recorded = true;  // never record the placeholder
  InFlight* fp = f.get();
  f->copier = std::thread([this, fp] {
    fp->copied =
        fp->stream->Copy([&](int64_t day, int part, size_t rows) { return CopySql(fp->out_dir, day, part, rows); });
    if (fp->copied.ok()) fp->copied = WriteBatch(*fp, &fp->batch_id, writer_session.get());
  });
  inflight = std::move(f);
  if (placeholder_schema) {
    // The placeholder must be committed before a real schema can be inferred.
    RETURN_NOT_OK(FinishInFlight(&done));
  }
  done.Add(finished_early);
  finished_early = IngestStats{};
  return done;
}

std::vector<int64_t> SourceIngester::Impl::OpenEpochs() const {
  std::vector<int64_t> open;
  if (producing_epoch >= 0) open.push_back(producing_epoch);
  if (inflight) open.push_back(inflight->final_epoch);
  return open;
}

void SourceIngester::Impl::DropPending(const std::string& dir) {
  const std::string prefix = dir + "/";
  for (auto it = pending_parts.begin(); it != pending_parts.end();) {
    std::erase_if(it->second, [&](const std::string& p) { return p.compare(0, prefix.size(), prefix) == 0; });
    it = it->second.empty() ? pending_parts.erase(it) : std::next(it);
  }
}

// Swaps the per-batch members with `f`'s: the producer's fresh state one
// way, the committed-to-be batch's state the other.
void SourceIngester::Impl::SwapBatchState(InFlight* f) {
  std::swap(stream, f->stream);
  std::swap(quarantine, f->quarantine);
  std::swap(quarantine_table, f->quarantine_table);
  std::swap(quarantine_reasons, f->quarantine_reasons);
  std::swap(prov, f->prov);
  std::swap(quarantine_parts, f->quarantine_parts);
}

Status SourceIngester::Impl::FinishInFlight(IngestStats* stats) {
  if (!inflight) return Status::OK();
  std::unique_ptr<InFlight> f = std::move(inflight);
  const auto tw = std::chrono::steady_clock::now();
  f->copier.join();
  t_copy_wait += std::chrono::duration<double>(std::chrono::steady_clock::now() - tw).count();
  const int64_t batch_id = f->batch_id;
  t_copy += f->t_move;
  t_commit += f->t_commit;
  Status st = f->copied;
  spare_stream = std::move(f->stream);
  if (!st.ok()) {
    {
      std::lock_guard<std::mutex> lock(pending_mu);
      DropPending(f->out_dir);
    }
    std::error_code ec;
    fs::remove_all(f->out_dir, ec);
    if (index) index->Clear();  // uncommitted keys: reload from the lake
    return st;
  }
  if (index) index->Trim(OpenEpochs());
  if (f->placeholder) {
    schema_recorded = false;
    schema = Schema{};
    parse_pool.reset();
    if (index) index.reset();
  }
  for (const auto& lf : f->landing) {
    const auto it = std::find_if(f->reports.begin(), f->reports.end(), [&](const FileReport& r) { return r.path == lf.path; });
    if (it != f->reports.end()) RememberFile(lf, it->checksum);
  }
  IngestStats s;
  for (const auto& r : f->reports) {
    AfterIngest(r.path, r.checksum);
    s.files++;
    s.records += r.records;
    s.committed += r.committed;
    s.quarantined += r.quarantined;
    s.duplicates += r.duplicates;
    s.bytes += r.bytes;
  }
  s.batches = 1;
  s.file_reports = std::move(f->reports);
  Log(fmt::format("{}: batch {}: {} files, {} records: {} committed, {} quarantined, {} duplicates; "
                  "row blocks {:.0f} MB, {} spills, dedup {} keys "
                  "(so far: checksum {:.2f}s, parse {:.2f}s, wait for COPY {:.2f}s, move {:.2f}s, commit {:.2f}s)",
                  raw_ds.ToString(), batch_id, s.files, s.records, s.committed, s.quarantined, s.duplicates,
                  static_cast<double>(spare_stream ? spare_stream->pool_bytes() : 0) / 1e6, f->spills,
                  index ? index->keys() : 0, t_checksum, t_parse, t_copy_wait, t_copy, t_commit));
  stats->Add(s);
  return Status::OK();
}

namespace {

// What ingested_files records for a file (per dataset): its content's
// hash; for an empty file, which every empty file shares and which holds
// nothing to ingest, its name, so each empty file is reported (and handled)
// once instead of as a copy of the first one.
Result<std::string> FileIdentity(const LandingFile& file, lake::ContentHash hash) {
  int64_t bytes = 0;
  ASSIGN_OR_RETURN(std::string sum, lake::HashFile(file.path, hash, &bytes));
  return bytes == 0 ? "empty:" + file.name : sum;
}

// Checksums the listed files on a helper thread, a few files ahead of the
// one being consumed, so hashing overlaps parsing. (Files whose identity
// is already known are not given to it: no hand-off per file.)
class ChecksumAhead {
 public:
  ChecksumAhead(std::vector<LandingFile> files, lake::ContentHash hash, size_t ahead)
      : files_(std::move(files)), hash_(hash), ahead_(ahead) {
    sums_.resize(files_.size(), Status::Internal("not computed"));
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
  Result<std::string> Get(size_t i) {
    std::unique_lock<std::mutex> lock(mu_);
    consumed_ = i + 1;
    cv_.notify_all();
    cv_.wait(lock, [&] { return done_ > i; });
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
      Result<std::string> sum = FileIdentity(files_[i], hash_);
      std::lock_guard<std::mutex> lock(mu_);
      hashed_++;
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
  std::mutex mu_;
  std::condition_variable cv_;
  size_t consumed_ = 0, done_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

namespace {
// The file stat() sees now is the one whose identity was kept: size, inode,
// mtime and ctime all equal (the quick check rsync and git make; ctime
// cannot be set back by a user, so new content under a restored mtime differs).
bool Unchanged(const lake::LandingIdentity& kept, const LandingFile& now) {
  return now.mtime_ns != 0 && kept.byte_count == now.size && kept.inode == now.inode &&
         kept.mtime_ns == now.mtime_ns && kept.ctime_ns == now.ctime_ns;
}
}  // namespace

std::optional<std::string> SourceIngester::Impl::KnownIdentity(const LandingFile& f) {
  std::lock_guard<std::mutex> lock(known_mu);
  auto it = known.find(f.path);
  if (it == known.end() || !Unchanged(it->second, f)) return std::nullopt;
  return it->second.identity;
}

void SourceIngester::Impl::RememberFile(const LandingFile& f, const std::string& identity) {
  if (f.mtime_ns == 0 || f.RecentlyChanged()) return;
  std::lock_guard<std::mutex> lock(known_mu);
  auto it = known.find(f.path);
  if (it != known.end() && Unchanged(it->second, f) && it->second.identity == identity) return;  // nothing new
  known[f.path] = {f.path, f.size, f.mtime_ns, f.ctime_ns, f.inode, identity};
  known_added.insert(f.path);
  known_removed.erase(f.path);
}

void SourceIngester::Impl::ForgetFilesNotIn(const std::vector<LandingFile>& files) {
  std::set<std::string> present;
  for (const auto& f : files) present.insert(f.path);
  std::lock_guard<std::mutex> lock(known_mu);
  std::erase_if(known, [&](const auto& kv) {
    if (present.count(kv.first) != 0) return false;
    known_removed.insert(kv.first);
    known_added.erase(kv.first);
    return true;
  });
}

// The files of this source's folder whose identities an earlier run kept.
Status SourceIngester::Impl::LoadKnownFiles() {
  ASSIGN_OR_RETURN(auto rows, lake->ListLandingIdentities(raw_ds));
  // The folder as the scanner's paths spell it ("landing/usage/" too).
  const fs::path folder = (fs::absolute(source.config.path) / "f").lexically_normal().parent_path();
  std::lock_guard<std::mutex> lock(known_mu);
  for (lake::LandingIdentity& r : rows) {
    if (fs::path(r.path).parent_path() != folder) continue;  // another source of the dataset
    std::string path = r.path;
    known[path] = std::move(r);
  }
  return Status::OK();
}

Status SourceIngester::Impl::SaveKnownFiles() {
  std::vector<lake::LandingIdentity> upserts;
  std::vector<std::string> removed;
  {
    std::lock_guard<std::mutex> lock(known_mu);
    for (const std::string& path : known_added) {
      auto it = known.find(path);
      if (it != known.end()) upserts.push_back(it->second);
    }
    removed.assign(known_removed.begin(), known_removed.end());
    known_added.clear();
    known_removed.clear();
  }
  if (upserts.empty() && removed.empty()) return Status::OK();
  return lake->UpdateLandingIdentities(raw_ds, upserts, removed);
}

Result<IngestStats> SourceIngester::Impl::Run(std::vector<LandingFile> files) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::optional<std::string>> identities;
  std::vector<LandingFile> to_hash;
  for (const auto& f : files) {
    identities.push_back(KnownIdentity(f));
    if (!identities.back()) to_hash.push_back(f);
    prog.files_total++;
    prog.bytes_total += f.size;
  }
  ChecksumAhead checksums(std::move(to_hash), identity_hash, 2);
  size_t file_no = 0, hash_no = 0;
  IngestStats total;
  std::vector<std::pair<LandingFile, std::string>> pending;
  std::set<std::string> pending_sums;
  int64_t pending_bytes = 0;
  auto flush = [&]() -> Status {
    if (pending.empty()) return Status::OK();
    ASSIGN_OR_RETURN(auto s, IngestBatch(pending));
    total.Add(s);
    pending.clear();
    pending_sums.clear();
    pending_bytes = 0;
    return Status::OK();
  };
  for (const auto& f : files) {
    if (options.stop != nullptr && options.stop->load()) break;
    const auto ts = std::chrono::steady_clock::now();
    const std::optional<std::string>& known_identity = identities[file_no++];
    ASSIGN_OR_RETURN(std::string sum, known_identity ? Result<std::string>(*known_identity) : checksums.Get(hash_no++));
    t_checksum += std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
    ASSIGN_OR_RETURN(auto seen, lake->FindIngestedFile(raw_ds, sum));
    if (seen || pending_sums.count(sum) != 0 || (inflight && inflight->sums.count(sum) != 0)) {
      if (seen) RememberFile(f, sum);
      prog.files_done++;
      prog.bytes_done += f.size;
      total.files_skipped++;
      FileReport r;
      r.path = f.path;
      r.checksum = sum;
      r.bytes = f.size;
      r.skipped = true;
      if (seen) r.batch_id = seen->batch_id;
      total.file_reports.push_back(r);
      if (seen) AfterIngest(f.path, sum);
      continue;
    }
    if (!pending.empty() && pending_bytes + f.size > options.batch_bytes) {
      RETURN_NOT_OK(flush());
      if (options.stop != nullptr && options.stop->load()) break;
    }
    pending.emplace_back(f, sum);
    pending_sums.insert(sum);
    pending_bytes += f.size;
  }
  Status last = flush();
  // Whatever happened, the batch in flight is committed (or fails) now.
  Status finished = FinishInFlight(&total);
  total.files_hashed = checksums.hashed();
  // What was learnt about the files, for the next run (only a cache of
  // checksums: a failure to keep it costs that run a re-read, nothing else).
  Status saved = SaveKnownFiles();
  if (!saved.ok()) Log("warning: cannot keep the landing files' checksums for the next run: " + saved.ToString());
  RETURN_NOT_OK(last);
  RETURN_NOT_OK(finished);
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return total;
}

SourceIngester::SourceIngester(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SourceIngester::~SourceIngester() = default;

Result<std::unique_ptr<SourceIngester>> SourceIngester::Open(lake::Lake* lake, SourceSpec source,
                                                             IngestOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->lake = lake;
  impl->source = std::move(source);
  impl->options = std::move(options);
  RETURN_NOT_OK(impl->Init());
  return std::unique_ptr<SourceIngester>(new SourceIngester(std::move(impl)));
}

const Schema& SourceIngester::schema() const { return impl_->schema; }

Result<IngestStats> SourceIngester::RunOnce() {
  ASSIGN_OR_RETURN(auto files, ScanLandingFolder(impl_->source.config.path, impl_->source.config.pattern,
                                                 impl_->source.config.min_age_seconds));
  impl_->ForgetFilesNotIn(files);
  return impl_->Run(std::move(files));
}

Result<IngestStats> SourceIngester::IngestLanding(std::vector<LandingFile> files) {
  return impl_->Run(std::move(files));
}

bool SourceIngester::KnownUnchanged(const LandingFile& file) const { return impl_->KnownIdentity(file).has_value(); }

void SourceIngester::ForgetFilesNotIn(const std::vector<LandingFile>& files) { impl_->ForgetFilesNotIn(files); }

const SourceConfig& SourceIngester::config() const { return impl_->source.config; }

Result<IngestStats> SourceIngester::IngestFiles(const std::vector<std::string>& paths) {
  std::vector<LandingFile> files;
  for (const auto& p : paths) {
    ASSIGN_OR_RETURN(LandingFile f, StatLandingFile(p));
    files.push_back(std::move(f));
  }
  return impl_->Run(std::move(files));
}

}  // namespace custlake::ingest
