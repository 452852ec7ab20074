// `custlake build`: turns the raw zone into the star schema and publishes it
// as a new warehouse version.
//
// One build = one lake batch (primary dataset warehouse/versions):
//   1. snapshot the live raw files the models read; load the models (embedded
//      or given) and sort them by their references;
//   2. incremental (the default, when a previous version exists, built from
//      the same models): copy the current version's DuckDB file into the
//      batch's staging folder, hard-link its append models' segments
//      (segments.h: the facts, outside the version file) and feed each model
//      only the raw batches that version did not consume (delta.<view>);
//      full (--full, or no usable previous version): new files, every model
//      from all of raw;
//   3. run every model's checks; any failure aborts the batch (the previous
//      version keeps serving) with a report naming check, table and rows;
//   4. export every table as Parquet under warehouse/<table>/ (facts
//      partitioned by month=YYYY-MM) into the same batch;
//   5. commit: version file, segments, Parquet files and watermark cursors become live
//      in one metastore transaction; then the replaced Parquet export is
//      deleted (warehouse/<table>/ holds exactly the current version) and old
//      version files beyond --keep are pruned.
// A crash anywhere before the commit point leaves the previous version live
// and only staging files, which the lake's recovery removes.
//
// Thread safety: Build opens its own Lake and DuckDB; concurrent builds on one
// lake are safe (the second to commit fails on the moved watermark cursor).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "lake/fail_point.h"
#include "warehouse/checks.h"
#include "warehouse/model.h"

namespace custlake::warehouse {

struct BuildOptions {
  std::string lake_root;
  bool full = false;            ///< rebuild everything from all of raw
  /// A staging view (a data contract input) with no rows is reported in
  /// empty_inputs instead of failing the build (staging_contract.h).
  bool allow_empty = false;
  bool run_checks = true;
  bool export_parquet = true;
  int keep_versions = 3;        ///< published versions kept on disk (current included)
  int threads = 0;              ///< DuckDB threads, 0 = all cores
  std::string memory_limit;     ///< DuckDB memory limit, "" = DuckDB's default
  std::vector<Model> models;    ///< empty: the models compiled into the binary
  std::optional<int64_t> run_id;
  /// Test seam: consulted at "build.after_models", "build.after_checks",
  /// "build.after_export" and by the lake's commit protocol.
  lake::FailPointHook fail_point;
  /// Progress lines ("dim_customer: 2000 rows in 0.1 s"); may be empty.
  std::function<void(const std::string&)> log;
  /// Called before each step: models done so far, total steps, what runs now.
  std::function<void(int done, int total, const std::string& current)> progress;
  /// Freshness thresholds and severity for the checks.
  CheckOptions checks;
};

struct ModelStat {
  std::string name;
  std::string mode;  ///< "full", "rebuilt", "appended", "merged", "recomputed from 2025-12-01", "unchanged"
  int64_t rows = 0;  ///< rows in the table after the build
  int64_t changed = 0;  ///< rows written by this build
  int64_t moved = 0;    ///< append: settled rows moved to the tail for @post_incremental (segments.h)
  double seconds = 0;
};

struct BuildReport {
  int64_t version = 0;          ///< the batch id, also in the file name v<version>.duckdb
  std::optional<int64_t> previous_version;
  bool incremental = false;
  std::string path;             ///< absolute path of the published DuckDB file
  std::vector<ModelStat> models;
  CheckReport checks;
  int checks_skipped = 0;       ///< incremental: checks of unchanged tables not run again
  std::map<std::string, int64_t> watermarks;  ///< raw dataset -> last batch consumed
  /// The raw views the models read that held no data ("raw.usage") and, with
  /// allow_empty, the staging views without rows ("stg_usage"): usually an
  /// import or ingest not run yet, or a source named otherwise.
  std::vector<std::string> empty_inputs;
  int64_t parquet_files = 0;
  int64_t parquet_files_reused = 0;  ///< incremental: hard-linked from the previous version's export
  double models_seconds = 0, checks_seconds = 0, export_seconds = 0, commit_seconds = 0, total_seconds = 0;
  /// Incremental: how the previous version's file was copied (FileCopy::method) and how long it took.
  std::string version_copy;
  double copy_seconds = 0;
  /// Append model -> how this version got its segment (SegmentSet::Modes:
  /// written, linked, copied, rewritten); see segments.h.
  std::map<std::string, std::string> segments;
  int pruned_files = 0;

  nlohmann::json ToJson() const;
};

/// Builds and publishes a new warehouse version. A failed check is an error
/// (kCorruption) whose message lists the failures; nothing is published then.
Result<BuildReport> Build(const BuildOptions& options);

/// `custlake check`: runs the models' checks against the current version,
/// with the raw zone as that version consumed it (its consumed batches, even
/// those a full re-import retired since), plus one freshness check per raw
/// view: committed raw batches the version has not consumed, waiting longer
/// than the maximum age (options.max_age_seconds, default one day), mean the
/// warehouse is stale. NotFound if none is published.
Result<CheckReport> CheckCurrentVersion(const std::string& lake_root, const std::vector<Model>& models = {},
                                        const CheckOptions& options = {});

}  // namespace custlake::warehouse
