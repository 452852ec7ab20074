// SourceIngester: see ingester.h for the protocol. This file opens a
// source (schema, dedup index), forms batches and runs them; the other
// steps are in the files source_ingester_impl.h lists.
#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>

#include "ingest/file_reader.h"
#include "ingest/record_reader.h"
#include "ingest/source_ingester_impl.h"
#include "ingest/timestamp_parse.h"

namespace custlake::ingest {

namespace {

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

FileReport ReportOf(const LandingFile& f, const std::string& checksum) {
  FileReport r;
  r.path = f.path;
  r.checksum = checksum;
  r.bytes = f.size;
  return r;
}

}  // namespace

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
  LogInferredSchema(inference.records());
  have_schema = true;
  return Status::OK();
}

// A schema of many fields (webhook payloads: ~10 KB of JSON) is no log
// line: the log says how many fields and names the first few; the whole
// schema goes to a file (the format of a schema file, so it can start a
// contract), which the line names.
void SourceIngester::Impl::LogInferredSchema(int64_t records) const {
  constexpr size_t kNamed = 5;
  std::string names;
  for (size_t i = 0; i < schema.fields.size() && i < kNamed; i++) {
    names += fmt::format("{}{} {}", i == 0 ? "" : ", ", schema.fields[i].name, FieldTypeName(schema.fields[i].type));
  }
  if (schema.fields.size() > kNamed) names += fmt::format(", and {} more", schema.fields.size() - kNamed);
  const fs::path dir = fs::path(lake->layout().ArchiveDir()) / "schemas";
  const fs::path file = dir / (ScratchName() + ".inferred.json");
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path tmp = fs::path(file.string() + ".tmp");
  bool written = false;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << nlohmann::json::parse(schema.ToJson()).dump(2) << "\n";
    written = static_cast<bool>(out.flush());
  }
  if (written) fs::rename(tmp, file, ec);
  Log(fmt::format("{}: schema inferred from {} records: {} fields ({}); the whole schema: {}", raw_ds.ToString(),
                  records, schema.fields.size(), names,
                  written && !ec ? file.string() : "not written (" + file.string() + " cannot be written)"));
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
        FileReport r = ReportOf(file, checksum);
        if (const auto v = versions.find(file.path); v != versions.end()) {
          r.rewritten = v->second.rewritten;
          r.from_byte = v->second.offset;
        }
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


// A file that cannot be read at all: reported, not ingested, not recorded
// as ingested (a later run tries again); the others go on.
void SourceIngester::Impl::NoteUnreadable(const LandingFile& f, const std::string& why, IngestStats* total) {
  prog.files_done++;
  prog.bytes_done += f.size;
  // --watch meets it at every pass: reported (and counted) once, until it
  // was read or fails another way.
  auto [it, fresh] = reported_unreadable.emplace(f.path, why);
  if (!fresh && it->second == why) return;
  it->second = why;
  Log(fmt::format("{}: {}: not ingested, it cannot be read: {}", raw_ds.ToString(), f.path, why));
  FileReport r = ReportOf(f, "");
  r.unreadable = why;
  total->files_unreadable++;
  total->file_reports.push_back(std::move(r));
}

// A file whose content was ingested before (maybe under another name), or
// is in a batch of this run already: skipped, its after-action redone.
void SourceIngester::Impl::NoteSkipped(const LandingFile& f, const std::string& sum,
                                       const std::optional<lake::IngestedFileInfo>& seen, IngestStats* total) {
  if (seen) RememberFile(f, sum);
  prog.files_done++;
  prog.bytes_done += f.size;
  total->files_skipped++;
  FileReport r = ReportOf(f, sum);
  r.skipped = true;
  if (seen) r.batch_id = seen->batch_id;
  total->file_reports.push_back(std::move(r));
  if (seen) AfterIngest(f.path, sum);
}

