// One landing file of a batch, in named steps: probe, read (records split
// on a reader thread), parse (the parse pool's workers), then, record by
// record in file order on the ingester's thread: quarantine, dedup, row,
// spill; a whole-file error undoes the file or restarts the batch.
#include <fmt/format.h>

#include <chrono>
#include <climits>
#include <cstring>

#include "ingest/file_reader.h"
#include "ingest/record_reader.h"
#include "ingest/source_ingester_impl.h"
#include "ingest/timestamp_parse.h"

namespace custlake::ingest {

namespace {
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

// One file's pass through the record path. Holds what the file's records
// share: its provenance per event day (moved to Impl::prov when a part
// spills or the file ends) and the row layout's column indexes.
class SourceIngester::Impl::FileIngest {
 public:
  FileIngest(SourceIngester::Impl* impl, const LandingFile& file, int64_t file_idx, FileReport* report,
             RowSink* sink)
      : impl_(*impl), file_(file), file_idx_(file_idx), report_(report), sink_(sink) {
    const Schema& schema = impl_.schema;
    pidx_ = schema.partition_field.empty() ? -1 : schema.Find(schema.partition_field);
    nfields_ = schema.fields.size();
    keep_extra_ = schema.unknown == UnknownFieldPolicy::kKeep;
    c_extra_ = nfields_;
    c_file_ = nfields_ + (keep_extra_ ? 1 : 0);
    // A file that grew is read from where the version ingested before
    // ended: its records' lines and byte offsets continue that version's.
    if (const auto v = impl_.versions.find(file.path); v != impl_.versions.end() && !v->second.rewritten) {
      offset_base_ = v->second.offset;
      line_base_ = v->second.lines;
    }
  }

  Status Run();

 private:
  Status ReadAndParse(std::string* read_error);
  Status ReadRecords(RecordReader* reader, const ChunkContext& context, bool take_here,
                     std::string* read_error);
  Status TakeChunk(RecordChunk* chunk);
  Status TakeRecord(const RecordChunk& chunk, size_t i);
  Result<bool> Fresh(const ParsedRecord& parsed);
  void AppendRow(const RecordChunk& chunk, size_t i);
  void NoteProvenance(int64_t day, int64_t line);
  Status MaybeSpill();
  Status WholeFileError(const std::string& error);
  void FlushProvenance(int part);
  int64_t DedupPartition(int64_t day) const { return pidx_ >= 0 ? day : PartitionedDedupIndex::kWhole; }

