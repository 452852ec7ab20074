// custlake build [--full]: the raw zone -> the star schema, checked and
// published as a new warehouse version (docs/warehouse.md).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/cli.h"
#include "common/progress.h"
#include "lake/lake.h"
#include "warehouse/builder.h"

namespace custlake::cli {

struct BuildVerbOptions {
  bool full = false;
  bool no_export = false;
  bool allow_empty = false;
  int keep = 3;
  int threads = 0;
  std::string memory_limit;
  double max_age_hours = 0;
  std::string freshness = "warn";
};

/// The body of `custlake build`; demo calls it too.
VerbResult RunBuild(const GlobalOptions& global, const BuildVerbOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  warehouse::BuildOptions build;
  build.lake_root = config.lake_root.string();
  build.full = options.full;
  build.allow_empty = options.allow_empty;
  ASSIGN_OR_RETURN(build.models, LoadWarehouseModels(config));
  build.export_parquet = !options.no_export;
  build.keep_versions = options.keep;
  build.threads = options.threads;
  build.memory_limit = options.memory_limit;
  build.checks.max_age_seconds = static_cast<int64_t>(options.max_age_hours * 3600);
  build.checks.freshness = options.freshness;
  RETURN_NOT_OK(warehouse::ValidateFreshness(options.freshness));
  // On a terminal: one progress line (step, model, elapsed); the per-model
  // lines then go to the debug log so they do not tear it.
  Progress progress("build", 0);
  progress.SetSteps("steps");
  build.log = [&progress](const std::string& line) {
    if (progress.enabled()) {
      spdlog::debug("{}", line);
    } else {
      spdlog::info("{}", line);
    }
  };
  build.progress = [&progress](int done, int total, const std::string& current) {
    progress.SetTotal(total);
    progress.SetNote(current);
    progress.Update(done);
  };
  std::optional<int64_t> run_id;
  {
    ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(build.lake_root));
    auto id = lake->BeginRun("build", {options.full ? "--full" : "--incremental"});
    if (id.ok()) run_id = *id;
  }
  build.run_id = run_id;
  Result<warehouse::BuildReport> report = warehouse::Build(build);
  if (run_id) {
    auto lake = lake::Lake::Open(build.lake_root);
    if (lake.ok()) {
      (void)(*lake)->EndRun(*run_id, report.ok() ? Status::OK() : report.status(),
                            report.ok() ? report->ToJson().dump() : "{}");
    }
  }
  if (report.ok()) progress.Finish();
  if (!report.ok()) return report.status();
  nlohmann::json summary = report->ToJson();
  summary["verb"] = "build";
  PrintResult(global,
              fmt::format("published warehouse version {} ({}): {} models, {} checks passed in {:.1f} s",
                          report->version, report->incremental ? "incremental" : "full",
                          report->models.size(), report->checks.passed, report->total_seconds));
  // Empty tables are valid, but an input that never had data is most often a
  // missing import or ingest, or a source named otherwise: say which.
  std::string empty;
  for (const std::string& view : report->empty_inputs) empty += (empty.empty() ? "" : ", ") + view;
  summary["warnings"] = nlohmann::json::array();
  if (!empty.empty()) {
    const std::string warning =
        "the models read inputs that hold no data yet: " + empty +
        "; their tables are empty (run `custlake import` and `custlake ingest` first, "
        "and map your own datasets in models/staging/: docs/warehouse.md, Your own data)";
    summary["warnings"].push_back(warning);
    if (!global.quiet) std::cerr << "warning: " << warning << "\n";
  }
  return summary;
}

VerbResult RunBuild(const GlobalOptions& global, bool full) {
  BuildVerbOptions options;
  options.full = full;
  return RunBuild(global, options);
}

void RegisterBuild(CLI::App& app, VerbFn* run) {
  auto options = std::make_shared<BuildVerbOptions>();
  CLI::App* cmd = app.add_subcommand(
      "build", "Build the star schema from the raw zone, check it and publish it as a new warehouse version");
  cmd->add_flag("--full", options->full, "Rebuild every table from all of raw (default: incremental)");
  cmd->add_flag("--no-export", options->no_export, "Skip the Parquet export under warehouse/<table>/");
  cmd->add_flag("--allow-empty", options->allow_empty,
                "Build even when a staging model (a data contract input) has no rows: its tables are empty");
  cmd->add_option("--keep", options->keep, "Published versions to keep on disk")->capture_default_str();
  cmd->add_option("--threads", options->threads, "DuckDB threads (0: all cores)")->capture_default_str();
  cmd->add_option("--memory-limit", options->memory_limit, "DuckDB memory limit, e.g. 4GB");
  cmd->add_option("--max-age", options->max_age_hours,
                  "Freshness: hours the newest data may be old (0: each check's declared age)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--freshness", options->freshness, "A stale freshness check: warn, error (fails the build) or off")
      ->check(CLI::IsMember({"warn", "error", "off"}))
      ->capture_default_str();
  cmd->callback([run, options] { *run = [options](const GlobalOptions& g) { return RunBuild(g, *options); }; });
}

}  // namespace custlake::cli
