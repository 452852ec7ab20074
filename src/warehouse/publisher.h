// Warehouse versions: each build is one immutable DuckDB file
// warehouse/versions/v<batch>.duckdb (with its append models' segment files,
// segments.h), committed through the lake's commit protocol in the same batch
// as the Parquet export of every table and the build's watermarks (cursors
// "warehouse:<raw dataset>"). The version readers use is the one live .duckdb
// file of dataset warehouse/versions: one metastore
// transaction switches it, so readers see the old version or the new one and
// never a half-built warehouse. Replaced versions are retired, and pruned
// beyond the newest few.
//
// Functions take a Lake (thread-safe); see lake.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/lake.h"
#include "lake/metastore.h"

namespace custlake::warehouse {

/// The dataset holding the version files.
lake::DatasetId VersionsDataset();
/// The dataset of a table's Parquet export: warehouse/<table>.
lake::DatasetId TableDataset(const std::string& table);
/// Cursor key of the last raw batch of `raw_dataset` ("raw/usage") a build consumed.
std::string WatermarkCursor(const std::string& raw_dataset);
inline constexpr const char* kModelsCursor = "warehouse:models";

struct WarehouseVersion {
  int64_t version = 0;        ///< the batch id that published it
  std::string path;           ///< absolute path of the DuckDB file
  std::string relative_path;  ///< relative to the lake root
  std::string committed_at;
};

/// The current version (the live file of warehouse/versions), if any build has published.
Result<std::optional<WarehouseVersion>> CurrentVersion(lake::Lake* lake);
/// The same from a metastore and lake root (readers that hold no Lake).
Result<std::optional<WarehouseVersion>> CurrentVersion(lake::Metastore* metastore, const lake::Layout& layout);

struct PruneReport {
  int files_removed = 0;
  int versions_kept = 0;
};
/// Deletes the retired version files (warehouse/versions) older than the
/// newest `keep` published versions (the current one included).
Result<PruneReport> PruneVersions(lake::Lake* lake, int keep);

/// Deletes every retired file of the Parquet exports warehouse/<table> of
/// `tables` (and their metastore rows), so each folder holds exactly the
/// current version's files. Returns how many were removed.
Result<int> RemoveRetiredExports(lake::Lake* lake, const std::vector<std::string>& tables);

}  // namespace custlake::warehouse
