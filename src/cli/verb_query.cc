// custlake query "SQL": read-only SQL over the lake.
#include <iostream>

#include "cli/cli.h"
#include "cli/result_format.h"
#include "query/lake_session.h"

namespace custlake::cli {

namespace {

struct QueryOptions {
  std::string sql;
  ResultFormat format = ResultFormat::kTable;
  int64_t max_rows = 10000;
  double timeout_s = 300;
};

VerbResult RunQuery(const GlobalOptions& global, const QueryOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  query::SandboxOptions sandbox;
  sandbox.max_rows = options.max_rows;
  sandbox.timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_s * 1000));
  ASSIGN_OR_RETURN(auto session, query::LakeSession::Open(config.lake_root.string(), sandbox));
  ASSIGN_OR_RETURN(engine::QueryResult result, session->Run(options.sql));

  nlohmann::json summary{{"verb", "query"},
                         {"columns", result.columns},
                         {"types", result.types},
                         {"row_count", result.rows.size()},
                         {"truncated", result.truncated}};
  if (global.json) {
    // Under --json the rows travel in the one summary object on stdout.
    summary["rows"] = ToJsonRows(result);
    return summary;
  }
  switch (options.format) {
    case ResultFormat::kTable: std::cout << FormatTable(result); break;
    case ResultFormat::kCsv: std::cout << FormatCsv(result); break;
    case ResultFormat::kJson: std::cout << ToJsonRows(result).dump(2) << "\n"; break;
  }
  return summary;
}

}  // namespace

void RegisterQuery(CLI::App& app, VerbFn* run) {
  auto options = std::make_shared<QueryOptions>();
  CLI::App* cmd = app.add_subcommand("query", "Run read-only SQL over the lake (raw.<dataset> views)");
  cmd->add_option("sql", options->sql, "The SQL to run (SELECT/EXPLAIN)")->required();
  std::map<std::string, ResultFormat> formats{
      {"table", ResultFormat::kTable}, {"csv", ResultFormat::kCsv}, {"json", ResultFormat::kJson}};
  cmd->add_option("--format", options->format, "Output format: table, csv or json")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));
  cmd->add_option("--max-rows", options->max_rows, "Return at most N rows (-1: all)")->capture_default_str();
  cmd->add_option("--timeout", options->timeout_s, "Cancel the query after S seconds")->capture_default_str();
  cmd->callback([run, options] { *run = [options](const GlobalOptions& g) { return RunQuery(g, *options); }; });
}

}  // namespace custlake::cli
