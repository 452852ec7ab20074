#include "lake/superseded.h"

#include <fmt/format.h>

#include <set>

#include "lake/file_util.h"

namespace custlake::lake {
namespace {

/// The original lake-relative path of a file recorded under _superseded/.
std::string OriginalPath(const std::string& superseded) {
  return superseded.substr(superseded.find('/') + 1);
}

/// Renames `from` to `to` (lake-relative) unless it is there already;
/// records the folders to fsync. A file in neither place was vacuumed: nothing to do.
Status MoveIfPresent(const Layout& layout, const std::string& from, const std::string& to,
                     std::set<std::string>* dirs, bool* moved) {
  *moved = false;
  const std::string source = layout.Absolute(from), target = layout.Absolute(to);
  if (!PathExists(source)) return Status::OK();
  std::vector<std::string> created;
  RETURN_NOT_OK(MakeDirs(ParentDir(target), &created));
  for (const std::string& d : created) dirs->insert(ParentDir(d));
  RETURN_NOT_OK(RenameFile(source, target)
                    .WithContext("moving superseded file " + from + " out of its dataset folder"));
  dirs->insert(ParentDir(source));
  dirs->insert(ParentDir(target));
  *moved = true;
  return Status::OK();
}

}  // namespace

bool SetsAsideRetired(const DatasetId& dataset) {
  return !(dataset.zone == Zone::kWarehouse && dataset.name == "versions");
}

Status SetAsideRetiredLocked(const Layout& layout, Metastore& metastore, bool sync, const FailPointHook& hook,
                             SetAsideReport* report) {
  ASSIGN_OR_RETURN(auto retired, metastore.RetiredFiles("9999"));  // every retired file
  // 1. Record the new place of each retired file still in a dataset folder.
  std::vector<std::pair<int64_t, std::string>> record;
  for (FileInfo& f : retired) {
    if (IsSuperseded(f.path) || !SetsAsideRetired(f.dataset)) continue;
    f.path = SupersededPath(f.path);
    record.emplace_back(f.file_id, f.path);
  }
  if (!record.empty()) {
    RETURN_NOT_OK(metastore.MoveRetiredFileRows(record));
    RETURN_NOT_OK(CheckFailPoint(hook, "set_aside.after_record"));
  }
  // 2. Move every file recorded under _superseded/ that is still in its folder
  //    (the ones just recorded, and any a crashed pass recorded).
  std::set<std::string> dirs, datasets;
  const std::set<int64_t> just_recorded = [&] {
    std::set<int64_t> ids;
    for (const auto& [id, path] : record) ids.insert(id);
    return ids;
  }();
  int i = 0;
  for (const FileInfo& f : retired) {
    if (!IsSuperseded(f.path)) continue;
    const std::string original = OriginalPath(f.path);
    bool moved = false;
    RETURN_NOT_OK(MoveIfPresent(layout, original, f.path, &dirs, &moved));
    if (!moved) continue;
    report->moved++;
    if (!just_recorded.count(f.file_id)) report->finished++;
    report->moved_paths.push_back(original);
    datasets.insert(layout.DatasetDir(f.dataset));
    RETURN_NOT_OK(CheckFailPoint(hook, fmt::format("set_aside.after_rename:{}", i++)));
  }
  if (sync && !dirs.empty()) RETURN_NOT_OK(SyncAll({dirs.begin(), dirs.end()}, true));
  // Partition folders left empty would still be partitions to MSCK REPAIR.
  for (const std::string& d : datasets) RETURN_NOT_OK(RemoveEmptyDirs(d));
  return Status::OK();
}

}  // namespace custlake::lake
