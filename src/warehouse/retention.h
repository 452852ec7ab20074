// `custlake vacuum`: the retention of warehouse versions and superseded files,
// as Delta's VACUUM and Iceberg's expire_snapshots do it. The newest `retain`
// published versions stay whatever their age (the current one always); an
// older version's files go once a newer build replaced it more than
// `older_than` ago. A retired file of any other dataset (a raw part a full
// re-import replaced, moved to _superseded/ by the lake) goes once it was
// retired more than `older_than` ago, unless a kept version consumed its
// batch: `custlake check` reads the raw batches the current version
// consumed, live or retired. Runs with the lake locked exclusively
// (lake::Lake::Vacuum), so no build commits between the plan and the deletion.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/lake.h"

namespace custlake::warehouse {

struct RetentionOptions {
  int retain = 3;  ///< newest published versions kept whatever their age (at least 1)
  std::chrono::seconds older_than = std::chrono::hours(1);
  bool dry_run = false;
};

struct RetentionReport {
  std::vector<int64_t> versions_kept;     ///< newest first
  std::vector<int64_t> versions_removed;  ///< whose version files went (dry run: would go)
  lake::VacuumReport files;
};

/// Vacuums the lake at `lake_root` under `options`.
Result<RetentionReport> VacuumLake(const std::string& lake_root, const RetentionOptions& options);

}  // namespace custlake::warehouse
