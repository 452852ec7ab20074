// A batch's second half, on its own thread while the next batch is parsed:
// the COPYs' files move into one lake batch with their provenance, the
// quarantine rows and the source checksums (WriteBatch); then, in order on
// the ingester's thread, the commit is taken back (FinishInFlight) and the
// source files kept, archived or deleted (AfterIngest). See ingester.h.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "ingest/source_ingester_impl.h"
#include "ingest/timestamp_parse.h"

namespace custlake::ingest {

namespace {

struct Totals {
  int64_t records = 0, committed = 0, quarantined = 0, duplicates = 0;
};

Totals TotalsOf(const std::vector<FileReport>& reports) {
  Totals t;
  for (const auto& r : reports) {
    t.records += r.records;
    t.committed += r.committed;
    t.quarantined += r.quarantined;
    t.duplicates += r.duplicates;
  }
  return t;
}

// What the batch's lineage records: every file's reconciliation and the totals.
void SetIngestLineage(const std::vector<FileReport>& reports, const Totals& t, lake::BatchOptions* bo) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& r : reports) files.push_back(r.ToJson());
  bo->lineage.extra["ingest_files"] = files.dump();
  bo->lineage.extra["ingest_totals"] = nlohmann::json({{"records", t.records},
                                                       {"committed", t.committed},
                                                       {"quarantined", t.quarantined},
                                                       {"duplicates", t.duplicates}})
                                           .dump();
}

// Moves a Parquet file the COPYs produced to the part path the batch hands
// out and adds it with its rows and the source lines it holds.
Status AddPart(lake::BatchWriter& batch, const std::string& produced, const lake::DatasetId& ds,
               const lake::Partition& partition, int64_t rows, const nlohmann::json& sources) {
  ASSIGN_OR_RETURN(auto part, batch.NewPart(ds, partition));
  std::error_code ec;
  fs::rename(produced, part.staging_path, ec);
  if (ec)
    return Status::IOError(
        fmt::format("cannot move {} to {}: {}", produced, part.staging_path, ec.message()));
  lake::FileSpec spec;
  ASSIGN_OR_RETURN(spec.checksum, lake::Sha256File(part.staging_path));
  spec.path = part.path;
  spec.dataset = ds;
  spec.row_count = rows;
  spec.provenance_json = nlohmann::json({{"sources", sources}}).dump();
  return batch.AddFile(std::move(spec));
}

using ChecksumOf = std::map<std::string, std::string>;

// A quarantine part's sources, from QuarantineSourcesSql's rows.
nlohmann::json QuarantineSources(const std::vector<std::vector<std::string>>& rows_of,
                                 const ChecksumOf& checksum_of) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& r : rows_of) {
    sources.push_back({{"file", r[0]},
                       {"checksum", checksum_of.count(r[0]) ? checksum_of.at(r[0]) : ""},
                       {"first_line", std::stoll(r[1])},
                       {"last_line", std::stoll(r[2])},
                       {"rows", std::stoll(r[3])}});
  }
  return sources;
}

// A file quarantined whole (unreadable) is kept byte for byte in the batch,
// before the after-action may delete or archive it.
Status KeepWholeFile(lake::BatchWriter& batch, const lake::DatasetId& quarantine_ds, const FileReport& r) {
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
  return batch.AddFile(std::move(spec));
}

}  // namespace

// Raw rows: the COPYs (spills while parsing, the rest on the batch's
// thread) wrote event_date=<date>_part<part>.parquet under the scratch
// folder; each moves into the batch with the files and lines it holds.
Status SourceIngester::Impl::AddRawParts(const InFlight& f, lake::BatchWriter& batch,
                                         const std::map<std::string, std::string>& checksum_of) {
  for (const auto& [day_part, files_of_part] : f.prov) {
    char date[11];
    FormatDate(day_part.first, date);
    const std::string produced = PartFile(f.out_dir, day_part.first, day_part.second).string();
    if (!fs::exists(produced)) return Status::Internal(fmt::format("COPY produced no file {}", produced));
    int64_t rows = 0;
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& [path, p] : files_of_part) {
      sources.push_back({{"file", path},
                         {"checksum", checksum_of.count(path) ? checksum_of.at(path) : ""},
                         {"first_line", p.first_line},
                         {"last_line", p.last_line},
                         {"rows", p.rows}});
      rows += p.rows;
    }
    RETURN_NOT_OK(
        AddPart(batch, produced, raw_ds, {{kPartitionColumn, std::string(date, 10)}}, rows, sources));
  }
  return Status::OK();
}

// Quarantine rows: the parts spilled while parsing, then the rows still in
// the table (COPYd here, through the batch thread's own session), and the
// counts per reason.
Status SourceIngester::Impl::AddQuarantineParts(const InFlight& f, lake::BatchWriter& batch,
                                                int64_t quarantined,
                                                const std::map<std::string, std::string>& checksum_of,
                                                engine::Session* db_session) {
  int64_t in_parts = 0;
  for (const auto& qp : f.quarantine_parts) {
    RETURN_NOT_OK(
        AddPart(batch, qp.path, quarantine_ds, {}, qp.rows, QuarantineSources(qp.sources, checksum_of)));
    in_parts += qp.rows;
  }
  if (quarantined > in_parts) {
    std::error_code ec;
    fs::create_directories(f.out_dir, ec);
    const std::string last = (fs::path(f.out_dir) / "quarantine_last.parquet").string();
    RETURN_NOT_OK(db_session->Execute(
        fmt::format("COPY {} TO {} (FORMAT parquet)", f.quarantine_table, QuoteLiteral(last))));
    ASSIGN_OR_RETURN(auto prov, db_session->Query(QuarantineSourcesSql(f.quarantine_table)));
    RETURN_NOT_OK(AddPart(batch, last, quarantine_ds, {}, quarantined - in_parts,
                          QuarantineSources(prov.rows, checksum_of)));
  }
  for (const auto& [reason, count] : f.quarantine_reasons) {
    if (count > 0) RETURN_NOT_OK(batch.AddQuarantined(count, reason, quarantine_ds));
  }
  return Status::OK();
}

