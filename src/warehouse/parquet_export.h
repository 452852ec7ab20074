// The warehouse tables' Parquet exports, written into the build's batch beside
// the version's DuckDB file: warehouse/<table>/, partitioned by month=YYYY-MM
// where the model says partition_by. Incremental builds reuse (hard-link) the
// previous export's files of what did not change.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "common/status.h"
#include "engine/engine.h"
#include "lake/lake.h"
#include "warehouse/model_loader.h"

namespace custlake::warehouse {

/// Which month= partitions of a partitioned model's export this build changed:
/// the others hold the previous version's rows and their files are reused.
struct PartitionChanges {
  bool all = true;                ///< everything (full builds, rebuilt models, unknown changes)
  std::set<std::string> months;   ///< "2025-03"
  std::string from;               ///< recompute_from: every month >= this one ("" = none)
  bool deleted = false;           ///< append: rows of a replaced source were deleted
  bool rebuilt = false;           ///< merge, recompute_from: rebuilt in an incremental build
  int64_t post_incremental_rows = 0;  ///< append: rows @post_incremental changed
  bool Touched(const std::string& month) const {
    return all || months.count(month) || (!from.empty() && month >= from);
  }
};

/// Writes the whole of table `m` (one file, or one folder per month). Returns the files.
Result<int64_t> ExportTable(engine::Session* session, lake::BatchWriter* batch, const Model& m);

/// Incremental builds, a partitioned table the build changed in some months
/// only: the untouched months' previous files are reused, the others written
/// (details in the .cc). Returns the files (reused ones counted in `reused`).
Result<int64_t> ExportChangedPartitions(lake::Lake* lake, engine::Session* session, lake::BatchWriter* batch,
                                        const Model& m, const PartitionChanges& changes, bool appended_only,
                                        int64_t* reused);

/// Incremental builds, a table left as the previous version had it: its
/// previous export reused. -1 (nothing declared) when the live files do not
/// hold exactly the table's `rows`.
Result<int64_t> ReuseExport(lake::Lake* lake, lake::BatchWriter* batch, const std::string& table, int64_t rows);

}  // namespace custlake::warehouse
