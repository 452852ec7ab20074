// custlake check: the warehouse's data-quality checks against the current
// published version (the same checks every build runs before publishing).
#include <spdlog/spdlog.h>

#include "cli/cli.h"
#include "warehouse/builder.h"

namespace custlake::cli {

VerbResult RunCheck(const GlobalOptions& global) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(warehouse::CheckReport report, warehouse::CheckCurrentVersion(config.lake_root.string()));
  for (const warehouse::CheckResult& r : report.results) {
    spdlog::info("{} {:<22} {:<60} {}", r.passed ? "ok  " : "FAIL", r.table, r.check, r.where);
  }
  if (!report.ok()) {
    return Status::Corruption(std::to_string(report.failed) + " warehouse check(s) failed:" + report.FailureText());
  }
  nlohmann::json summary = report.ToJson();
  summary["verb"] = "check";
  return summary;
}

void RegisterCheck(CLI::App& app, VerbFn* run) {
  app.add_subcommand("check", "Run the warehouse's checks (keys, relationships, SCD2, reconciliation, freshness)")
      ->callback([run] { *run = [](const GlobalOptions& g) { return RunCheck(g); }; });
}

}  // namespace custlake::cli
