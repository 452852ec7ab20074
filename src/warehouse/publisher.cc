#include "warehouse/publisher.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>

namespace custlake::warehouse {

lake::DatasetId VersionsDataset() { return lake::DatasetId::Warehouse("versions"); }
lake::DatasetId TableDataset(const std::string& table) { return lake::DatasetId::Warehouse(table); }
std::string WatermarkCursor(const std::string& raw_dataset) { return "warehouse:" + raw_dataset; }

Result<std::optional<WarehouseVersion>> CurrentVersion(lake::Metastore* metastore, const lake::Layout& layout) {
  ASSIGN_OR_RETURN(auto files, metastore->ListFiles(VersionsDataset()));
  std::optional<WarehouseVersion> best;
  for (const lake::FileInfo& f : files) {
    if (f.path.size() < 7 || f.path.compare(f.path.size() - 7, 7, ".duckdb") != 0) continue;
    if (best && best->version >= f.batch_id) continue;
    best = WarehouseVersion{f.batch_id, layout.Absolute(f.path), f.path, f.committed_at};
  }
  return best;
}

Result<std::optional<WarehouseVersion>> CurrentVersion(lake::Lake* lake) {
  return CurrentVersion(&lake->metastore(), lake->layout());
}

namespace {

/// Deletes the retired files of `dataset` committed by batches before `before`, and their rows.
Result<int> RemoveRetired(lake::Lake* lake, const lake::DatasetId& dataset, int64_t before) {
  ASSIGN_OR_RETURN(auto retired, lake->metastore().ListFiles(dataset, lake::FileState::kRetired));
  std::vector<int64_t> ids;
  for (const lake::FileInfo& f : retired) {
    if (f.batch_id >= before) continue;
    std::error_code ec;
    std::filesystem::remove(lake->layout().Absolute(f.path), ec);
    if (ec) return Status::IOError("cannot remove old warehouse file " + f.path + ": " + ec.message());
    ids.push_back(f.file_id);
  }
  if (!ids.empty()) RETURN_NOT_OK(lake->metastore().DeleteFileRows(ids));
  return static_cast<int>(ids.size());
}

}  // namespace

Result<PruneReport> PruneVersions(lake::Lake* lake, int keep) {
  PruneReport report;
  ASSIGN_OR_RETURN(auto versions, lake->ListBatches(VersionsDataset()));
  std::vector<int64_t> committed;
  for (const lake::BatchInfo& b : versions) {
    if (b.state == lake::BatchState::kCommitted) committed.push_back(b.batch_id);
  }
  std::sort(committed.rbegin(), committed.rend());
  if (static_cast<int>(committed.size()) <= keep) {
    report.versions_kept = static_cast<int>(committed.size());
    return report;
  }
  report.versions_kept = keep;
  int64_t oldest_kept = committed[static_cast<size_t>(std::max(keep, 1)) - 1];
  ASSIGN_OR_RETURN(report.files_removed, RemoveRetired(lake, VersionsDataset(), oldest_kept));
  return report;
}

Result<int> RemoveRetiredExports(lake::Lake* lake, const std::vector<std::string>& tables) {
  int removed = 0;
  for (const std::string& table : tables) {
    ASSIGN_OR_RETURN(int n, RemoveRetired(lake, TableDataset(table), std::numeric_limits<int64_t>::max()));
    removed += n;
  }
  return removed;
}

}  // namespace custlake::warehouse
