#include "lake/cleanup.h"

#include <errno.h>
#include <signal.h>

#include <filesystem>
#include <unordered_set>

#include <fmt/format.h>

#include "lake/file_util.h"
#include "lake/lake.h"
#include "lake/superseded.h"

namespace custlake::lake {

namespace {

bool ProcessAlive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

Status RecoverLocked(const Layout& layout, Metastore& metastore, bool sweep, bool sync, const FailPointHook& hook,
                     RecoveryReport* report) {
  report->ran = true;
  // 1. Dead batches.
  ASSIGN_OR_RETURN(auto writing, metastore.ListBatches(std::nullopt, BatchState::kWriting));
  for (const BatchInfo& b : writing) {
    ASSIGN_OR_RETURN(auto files, metastore.BatchFiles(b.batch_id));
    for (const FileInfo& f : files) {
      if (f.state != FileState::kPending) continue;
      std::string abs = layout.Absolute(f.path);
      if (PathExists(abs)) {
        RETURN_NOT_OK(RemoveFile(abs).WithContext(fmt::format("recovery of batch {}", b.batch_id)));
        report->files_removed++;
        report->removed_paths.push_back(f.path);
      }
    }
    RETURN_NOT_OK(metastore.AbortBatch(
        b.batch_id, fmt::format("abandoned: process {} on {} ended before Commit; cleaned up by recovery at {}",
                                b.pid, b.host, UtcNow())));
    report->batches_aborted++;
    RETURN_NOT_OK(CheckFailPoint(hook, fmt::format("recover.after_batch:{}", b.batch_id)));
  }
  // 2. Staging leftovers (of the batches above, or of batches aborted
  //    without their folder being removed).
  std::error_code ec;
  if (std::filesystem::is_directory(layout.StagingRoot(), ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(layout.StagingRoot(), ec)) {
      RETURN_NOT_OK(RemoveAll(entry.path().string()));
      report->staging_removed++;
    }
  }
  if (ec) return Status::IOError(fmt::format("recovery: list '{}': {}", layout.StagingRoot(), ec.message()));
  RETURN_NOT_OK(CheckFailPoint(hook, "recover.after_staging"));
  // 3. Retired files out of the dataset folders (before the sweep: a move a
  //    crash interrupted leaves its file at a path the metastore no longer lists).
  SetAsideReport set_aside;
  RETURN_NOT_OK(SetAsideRetiredLocked(layout, metastore, sync, hook, &set_aside));
  report->files_set_aside = set_aside.moved;
  // 4. Unlisted files: renamed into place by a writer that never recorded them.
  if (sweep) {
    ASSIGN_OR_RETURN(auto listed, metastore.AllPaths());
    std::unordered_set<std::string> keep(listed.begin(), listed.end());
    std::vector<std::pair<std::string, std::string>> folders;  // (lake-relative prefix, absolute folder)
    for (Zone zone : AllZones()) folders.emplace_back(std::string(ZoneName(zone)), layout.ZoneDir(zone));
    folders.emplace_back(std::string(kSupersededFolder), layout.SupersededRoot());
    for (const auto& [prefix, dir] : folders) {
      ASSIGN_OR_RETURN(auto present, ListFilesRecursive(dir));
      for (const std::string& rel : present) {
        std::string lake_rel = fmt::format("{}/{}", prefix, rel);
        if (keep.count(lake_rel)) continue;
        RETURN_NOT_OK(RemoveFile(layout.Absolute(lake_rel)).WithContext("recovery sweep"));
        report->files_removed++;
        report->removed_paths.push_back(lake_rel);
      }
      RETURN_NOT_OK(RemoveEmptyDirs(dir));
    }
    RETURN_NOT_OK(CheckFailPoint(hook, "recover.after_sweep"));
  }
  // 5. Runs whose process is gone.
  ASSIGN_OR_RETURN(report->runs_reaped, metastore.ReapDeadRuns(HostName(), ProcessAlive));
  return Status::OK();
}

}  // namespace custlake::lake
