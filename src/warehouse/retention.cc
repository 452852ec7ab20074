#include "warehouse/retention.h"

#include <algorithm>
#include <set>

#include "engine/engine.h"
#include "warehouse/publisher.h"
#include "warehouse/segments.h"

namespace custlake::warehouse {
namespace {

/// What a retired file must stay for: the kept versions and the raw batches
/// they consumed. Loaded at its first question, when the lake is locked.
class KeepRule {
 public:
  KeepRule(lake::Lake* lake, int retain) : lake_(lake), retain_(retain) {}

  Result<bool> Keep(const lake::FileInfo& f) {
    if (!loaded_) RETURN_NOT_OK(LoadConsumed());
    if (f.dataset == VersionsDataset()) return kept_versions_.count(f.batch_id) > 0;
    if (f.dataset.zone != lake::Zone::kRaw) return false;
    return keep_all_raw_ || consumed_.count(f.batch_id) > 0;
  }
  /// The newest `retain` published versions, newest first.
  Result<std::vector<int64_t>> KeptVersions() {
    if (!versions_loaded_) {
      versions_loaded_ = true;
      ASSIGN_OR_RETURN(auto batches, lake_->ListBatches(VersionsDataset()));  // newest first
      for (const lake::BatchInfo& b : batches) {
        if (b.state != lake::BatchState::kCommitted) continue;
        if (static_cast<int>(kept_list_.size()) >= retain_) break;
        kept_list_.push_back(b.batch_id);
        kept_versions_.insert(b.batch_id);
      }
    }
    return kept_list_;
  }

 private:
  Status LoadConsumed() {
    loaded_ = true;
    ASSIGN_OR_RETURN(auto kept, KeptVersions());
    (void)kept;
    ASSIGN_OR_RETURN(auto db, engine::Database::Open(engine::DatabaseOptions{}));
    ASSIGN_OR_RETURN(auto session, db->Connect());
    for (lake::FileState state : {lake::FileState::kLive, lake::FileState::kRetired}) {
      ASSIGN_OR_RETURN(auto files, lake_->metastore().ListFiles(VersionsDataset(), state));
      for (const lake::FileInfo& f : files) {
        if (!f.path.ends_with(".duckdb") || !kept_versions_.count(f.batch_id)) continue;
        RETURN_NOT_OK(ReadConsumed(session.get(), lake_->layout().Absolute(f.path)));
      }
    }
    return Status::OK();
  }

  Status ReadConsumed(engine::Session* session, const std::string& path) {
    const std::string catalog = "v" + std::to_string(attached_++);
    RETURN_NOT_OK(session->Execute("ATTACH " + engine::QuoteLiteral(path) + " AS " + catalog + " (READ_ONLY)")
                      .WithContext("reading the raw batches warehouse version " + path + " consumed"));
    ASSIGN_OR_RETURN(auto consumed, ConsumedBatches(session, catalog));
    if (!consumed) {
      keep_all_raw_ = true;  // a version from before consumed-batch tracking: keep every raw file
    } else {
      for (const auto& [view, ids] : *consumed) consumed_.insert(ids.begin(), ids.end());
    }
    return session->Execute("DETACH " + catalog);
  }

  lake::Lake* lake_;
  int retain_;
  bool loaded_ = false, versions_loaded_ = false, keep_all_raw_ = false;
  int attached_ = 0;
  std::vector<int64_t> kept_list_;
  std::set<int64_t> kept_versions_, consumed_;
};

}  // namespace

Result<RetentionReport> VacuumLake(const std::string& lake_root, const RetentionOptions& options) {
  if (options.retain < 1) {
    return Status::InvalidArgument(
        "vacuum: --retain must be at least 1 (the current warehouse version stays)");
  }
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  KeepRule rule(lake.get(), options.retain);
  lake::VacuumOptions vacuum;
  vacuum.min_age = options.older_than;
  vacuum.dry_run = options.dry_run;
  vacuum.keep = [&rule](const lake::FileInfo& f) { return rule.Keep(f); };
  RetentionReport report;
  ASSIGN_OR_RETURN(report.files, lake->Vacuum(vacuum));
  ASSIGN_OR_RETURN(report.versions_kept, rule.KeptVersions());
  for (const lake::FileInfo& f : report.files.removed) {
    if (f.dataset == VersionsDataset() && f.path.ends_with(".duckdb"))
      report.versions_removed.push_back(f.batch_id);
  }
  std::sort(report.versions_removed.rbegin(), report.versions_removed.rend());
  return report;
}

}  // namespace custlake::warehouse