// A file with new content: if an earlier version of it (same path) was
// ingested, either it grew (that version's bytes are its unchanged prefix:
// an NDJSON file not compressed is read from where that version ended) or
// it was rewritten in place (ingested whole again, as a new version).
// Only for files kept in the landing folder: with after = archive or
// delete, a file under a name seen before is a new file.
Status SourceIngester::Impl::CompareWithLastVersion(const LandingFile& f) {
  versions.erase(f.path);
  if (source.config.after != AfterIngest::kKeep) return Status::OK();
  ASSIGN_OR_RETURN(auto last, lake->LastIngestedAt(raw_ds, f.path));
  if (!last || last->checksum.rfind("empty:", 0) == 0) return Status::OK();
  FileVersion& v = versions[f.path];
  v.rewritten = true;
  v.last_bytes = last->byte_count;
  if (format != Format::kNdjson || last->byte_count >= f.size) return Status::OK();
  {
    auto reader = FileReader::Open(f.path);
    if (!reader.ok() || (*reader)->compression() != Compression::kNone) return Status::OK();
  }
  int64_t lines = 0, got = 0;
  auto prefix = lake::HashFilePrefix(f.path, identity_hash, last->byte_count, &got, [&](std::string_view piece) {
    lines += std::count(piece.begin(), piece.end(), '\n');
  });
  if (!prefix.ok() || got != last->byte_count || *prefix != last->checksum) return Status::OK();
  v = {false, last->byte_count, last->byte_count, lines};
  return Status::OK();
}

void SourceIngester::Impl::LogVersion(const LandingFile& f) const {
  const auto it = versions.find(f.path);
  if (it == versions.end()) return;
  const FileVersion& v = it->second;
  if (!v.rewritten) {
    Log(fmt::format("{}: {} grew from {} to {} bytes: only the appended bytes are read", raw_ds.ToString(), f.path,
                    v.offset, f.size));
    return;
  }
  Log(fmt::format("{}: {} was rewritten in place ({} bytes ingested before, not its first bytes now): ingested "
                  "whole as a new version; {}",
                  raw_ds.ToString(), f.path, v.last_bytes, f.size,
                  schema.key.empty() && source.config.key.empty()
                      ? "the dataset has no key, so records it held before are committed again"
                      : "records already in the lake are dropped as duplicates by key"));
}

Result<IngestStats> SourceIngester::Impl::Run(std::vector<LandingFile> files) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::optional<std::string>> identities;
  std::vector<LandingFile> to_hash;
  for (const auto& f : files) {
    identities.push_back(f.unreadable.empty() ? KnownIdentity(f) : std::nullopt);
    if (!identities.back() && f.unreadable.empty()) to_hash.push_back(f);
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
  auto stopped = [&] { return options.stop != nullptr && options.stop->load(); };
  for (const auto& f : files) {
    if (stopped()) break;
    file_no++;
    if (!f.unreadable.empty()) {
      NoteUnreadable(f, f.unreadable, &total);
      continue;
    }
    const auto ts = std::chrono::steady_clock::now();
    const std::optional<std::string>& known_identity = identities[file_no - 1];
    // The file as its identity saw it: a plain file is read up to the bytes
    // its checksum covered (what a writer appends meanwhile waits for the
    // next run, as a file that grew).
    LandingFile as_hashed = f;
    Result<std::string> identity =
        known_identity ? Result<std::string>(*known_identity) : checksums.Get(hash_no++, &as_hashed.size);
    t_checksum += std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
    if (!identity.ok()) {
      NoteUnreadable(f, identity.status().message(), &total);
      continue;
    }
    const std::string& sum = *identity;
    reported_unreadable.erase(f.path);
    ASSIGN_OR_RETURN(auto seen, lake->FindIngestedFile(raw_ds, sum));
    if (seen || pending_sums.count(sum) != 0 || (inflight && inflight->sums.count(sum) != 0)) {
      NoteSkipped(f, sum, seen, &total);
      continue;
    }
    RETURN_NOT_OK(CompareWithLastVersion(as_hashed));
    LogVersion(as_hashed);
    if (!pending.empty() && pending_bytes + as_hashed.size > options.batch_bytes) {
      RETURN_NOT_OK(flush());
      if (stopped()) {
        file_no--;  // this file is left too
        break;
      }
    }
    pending.emplace_back(as_hashed, sum);
    pending_sums.insert(sum);
    pending_bytes += as_hashed.size;
  }
  total.files_left = static_cast<int64_t>(files.size() - file_no);
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
