// The ingest verb's outcomes: per-file reports, run totals (the --json
// summary), the reconciliation `custlake status` shows, options from the
// config, and IngestAll (every source once). See ingester.h.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "ingest/ingester.h"
#include "lake/lake.h"

namespace custlake::ingest {

IngestOptions IngestOptions::FromConfig(const IngestConfig& config) {
  IngestOptions o;
  o.batch_bytes = config.batch_bytes;
  o.max_record_bytes = config.max_record_bytes;
  o.max_depth = config.max_depth;
  o.dedup_memory_bytes = config.dedup_memory_bytes;
  o.batch_memory_bytes = config.batch_memory_bytes;
  o.watch_queue_files = config.watch_queue_files;
  o.watch_queue_bytes = config.watch_queue_bytes;
  o.parse_threads = config.parse_threads;
  return o;
}

nlohmann::json FileReport::ToJson() const {
  nlohmann::json j = {{"file", path},         {"checksum", checksum},       {"bytes", bytes},
                      {"records", records},   {"committed", committed},     {"quarantined", quarantined},
                      {"duplicates", duplicates}};
  if (skipped) j["skipped"] = true;
  if (!error.empty()) j["error"] = error;
  if (!unreadable.empty()) j["unreadable"] = unreadable;
  if (rewritten) j["rewritten"] = true;
  if (from_byte > 0) j["from_byte"] = from_byte;
  if (batch_id != 0) j["batch_id"] = batch_id;
  return j;
}

void IngestStats::Add(const IngestStats& o) {
  files += o.files;
  files_skipped += o.files_skipped;
  files_hashed += o.files_hashed;
  files_unreadable += o.files_unreadable;
  files_left += o.files_left;
  sources_left += o.sources_left;
  files_appended += o.files_appended;
  files_rewritten += o.files_rewritten;
  records += o.records;
  committed += o.committed;
  quarantined += o.quarantined;
  duplicates += o.duplicates;
  bytes += o.bytes;
  batches += o.batches;
  seconds += o.seconds;
  file_reports.insert(file_reports.end(), o.file_reports.begin(), o.file_reports.end());
}

nlohmann::json IngestStats::ToJson(bool with_files) const {
  const double mb = static_cast<double>(bytes) / 1e6;
  nlohmann::json j = {{"files", files},
                      {"files_skipped", files_skipped},
                      {"files_hashed", files_hashed},
                      {"files_unreadable", files_unreadable},
                      {"files_left", files_left},
                      {"sources_left", sources_left},
                      {"files_appended", files_appended},
                      {"files_rewritten", files_rewritten},
                      {"records", records},
                      {"committed", committed},
                      {"quarantined", quarantined},
                      {"duplicates", duplicates},
                      {"bytes", bytes},
                      {"batches", batches},
                      {"seconds", seconds},
                      {"mb_per_s", seconds > 0 ? mb / seconds : 0.0},
                      {"records_per_s", seconds > 0 ? static_cast<double>(records) / seconds : 0.0}};
  auto& unreadable = j["unreadable_files"] = nlohmann::json::array();
  for (const auto& f : file_reports) {
    if (!f.unreadable.empty()) unreadable.push_back({{"file", f.path}, {"error", f.unreadable}});
  }
  if (with_files) {
    auto& arr = j["file_reports"] = nlohmann::json::array();
    for (const auto& f : file_reports) arr.push_back(f.ToJson());
  }
  return j;
}

Result<IngestStats> IngestAll(lake::Lake* lake, const IngestConfig& config, const IngestOptions& options,
                              const std::vector<std::string>& only) {
  IngestStats total;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& [name, source] : config.sources) {
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    if (options.stop != nullptr && options.stop->load()) {
      total.sources_left++;
      continue;
    }
    ASSIGN_OR_RETURN(auto ing, SourceIngester::Open(lake, SourceSpec{source, std::nullopt}, options));
    ASSIGN_OR_RETURN(auto stats, ing->RunOnce());
    total.Add(stats);
  }
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return total;
}

Result<nlohmann::json> IngestReconciliation(lake::Lake* lake, int max_files) {
  ASSIGN_OR_RETURN(auto batches, lake->ListBatches());
  nlohmann::json out = nlohmann::json::object();
  // A file that grew, or was rewritten, is in the lineage of each batch that
  // read a version of it: it counts once, its records in each.
  std::map<std::string, std::set<std::string>> paths;
  for (const auto& b : batches) {
    if (b.state != lake::BatchState::kCommitted) continue;
    auto lineage = nlohmann::json::parse(b.lineage_json, nullptr, false);
    if (!lineage.is_object() || lineage.value("verb", "") != "ingest" || !lineage.contains("ingest_files")) continue;
    auto files = nlohmann::json::parse(lineage["ingest_files"].get<std::string>(), nullptr, false);
    if (!files.is_array()) continue;
    auto& ds = out[b.dataset.name];
    if (ds.is_null()) {
      ds = {{"files", 0}, {"records", 0}, {"committed", 0}, {"quarantined", 0}, {"duplicates", 0},
            {"balanced", true}, {"recent_files", nlohmann::json::array()}};
    }
    for (const auto& f : files) {
      const int64_t rec = f.value("records", 0), c = f.value("committed", 0), q = f.value("quarantined", 0),
                    d = f.value("duplicates", 0);
      if (paths[b.dataset.name].insert(f.value("file", "")).second) ds["files"] = ds["files"].get<int64_t>() + 1;
      ds["records"] = ds["records"].get<int64_t>() + rec;
      ds["committed"] = ds["committed"].get<int64_t>() + c;
      ds["quarantined"] = ds["quarantined"].get<int64_t>() + q;
      ds["duplicates"] = ds["duplicates"].get<int64_t>() + d;
      if (rec != c + q + d) ds["balanced"] = false;
      if (static_cast<int>(ds["recent_files"].size()) < max_files) {
        auto entry = f;
        entry["batch_id"] = b.batch_id;
        ds["recent_files"].push_back(entry);
      }
    }
  }
  return out;
}

}  // namespace custlake::ingest