// Runs on the batch's own thread (with its own engine session `db_session`)
// while the next batch is parsed: nothing here touches the parser's state.
// One lake batch: the raw parts, the quarantine parts, files kept whole,
// the schema and the source files' checksums, committed in one step.
Status SourceIngester::Impl::WriteBatch(InFlight& f, int64_t* batch_id, engine::Session* db_session) {
  // The dedup loader may read this batch's spilled parts: not while they
  // move. Whatever happens, they are no longer pending afterwards (in the
  // lake, or gone with a failed batch).
  std::lock_guard<std::mutex> pending_lock(pending_mu);
  struct DropOnExit {
    Impl* impl;
    const std::string& dir;
    ~DropOnExit() { impl->DropPending(dir); }
  } drop_pending{this, f.out_dir};
  const auto t_write0 = std::chrono::steady_clock::now();
  const Totals totals = TotalsOf(f.reports);
  lake::BatchOptions bo;
  bo.run_id = options.run_id;
  bo.lineage.source = source.config.path;
  bo.lineage.extra["verb"] = "ingest";
  bo.lineage.extra["format"] = FormatName(format);
  SetIngestLineage(f.reports, totals, &bo);
  ASSIGN_OR_RETURN(auto batch, lake->BeginBatch(raw_ds, bo));
  *batch_id = batch.id();
  ChecksumOf checksum_of;
  for (const auto& r : f.reports) checksum_of[r.path] = r.checksum;

  RETURN_NOT_OK(AddRawParts(f, batch, checksum_of));
  if (totals.quarantined > 0)
    RETURN_NOT_OK(AddQuarantineParts(f, batch, totals.quarantined, checksum_of, db_session));
  {
    std::error_code ec;
    fs::remove_all(f.out_dir, ec);
  }
  for (const auto& r : f.reports) {
    if (!r.error.empty()) RETURN_NOT_OK(KeepWholeFile(batch, quarantine_ds, r));
  }
  if (!schema_recorded) RETURN_NOT_OK(batch.SetSchema(schema.ToJson()));
  for (const auto& r : f.reports) {
    RETURN_NOT_OK(batch.RecordIngestedFile(r.checksum, r.path, r.bytes).WithContext(r.path));
  }
  const auto tc = std::chrono::steady_clock::now();
  f.t_move = std::chrono::duration<double>(tc - t_write0).count();
  RETURN_NOT_OK(batch.Commit());
  f.t_commit = std::chrono::duration<double>(std::chrono::steady_clock::now() - tc).count();
  schema_recorded = true;
  for (auto& r : f.reports) r.batch_id = *batch_id;
  return Status::OK();
}

void SourceIngester::Impl::AfterIngest(const std::string& path, const std::string& checksum) {
  std::error_code ec;
  switch (source.config.after) {
    case AfterIngest::kKeep:
      return;
    case AfterIngest::kDelete:
      fs::remove(path, ec);
      return;
    case AfterIngest::kArchive: {
      const fs::path dir = fs::path(lake->layout().ArchiveDir()) / source.config.dataset;
      fs::create_directories(dir, ec);
      fs::path target = dir / fs::path(path).filename();
      if (fs::exists(target, ec))
        target += "." + (checksum.rfind("empty:", 0) == 0 ? "empty" : checksum.substr(0, 12));
      fs::rename(path, target, ec);
      if (ec) Log(fmt::format("warning: cannot archive {}: {}", path, ec.message()));
      return;
    }
  }
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
    const auto it = std::find_if(f->reports.begin(), f->reports.end(),
                                 [&](const FileReport& r) { return r.path == lf.path; });
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
    s.bytes += r.bytes - r.from_byte;
    if (r.from_byte > 0) s.files_appended++;
    if (r.rewritten) s.files_rewritten++;
  }
  s.batches = 1;
  s.file_reports = std::move(f->reports);
  Log(fmt::format(
      "{}: batch {}: {} files, {} records: {} committed, {} quarantined, {} duplicates; "
      "row blocks {:.0f} MB, {} spills, dedup {} keys "
      "(so far: checksum {:.2f}s, parse {:.2f}s, wait for COPY {:.2f}s, move {:.2f}s, commit {:.2f}s)",
      raw_ds.ToString(), batch_id, s.files, s.records, s.committed, s.quarantined, s.duplicates,
      static_cast<double>(spare_stream ? spare_stream->pool_bytes() : 0) / 1e6, f->spills,
      index ? index->keys() : 0, t_checksum, t_parse, t_copy_wait, t_copy, t_commit));
  stats->Add(s);
  return Status::OK();
}

}  // namespace custlake::ingest
