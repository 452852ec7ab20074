// custlake vacuum [--retain N] [--older-than DURATION] [--dry-run]: deletes
// old warehouse versions and superseded files that nothing kept needs
// (warehouse/retention.h; docs/lake-format.md, Superseded files and vacuum).
#include <fmt/format.h>

#include <charconv>

#include "cli/cli.h"
#include "common/progress.h"
#include "warehouse/retention.h"

namespace custlake::cli {

struct VacuumVerbOptions {
  int retain = 3;
  std::string older_than = "1h";
  bool dry_run = false;
};

/// "0", "90s", "15m", "12h", "7d" (a bare number is seconds).
Result<std::chrono::seconds> ParseDuration(const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  const std::string unit(end, text.data() + text.size());
  const int64_t scale = unit.empty() || unit == "s" ? 1
                        : unit == "m"               ? 60
                        : unit == "h"               ? 3600
                        : unit == "d"               ? 86400
                                                    : 0;
  if (ec != std::errc() || n < 0 || scale == 0) {
    return Status::InvalidArgument("--older-than " + text +
                                   ": expected a number with s, m, h or d (e.g. 0, 30m, 12h, 7d)");
  }
  return std::chrono::seconds(n * scale);
}

VerbResult RunVacuum(const GlobalOptions& global, const VacuumVerbOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  warehouse::RetentionOptions retention;
  retention.retain = options.retain;
  ASSIGN_OR_RETURN(retention.older_than, ParseDuration(options.older_than));
  retention.dry_run = options.dry_run;
  ASSIGN_OR_RETURN(auto report, warehouse::VacuumLake(config.lake_root.string(), retention));

  const char* verb = options.dry_run ? "would remove" : "removed";
  nlohmann::json removed = nlohmann::json::array();
  std::string text;
  for (const lake::FileInfo& f : report.files.removed) {
    removed.push_back(f.path);
    text += fmt::format("{} {}\n", verb, f.path);
  }
  text += fmt::format(
      "{} {} files ({}), {} warehouse versions; kept versions {}; {} retired files kept for them; "
      "{} superseded files moved out of their dataset folders\n",
      verb, report.files.files_removed, HumanBytes(static_cast<double>(report.files.bytes_removed)),
      report.versions_removed.size(), fmt::join(report.versions_kept, ", "), report.files.files_kept,
      report.files.files_set_aside);
  PrintResult(global, text);
  return nlohmann::json{{"verb", "vacuum"},
                        {"dry_run", options.dry_run},
                        {"retain", options.retain},
                        {"older_than_seconds", retention.older_than.count()},
                        {"versions_kept", report.versions_kept},
                        {"versions_removed", report.versions_removed},
                        {"files_removed", report.files.files_removed},
                        {"bytes_removed", report.files.bytes_removed},
                        {"files_kept", report.files.files_kept},
                        {"files_set_aside", report.files.files_set_aside},
                        {"removed", removed}};
}

void RegisterVacuum(CLI::App& app, VerbFn* run) {
  auto options = std::make_shared<VacuumVerbOptions>();
  CLI::App* cmd = app.add_subcommand(
      "vacuum",
      "Delete old warehouse versions and superseded files that no kept version or reader needs (like Delta's "
      "VACUUM and Iceberg's expire_snapshots)");
  cmd->add_option("--retain", options->retain, "Newest warehouse versions to keep, whatever their age")
      ->check(AtLeast(1))
      ->capture_default_str();
  cmd->add_option(
         "--older-than", options->older_than,
         "Only what was replaced longer ago than this (0, 30m, 12h, 7d): readers still planning over "
         "a file have had time to finish")
      ->capture_default_str();
  cmd->add_flag("--dry-run", options->dry_run, "List what would be removed; remove nothing");
  cmd->callback(
      [run, options] { *run = [options](const GlobalOptions& g) { return RunVacuum(g, *options); }; });
}

}  // namespace custlake::cli