  SourceIngester::Impl& impl_;
  const LandingFile& file_;
  const int64_t file_idx_;  ///< the file's index in the batch (its _source_file ENUM value)
  FileReport* report_;
  RowSink* sink_;
  int pidx_ = -1;  ///< the partition field's index, -1 = ingest date
  size_t nfields_ = 0;
  bool keep_extra_ = false;
  size_t c_extra_ = 0, c_file_ = 0;  ///< _extra's and _source_file's columns (line and date follow)
  std::map<int64_t, SourceIngester::Impl::Prov> file_prov_;  ///< day → lines, since the last spill
  int64_t last_day_ = INT64_MIN;
  SourceIngester::Impl::Prov* last_prov_ = nullptr;
  int spills_at_start_ = 0;
  int64_t offset_base_ = 0, line_base_ = 0;  ///< where reading starts (a file that grew)
};

Status SourceIngester::Impl::FileIngest::Run() {
  // A file that failed in an earlier attempt of this batch is not read again.
  const auto failed = impl_.failed_files.find(file_.path);
  std::string error =
      failed != impl_.failed_files.end() ? failed->second : ProbeFile(file_.path, impl_.format);
  spills_at_start_ = impl_.spills;
  impl_.file_inserted.clear();
  if (error.empty()) RETURN_NOT_OK(ReadAndParse(&error));
  if (!error.empty()) return WholeFileError(error);
  FlushProvenance(sink_->part());
  return Status::OK();
}

// Splits the file into records (on a reader thread when the pool has
// workers) and takes the parsed chunks back in order. A read error after
// some records (a corrupt compressed tail) lands in `read_error`.
Status SourceIngester::Impl::FileIngest::ReadAndParse(std::string* read_error) {
  RecordReaderOptions ro;
  ro.format = impl_.format;
  ro.max_record_bytes = static_cast<size_t>(impl_.options.max_record_bytes);
  // Up to the bytes the file's identity covers (a plain file; a compressed
  // one is read whole).
  ASSIGN_OR_RETURN(auto fr, FileReader::OpenAt(file_.path, offset_base_, file_.size));
  RecordReader reader(std::move(fr), ro, &impl_.buffer);
  ChunkContext context;
  context.format = impl_.format;
  context.csv_delimiter = impl_.source.config.csv_delimiter;
  context.max_record_bytes = static_cast<size_t>(impl_.options.max_record_bytes);
  context.partition_index = pidx_;
  context.today = TodayDays();
  ParsePool* pool = impl_.parse_pool.get();
  // Whatever happens, no chunk of this file stays in the pool.
  struct DiscardOnExit {
    ParsePool* pool;
    ~DiscardOnExit() {
      pool->Cancel();
      pool->Discard();
    }
  } discard{pool};
  pool->Begin();
  if (pool->threads() <= 1) {
    RETURN_NOT_OK(ReadRecords(&reader, context, true, read_error));
    while (RecordChunk* chunk = pool->Next()) RETURN_NOT_OK(TakeChunk(chunk));
    return Status::OK();
  }
  std::thread reading([&] { (void)ReadRecords(&reader, context, false, read_error); });
  Status taken = Status::OK();
  while (RecordChunk* chunk = pool->Next()) {
    taken = TakeChunk(chunk);
    if (!taken.ok()) {
      pool->Cancel();
      break;
    }
  }
  reading.join();
  return taken;
}

// Splits the file into records and hands them to the workers in chunks.
// `take_here`: this thread also takes the chunks back (one parsing thread);
// else this runs on a thread of its own while the ingester's thread takes
// the chunks (reading is part of the critical path).
Status SourceIngester::Impl::FileIngest::ReadRecords(RecordReader* reader, const ChunkContext& context,
                                                     bool take_here, std::string* read_error) {
  ParsePool* pool = impl_.parse_pool.get();
  RawRecord rec;
  RecordChunk* filling = nullptr;
  bool header = impl_.format == Format::kCsv;
  while (true) {
    auto more = reader->Next(&rec);
    if (!more.ok()) {
      *read_error = more.status().message();
      break;
    }
    if (!*more) break;
    if (header) {
      header = false;
      auto st = pool->SetCsvHeader(rec.text, impl_.source.config.csv_delimiter);
      if (!st.ok()) {
        *read_error = fmt::format("{}:{}: {}", file_.path, rec.line, st.message());
        break;
      }
      continue;
    }
    if (filling == nullptr) {
      filling = pool->NewChunk();
      if (filling == nullptr) return Status::OK();  // cancelled: the taker failed
    }
    filling->Add(rec);
    if (!filling->full()) continue;
    pool->Submit(filling, context);
    filling = nullptr;
    if (!take_here) continue;
    while (pool->in_flight() >= pool->max_in_flight()) RETURN_NOT_OK(TakeChunk(pool->Next()));
  }
  // The records before an unreadable part count as they did before it
  // was found (a restart or an undo follows).
  if (filling != nullptr) pool->Submit(filling, context);
  pool->Finish();
  return Status::OK();
}

// A parsed chunk's records, in order.
Status SourceIngester::Impl::FileIngest::TakeChunk(RecordChunk* chunk) {
  Status st = Status::OK();
  // The dedup probes miss the cache (random slots of a large table): ask
  // for the slots a few records ahead while taking this one.
  constexpr size_t kAhead = 8;
  PartitionedDedupIndex* index = impl_.index.get();
  for (size_t i = 0; i < chunk->size() && st.ok(); i++) {
    if (index && i + kAhead < chunk->size()) {
      const ParsedRecord& ahead = chunk->result(i + kAhead);
      if (ahead.ok && ahead.fingerprint != 0) index->Prefetch(DedupPartition(ahead.day), ahead.fingerprint);
    }
    st = TakeRecord(*chunk, i);
  }
  impl_.parse_pool->Recycle(chunk);
  return st;
}

// One record, parsed by the pool, in file order: quarantine, dedup, row.
Status SourceIngester::Impl::FileIngest::TakeRecord(const RecordChunk& chunk, size_t i) {
  const RecordChunk::Record& rec = chunk.record(i);
  const ParsedRecord& parsed = chunk.result(i);
  report_->records++;
  if (++impl_.prog.records % 100000 == 0) impl_.ReportProgress();
  if (!parsed.ok) {
    RETURN_NOT_OK(impl_.AppendQuarantine(file_.path, rec.line + line_base_, rec.offset + offset_base_,
                                         parsed.error.reason, parsed.error.detail, chunk.text(i), rec.size));
    report_->quarantined++;
    return Status::OK();
  }
  ASSIGN_OR_RETURN(const bool fresh, Fresh(parsed));
  if (!fresh) {
    report_->duplicates++;
    return Status::OK();
  }
  AppendRow(chunk, i);
  NoteProvenance(parsed.day, rec.line + line_base_);
  report_->committed++;
  return MaybeSpill();
}

// False when the record's key was seen before (in the batch or the lake).
Result<bool> SourceIngester::Impl::FileIngest::Fresh(const ParsedRecord& parsed) {
  if (parsed.fingerprint == 0 || !impl_.index) return true;
  const int64_t part = DedupPartition(parsed.day);
  ASSIGN_OR_RETURN(const bool fresh, impl_.index->Insert(part, parsed.fingerprint));
  if (fresh) impl_.file_inserted.emplace_back(part, parsed.fingerprint);
  return fresh;
}

void SourceIngester::Impl::FileIngest::AppendRow(const RecordChunk& chunk, size_t i) {
  const ParsedRecord& parsed = chunk.result(i);
  const int64_t day = parsed.day;
  RowBlock* data = sink_->block(day);
  const Value* values = chunk.values(i);
  for (size_t c = 0; c < nfields_; c++) {
    const Value& v = values[c];
    switch (v.kind) {
      case Value::kNull:
        data->SetNull(c);
        break;
      case Value::kInt:
        data->SetInt64(c, v.i);
        break;
      case Value::kDouble:
        data->SetDouble(c, v.d);
        break;
      case Value::kBool:
        data->SetBool(c, v.i != 0);
        break;
      case Value::kText:
        data->SetString(c, v.s);
        break;
    }
  }
  if (keep_extra_) {
    if (parsed.extra.empty()) {
      data->SetNull(c_extra_);
    } else {
      data->SetString(c_extra_, parsed.extra);
    }
  }
  data->SetInt64(c_file_, file_idx_);
  data->SetInt64(c_file_ + 1, chunk.record(i).line + line_base_);
  data->SetInt64(c_file_ + 2, day);
  data->EndRow();
  sink_->RowDone(day);
}

void SourceIngester::Impl::FileIngest::NoteProvenance(int64_t day, int64_t line) {
  if (day != last_day_ || last_prov_ == nullptr) {
    last_day_ = day;
    last_prov_ = &file_prov_[day];
    if (last_prov_->rows == 0) last_prov_->first_line = line;
  }
  last_prov_->last_line = line;
  last_prov_->rows++;
}

void SourceIngester::Impl::FileIngest::FlushProvenance(int part) {
  for (const auto& [day, p] : file_prov_) impl_.prov[{day, part}][file_.path] = p;
  file_prov_.clear();
  last_prov_ = nullptr;
}

// Rows over their budget, or dedup keys over theirs (a reloaded day brings
// all its committed keys): the rows so far go to Parquet parts. (Keys: only
// after a block's worth of rows since the last spill, so a day larger than
// the whole budget cannot make every row spill.)
Status SourceIngester::Impl::FileIngest::MaybeSpill() {
  PartitionedDedupIndex* index = impl_.index.get();
  const bool keys_over = index && ++impl_.rows_since_spill >= static_cast<int64_t>(engine::RowBlock::kRows) &&
                         index->over_budget();
  if (!sink_->over_budget() && !keys_over) return Status::OK();
  const int spilled = sink_->part();
  FlushProvenance(spilled);
  RETURN_NOT_OK(sink_->Spill());
  impl_.spills++;
  impl_.rows_since_spill = 0;
  // Its keys are now readable from the parts: a new dedup epoch, and
  // partitions only the closed ones touched may be evicted.
  {
    std::lock_guard<std::mutex> lock(impl_.pending_mu);
    for (const auto& [day_part, unused] : impl_.prov) {
      if (day_part.second != spilled) continue;
      impl_.pending_parts[day_part.first].push_back(
          PartFile(impl_.out_dir, day_part.first, spilled).string());
    }
  }
  impl_.file_inserted.clear();
  if (!index) return Status::OK();
  impl_.producing_epoch = ++impl_.epoch;
  index->SetEpoch(impl_.epoch);
  // Too many keys: the batch in flight commits now, so that no epoch but
  // the (empty) new one stays open and the index shrinks to its budget.
  if (keys_over) RETURN_NOT_OK(impl_.FinishInFlight(&impl_.finished_early));
  index->Trim(impl_.OpenEpochs());
  return Status::OK();
}

// The file cannot be read whole: its records are undone and it is
// quarantined as one record; or, when rows of it already went into a COPY
// or a spill, the batch restarts with the file marked failed (the same
// result as if the error had been known up front).
Status SourceIngester::Impl::FileIngest::WholeFileError(const std::string& error) {
  if (report_->committed > 0 || impl_.spills != spills_at_start_) {
    impl_.failed_files[file_.path] = error;
    impl_.restart = true;
    return Status::Cancelled("restart the batch: " + error);
  }
  // No spill during this file: file_inserted is all it added.
  if (impl_.index) {
    for (const auto& [part, fp] : impl_.file_inserted) impl_.index->Erase(part, fp);
  }
  impl_.file_inserted.clear();
  if (report_->quarantined > 0) RETURN_NOT_OK(impl_.DropQuarantineRowsOf(file_.path));
  report_->records = 1;
  report_->committed = 0;
  report_->duplicates = 0;
  report_->quarantined = 1;
  report_->error = error;
  return impl_.AppendQuarantine(
      file_.path, 0, 0, Reason::kUnreadableFile,
      fmt::format("{}; the whole file is kept as {}/{}", error, impl_.quarantine_ds.ToString(),
                  KeptFilePath(report_->checksum, file_.path)),
      "", file_.size);
}

Status SourceIngester::Impl::IngestFile(const LandingFile& file, int64_t file_idx, FileReport* report,
                                        RowSink* sink) {
  return FileIngest(this, file, file_idx, report, sink).Run();
}

}  // namespace custlake::ingest
