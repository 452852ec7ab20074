// custlake status: what the lake holds, the analytics in service and what ran.
#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/status_analytics.h"
#include "common/progress.h"
#include "ingest/ingester.h"
#include "lake/lake.h"

namespace custlake::cli {

VerbResult RunStatus(const GlobalOptions& global) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  lake::LakeOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(config.lake_root.string(), read_only));
  const lake::Layout& layout = lake->layout();
  ASSIGN_OR_RETURN(auto datasets, lake->metastore().DatasetSummary());
  ASSIGN_OR_RETURN(auto runs, lake->ListRuns(10));
  ASSIGN_OR_RETURN(auto cursors, lake->ListCursors());
  ASSIGN_OR_RETURN(nlohmann::json reconciliation, ingest::IngestReconciliation(lake.get()));

  nlohmann::json out{{"verb", "status"}, {"project", config.project_dir.string()}, {"lake", layout.root()}};
  out["datasets"] = nlohmann::json::array();
  std::string text = fmt::format("project {}  lake {}\n\n", config.project_dir.string(), layout.root());
  text += fmt::format("{:<36} {:>8} {:>7} {:>12} {:>10} {:>12}  {}\n", "dataset", "batches", "files", "rows",
                      "size", "quarantined", "last commit");
  for (const lake::DatasetStats& d : datasets) {
    out["datasets"].push_back({{"dataset", d.dataset.ToString()},
                               {"batches", d.batch_count},
                               {"files", d.file_count},
                               {"rows", d.row_count},
                               {"bytes", d.byte_count},
                               {"quarantined", d.quarantined_count},
                               {"last_commit_at", d.last_commit_at}});
    text += fmt::format("{:<36} {:>8} {:>7} {:>12} {:>10} {:>12}  {}\n", d.dataset.ToString(), d.batch_count,
                        d.file_count, d.row_count, HumanBytes(static_cast<double>(d.byte_count)),
                        d.quarantined_count, d.last_commit_at);
  }
  if (datasets.empty()) text += "(no datasets yet: run `custlake import` / `custlake ingest`)\n";

  // Ingest's promise: every input record is committed, quarantined or a duplicate.
  out["ingest_reconciliation"] = reconciliation;
  if (!reconciliation.empty()) text += "\ningest reconciliation (records = committed + quarantined + duplicates)\n";
  for (const auto& [dataset, r] : reconciliation.items()) {
    const bool balanced = r.value("balanced", false);
    text += fmt::format("  {:<22} {:>6} files  {:>10} = {} + {} + {}  {}\n", dataset, r.value("files", 0),
                        r.value("records", 0), r.value("committed", 0), r.value("quarantined", 0),
                        r.value("duplicates", 0), balanced ? "ok" : "MISMATCH: some records are unaccounted for");
  }

  out["cursors"] = nlohmann::json::array();
  if (!cursors.empty()) text += "\ncursors\n";
  for (const lake::CursorInfo& c : cursors) {
    out["cursors"].push_back({{"key", c.key}, {"value", c.value}, {"updated_at", c.updated_at}});
    text += fmt::format("  {:<40} {}  ({})\n", c.key, c.value, c.updated_at);
  }

  // The analytics in service: the churn model and the CLV fit behind the scores.
  ASSIGN_OR_RETURN(AnalyticsStatus analytics, ReadAnalyticsStatus(lake.get()));
  out["churn_model"] = analytics.churn_model;
  out["retention_model"] = analytics.retention_model;
  out["clv_fit"] = analytics.clv_fit;
  text += analytics.text;

  out["runs"] = nlohmann::json::array();
  if (!runs.empty()) text += "\nlast runs\n";
  for (const lake::RunInfo& r : runs) {
    out["runs"].push_back({{"run_id", r.run_id},
                           {"verb", r.verb},
                           {"status", std::string(lake::RunStatusName(r.status))},
                           {"started_at", r.started_at},
                           {"ended_at", r.ended_at},
                           {"error", r.error}});
    text += fmt::format("  #{:<5} {:<10} {:<8} {}  {}\n", r.run_id, r.verb, lake::RunStatusName(r.status),
                        r.started_at, r.error);
  }
  // The report is what `status` is for: --quiet silences progress and chatter, not it.
  PrintResult(global, text);
  return out;
}

void RegisterStatus(CLI::App& app, VerbFn* run) {
  app.add_subcommand("status", "Show datasets, batches, row and quarantine counts, cursors and last runs")
      ->callback([run] { *run = RunStatus; });
}

}  // namespace custlake::cli
