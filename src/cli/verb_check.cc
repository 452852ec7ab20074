// custlake check: the warehouse's data-quality checks against the current
// published version (the same checks every build runs before publishing).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/cli.h"
#include "warehouse/builder.h"

namespace custlake::cli {

struct CheckVerbOptions {
  double max_age_hours = 0;
  std::string freshness = "warn";
};

VerbResult RunCheck(const GlobalOptions& global, const CheckVerbOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  warehouse::CheckOptions check;
  check.max_age_seconds = static_cast<int64_t>(options.max_age_hours * 3600);
  check.freshness = options.freshness;
  RETURN_NOT_OK(warehouse::ValidateFreshness(check.freshness));
  ASSIGN_OR_RETURN(auto models, LoadWarehouseModels(config));
  ASSIGN_OR_RETURN(warehouse::CheckReport report,
                   warehouse::CheckCurrentVersion(config.lake_root.string(), models, check));
  std::string text;
  for (const warehouse::CheckResult& r : report.results) {
    const char* state = !r.skipped.empty() ? "skip" : r.warning ? "WARN" : r.passed ? "ok  " : "FAIL";
    text += fmt::format("{} {:<22} {:<60} {}{}\n", state, r.table, r.check, r.where,
                        r.skipped.empty() ? "" : ": " + r.skipped);
  }
  PrintResult(global, text);
  if (report.warnings > 0) spdlog::warn("{} freshness warning(s):{}", report.warnings, report.WarningText());
  if (!report.ok()) {
    return Status::Corruption(std::to_string(report.failed) + " warehouse check(s) failed:" + report.FailureText());
  }
  nlohmann::json summary = report.ToJson();
  summary["verb"] = "check";
  return summary;
}

VerbResult RunCheck(const GlobalOptions& global) { return RunCheck(global, CheckVerbOptions{}); }

void RegisterCheck(CLI::App& app, VerbFn* run) {
  auto options = std::make_shared<CheckVerbOptions>();
  CLI::App* cmd =
      app.add_subcommand("check", "Run the warehouse's checks (keys, relationships, SCD2, reconciliation, freshness)");
  cmd->add_option("--max-age", options->max_age_hours,
                  "Freshness: hours the newest data, and raw data not yet built, may be old "
                  "(0: each check's declared age; raw data waiting: 24)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--freshness", options->freshness, "A stale freshness check: warn, error (fails) or off")
      ->check(CLI::IsMember({"warn", "error", "off"}))
      ->capture_default_str();
  cmd->callback([run, options] { *run = [options](const GlobalOptions& g) { return RunCheck(g, *options); }; });
}

}  // namespace custlake::cli
