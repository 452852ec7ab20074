// The quarantine staging table: bad records with file, line, byte offset,
// reason and raw text, spilled to Parquet parts at a quarter of the batch's
// memory budget; the parts and the rest join the batch's lake batch.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "ingest/source_ingester_impl.h"

namespace custlake::ingest {

namespace {

constexpr size_t kRawKeep = 64 * 1024;  // raw text kept per quarantined record

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

}  // namespace

// Where a file quarantined whole is kept, relative to quarantine/<dataset>/:
// named by its checksum (a content is ingested once per dataset, so the
// path is unique) and its file name.
std::string KeptFilePath(const std::string& checksum, const std::string& path) {
  std::string name = fs::path(path).filename().string();
  std::replace(name.begin(), name.end(), '\\', '-');
  return fmt::format("files/{}-{}", checksum, name);
}

// A quarantine part's provenance, from the table it was COPYd from: per
// source file, its first line, last line and rows.
std::string QuarantineSourcesSql(const std::string& table) {
  return fmt::format(
      "SELECT _source_file, min(_source_line), max(_source_line), count(*) FROM {} GROUP BY ALL ORDER BY 1",
      table);
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

Status SourceIngester::Impl::DropQuarantineRowsOf(const std::string& path) {
  RETURN_NOT_OK(quarantine->Flush());
  const std::string lit = QuoteLiteral(path);
  ASSIGN_OR_RETURN(auto reasons, session->Query(fmt::format(
                                     "SELECT reason, count(*) FROM {} WHERE _source_file = {} GROUP BY reason",
                                     quarantine_table, lit)));
  for (const auto& r : reasons.rows) quarantine_reasons[r[0]] -= std::stoll(r[1]);
  return session->Execute(fmt::format("DELETE FROM {} WHERE _source_file = {}", quarantine_table, lit));
}

}  // namespace custlake::ingest
