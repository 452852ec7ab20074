#include "lake/lake.h"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lake/cleanup.h"
#include "lake/file_lock.h"
#include "lake/file_util.h"

namespace custlake::lake {

Status LakeOptions::Validate() const {
  if (lock_timeout.count() < 0) return Status::InvalidArgument("lake: lock_timeout must not be negative");
  if (metastore.busy_timeout.count() < 0) {
    return Status::InvalidArgument("lake: metastore busy_timeout must not be negative");
  }
  return Status::OK();
}

namespace {

std::string AbsoluteRoot(const std::string& root) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(root.empty() ? "." : root, ec);
  if (ec) return root;
  std::string out = abs.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

nlohmann::ordered_json BatchJson(const BatchInfo& b) {
  nlohmann::ordered_json j;
  j["batch_id"] = b.batch_id;
  j["dataset"] = b.dataset.ToString();
  j["state"] = std::string(BatchStateName(b.state));
  j["run_id"] = b.run_id ? nlohmann::ordered_json(*b.run_id) : nlohmann::ordered_json();
  j["started_at"] = b.started_at;
  j["ended_at"] = b.ended_at;
  j["files"] = b.file_count;
  j["rows"] = b.row_count;
  j["bytes"] = b.byte_count;
  j["quarantined"] = b.quarantined_count;
  j["lineage"] = nlohmann::ordered_json::parse(b.lineage_json, nullptr, false);
  if (!b.error.empty()) j["error"] = b.error;
  return j;
}

}  // namespace

std::string LakeSummary::ToJson() const {
  nlohmann::ordered_json j;
  j["root"] = root;
  j["schema_version"] = schema_version;
  j["files"] = file_count;
  j["rows"] = row_count;
  j["bytes"] = byte_count;
  j["quarantined"] = quarantined_count;
  j["datasets"] = nlohmann::ordered_json::array();
  for (const auto& d : datasets) {
    j["datasets"].push_back({{"dataset", d.dataset.ToString()},
                             {"files", d.file_count},
                             {"rows", d.row_count},
                             {"bytes", d.byte_count},
                             {"batches", d.batch_count},
                             {"quarantined", d.quarantined_count},
                             {"updated_at", d.last_commit_at}});
  }
  j["writing_batches"] = nlohmann::ordered_json::array();
  for (const auto& b : writing_batches) j["writing_batches"].push_back(BatchJson(b));
  j["recent_batches"] = nlohmann::ordered_json::array();
  for (const auto& b : recent_batches) j["recent_batches"].push_back(BatchJson(b));
  j["recent_runs"] = nlohmann::ordered_json::array();
  for (const auto& r : recent_runs) {
    j["recent_runs"].push_back({{"run_id", r.run_id},
                                {"verb", r.verb},
                                {"args", nlohmann::ordered_json::parse(r.args_json, nullptr, false)},
                                {"status", std::string(RunStatusName(r.status))},
                                {"started_at", r.started_at},
                                {"ended_at", r.ended_at},
                                {"summary", nlohmann::ordered_json::parse(r.summary_json, nullptr, false)},
                                {"error", r.error}});
  }
  return j.dump(2);
}

Lake::Lake(Layout layout, LakeOptions options, std::unique_ptr<Metastore> metastore)
    : layout_(std::move(layout)), options_(std::move(options)), metastore_(std::move(metastore)) {}

Lake::~Lake() = default;

Result<std::unique_ptr<Lake>> Lake::Open(const std::string& root, LakeOptions options) {
  RETURN_NOT_OK(options.Validate());
  Layout layout(AbsoluteRoot(root));
  if (!PathExists(layout.MetastorePath())) {
    return Status::NotFound(fmt::format("no lake at '{}' (missing {}); create one with `custlake init`",
                                        layout.root(), layout.MetastorePath()));
  }
  MetastoreOptions mo = options.metastore;
  mo.create = false;
  mo.read_only = options.read_only;
  ASSIGN_OR_RETURN(auto metastore, Metastore::Open(layout.MetastorePath(), mo));
  std::unique_ptr<Lake> lake(new Lake(std::move(layout), std::move(options), std::move(metastore)));
  if (!lake->options_.read_only && lake->options_.recover_on_open) {
    ASSIGN_OR_RETURN(RecoveryReport report, lake->Recover(lake->options_.sweep_on_open));
    (void)report;
  }
  return lake;
}

Result<std::unique_ptr<Lake>> Lake::Init(const std::string& root, LakeOptions options) {
  RETURN_NOT_OK(options.Validate());
  if (options.read_only) return Status::InvalidArgument("lake: Init needs a writable lake (read_only is set)");
  Layout layout(AbsoluteRoot(root));
  for (const std::string& dir : layout.FoldersToCreate()) {
    RETURN_NOT_OK(MakeDirs(dir).WithContext("lake init"));
  }
  {
    MetastoreOptions mo = options.metastore;
    mo.create = true;
    mo.read_only = false;
    ASSIGN_OR_RETURN(auto metastore, Metastore::Open(layout.MetastorePath(), mo));
  }
  if (options.sync) {
    RETURN_NOT_OK(SyncDir(layout.root()));
    RETURN_NOT_OK(SyncDir(ParentDir(layout.root())));
  }
  return Open(layout.root(), std::move(options));
}

std::string Lake::StagingFor(int64_t batch_id, const DatasetId& dataset, std::string_view relative) const {
  return fmt::format("{}/{}/{}", layout_.StagingDir(batch_id), dataset.ToString(), relative);
}

Result<RecoveryReport> Lake::Recover(bool sweep) {
  if (options_.read_only) return Status::InvalidArgument("lake: Recover on a read-only lake");
  RecoveryReport report;
  ASSIGN_OR_RETURN(FileLock lock, FileLock::TryAcquire(layout_.LockPath(), FileLock::Mode::kExclusive));
  if (!lock.held()) return report;  // a batch is live somewhere: leave everything alone
  RETURN_NOT_OK(RecoverLocked(layout_, *metastore_, sweep, options_.sync, options_.fail_point, &report)
                    .WithContext(fmt::format("lake '{}': recovery", layout_.root())));
  return report;
}

Result<BatchWriter> Lake::BeginBatch(const DatasetId& dataset, BatchOptions options) {
  if (options_.read_only) {
    return Status::InvalidArgument(fmt::format("lake '{}' was opened read-only; cannot write {}", layout_.root(),
                                                dataset.ToString()));
  }
  RETURN_NOT_OK(ValidateDatasetName(dataset.name));
  // Cheap recovery (no sweep) when no batch is live: dead batches and staging.
  ASSIGN_OR_RETURN(RecoveryReport report, Recover(/*sweep=*/false));
  (void)report;
  ASSIGN_OR_RETURN(FileLock lock,
                   FileLock::Acquire(layout_.LockPath(), FileLock::Mode::kShared, options_.lock_timeout));
  ASSIGN_OR_RETURN(int64_t id, metastore_->InsertBatch(dataset, options.lineage.ToJson(), options.run_id));
  BatchWriter writer = BatchWriter::Start(this, id, dataset, std::move(lock));
  Status st = MakeDirs(layout_.StagingDir(id));
  if (!st.ok()) {
    (void)writer.Abort(st.ToString());
    return st.WithContext(fmt::format("batch {} ({})", id, dataset.ToString()));
  }
  if (options.replace) RETURN_NOT_OK(writer.ReplaceDataset(dataset));
  return writer;
}

namespace {

/// The metastore's time `age` ago ("9999" for no age: everything retired so far).
std::string TimeAgo(std::chrono::seconds age) {
  if (age.count() <= 0) return "9999";
  auto secs = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - age);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.999Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

Result<VacuumReport> Lake::Vacuum(std::chrono::seconds min_age) {
  VacuumOptions options;
  options.min_age = min_age;
  return Vacuum(options);
}

Result<VacuumReport> Lake::Vacuum(const VacuumOptions& options) {
  if (options_.read_only) return Status::InvalidArgument("lake: Vacuum on a read-only lake");
  ASSIGN_OR_RETURN(FileLock lock,
                   FileLock::Acquire(layout_.LockPath(), FileLock::Mode::kExclusive, options_.lock_timeout));
  VacuumReport report;
  if (!options.dry_run) {
    RecoveryReport recovered;
    RETURN_NOT_OK(
        RecoverLocked(layout_, *metastore_, /*sweep=*/false, options_.sync, options_.fail_point, &recovered)
            .WithContext(fmt::format("lake '{}': recovery before vacuum", layout_.root())));
    report.files_set_aside = recovered.files_set_aside;
  }
  ASSIGN_OR_RETURN(auto retired, metastore_->RetiredFiles(TimeAgo(options.min_age)));
  std::vector<int64_t> ids;
  for (FileInfo& f : retired) {
    if (options.keep) {
      ASSIGN_OR_RETURN(bool keep, options.keep(f));
      if (keep) {
        report.files_kept++;
        continue;
      }
    }
    if (!options.dry_run) RETURN_NOT_OK(RemoveFile(layout_.Absolute(f.path)).WithContext("vacuum"));
    ids.push_back(f.file_id);
    report.files_removed++;
    report.bytes_removed += f.byte_count;
    report.removed.push_back(std::move(f));
  }
  // Files first, then their rows: a crash in between leaves rows whose files
  // are gone, which the next vacuum drops (removing a missing file is no error).
  if (!options.dry_run) RETURN_NOT_OK(metastore_->DeleteFileRows(ids));
  return report;
}

Result<std::vector<FileInfo>> Lake::CommittedFiles(const DatasetId& dataset, const Partition& partition_filter) {
  ASSIGN_OR_RETURN(auto files, metastore_->ListFiles(dataset, FileState::kLive, partition_filter));
  for (FileInfo& f : files) f.absolute_path = layout_.Absolute(f.path);
  return files;
}

Result<std::vector<std::string>> Lake::CommittedPaths(const DatasetId& dataset, const Partition& partition_filter) {
  ASSIGN_OR_RETURN(auto files, CommittedFiles(dataset, partition_filter));
  std::vector<std::string> out;
  out.reserve(files.size());
  for (auto& f : files) out.push_back(std::move(f.absolute_path));
  return out;
}

Result<std::vector<DatasetInfo>> Lake::ListDatasets() { return metastore_->ListDatasets(); }
Result<std::optional<DatasetInfo>> Lake::GetDataset(const DatasetId& dataset) {
  return metastore_->GetDataset(dataset);
}
Result<std::optional<BatchInfo>> Lake::GetBatch(int64_t batch_id) { return metastore_->GetBatch(batch_id); }
Result<std::vector<BatchInfo>> Lake::ListBatches(std::optional<DatasetId> dataset, int limit) {
  return metastore_->ListBatches(std::move(dataset), std::nullopt, limit);
}
Result<std::optional<std::string>> Lake::GetCursor(const std::string& key) { return metastore_->GetCursor(key); }
Result<std::vector<CursorInfo>> Lake::ListCursors() { return metastore_->ListCursors(); }
Result<std::optional<IngestedFileInfo>> Lake::FindIngestedFile(const DatasetId& dataset, const std::string& checksum) {
  return metastore_->FindIngestedFile(dataset, checksum);
}

Result<std::optional<IngestedFileInfo>> Lake::LastIngestedAt(const DatasetId& dataset, const std::string& path) {
  return metastore_->LastIngestedAt(dataset, path);
}
Result<bool> Lake::HasIngestedChecksumOfLength(const DatasetId& dataset, int length) {
  return metastore_->HasIngestedChecksumOfLength(dataset, length);
}
Result<std::vector<QuarantineCount>> Lake::ListQuarantine(std::optional<int64_t> batch_id) {
  return metastore_->ListQuarantine(batch_id);
}
Result<std::vector<LandingIdentity>> Lake::ListLandingIdentities(const DatasetId& dataset) {
  return metastore_->ListLandingIdentities(dataset);
}
Status Lake::UpdateLandingIdentities(const DatasetId& dataset, const std::vector<LandingIdentity>& upserts,
                                     const std::vector<std::string>& removed) {
  return metastore_->UpdateLandingIdentities(dataset, upserts, removed);
}

Result<LakeSummary> Lake::Summary(int recent) {
  LakeSummary s;
  s.root = layout_.root();
  ASSIGN_OR_RETURN(s.schema_version, metastore_->SchemaVersion());
  ASSIGN_OR_RETURN(s.datasets, metastore_->DatasetSummary());
  for (const auto& d : s.datasets) {
    s.file_count += d.file_count;
    s.row_count += d.row_count;
    s.byte_count += d.byte_count;
    s.quarantined_count += d.quarantined_count;
  }
  ASSIGN_OR_RETURN(s.recent_batches, metastore_->ListBatches(std::nullopt, std::nullopt, recent));
  ASSIGN_OR_RETURN(s.writing_batches, metastore_->ListBatches(std::nullopt, BatchState::kWriting));
  ASSIGN_OR_RETURN(s.recent_runs, metastore_->ListRuns(recent));
  return s;
}

Result<int64_t> Lake::BeginRun(const std::string& verb, const std::vector<std::string>& args) {
  if (options_.read_only) return Status::InvalidArgument("lake: BeginRun on a read-only lake");
  return metastore_->BeginRun(verb, args);
}

Status Lake::EndRun(int64_t run_id, const Status& outcome, const std::string& summary_json) {
  if (options_.read_only) return Status::InvalidArgument("lake: EndRun on a read-only lake");
  const RunStatus status = outcome.ok()                                  ? RunStatus::kOk
                           : outcome.code() == StatusCode::kCancelled ? RunStatus::kInterrupted
                                                                       : RunStatus::kFailed;
  return EndRun(run_id, status, summary_json, outcome.ok() ? std::string() : outcome.ToString());
}

Status Lake::EndRun(int64_t run_id, RunStatus status, const std::string& summary_json, const std::string& error) {
  if (options_.read_only) return Status::InvalidArgument("lake: EndRun on a read-only lake");
  return metastore_->EndRun(run_id, status, summary_json, error);
}

Result<std::vector<RunInfo>> Lake::ListRuns(int limit) { return metastore_->ListRuns(limit); }

}  // namespace custlake::lake
