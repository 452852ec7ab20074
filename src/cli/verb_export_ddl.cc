// custlake export-ddl --dialect hive|trino|spark --location PREFIX [-o FILE]:
// external tables over the current warehouse version's Parquet export and
// every raw dataset of the lake (warehouse/export_inputs.h), and the models,
// for engines past one machine; exits 1 naming what would point nowhere.
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "warehouse/dag.h"
#include "warehouse/export_ddl.h"
#include "warehouse/export_inputs.h"
#include "warehouse/model_loader.h"

namespace custlake::cli {

struct ExportDdlOptions {
  std::string dialect = "hive";
  std::string location;
  std::string output;
  std::string schema = "custlake";
};

/// Each external table, its folder, and the custlake query relation it reads the same as.
nlohmann::json ExportedLocations(const warehouse::ExportInputs& inputs, const std::string& location,
                                 const std::string& schema) {
  nlohmann::json out = nlohmann::json::array();
  for (const warehouse::TableSchema& t : inputs.tables) {
    if (t.model->IsView()) continue;
    out.push_back({{"table", schema + "." + t.model->name},
                   {"location", location + "/warehouse/" + t.model->name + "/"},
                   {"reads_as", t.model->name}});
  }
  for (const warehouse::RawTableSchema& r : inputs.raw) {
    out.push_back({{"table", "raw." + r.view + "_files"},
                   {"location", location + "/" + r.dataset + "/"},
                   {"reads_as", "raw." + r.view}});
  }
  return out;
}

VerbResult RunExportDdl(const GlobalOptions& global, const ExportDdlOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(warehouse::Dialect dialect, warehouse::ParseDialect(options.dialect));
  ASSIGN_OR_RETURN(auto loaded, LoadWarehouseModels(config));
  ASSIGN_OR_RETURN(auto models, warehouse::SortModels(std::move(loaded)));
  ASSIGN_OR_RETURN(auto inputs, warehouse::DescribeForExport(config.lake_root.string(), models));
  const auto& tables = inputs.tables;
  const auto& raw = inputs.raw;
  std::string location = options.location.empty() ? config.lake_root.string() : options.location;
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  ASSIGN_OR_RETURN(std::string ddl, warehouse::ExportDdl(tables, raw, dialect, location, options.schema));
  if (!inputs.superseded_in_place.empty()) {
    spdlog::warn(
        "{} replaced files still sit in their dataset folders (e.g. {}): they were replaced while another "
        "batch was running, and external tables read them until the next import, ingest, build or "
        "custlake vacuum moves them to _superseded/",
        inputs.superseded_in_place.size(), inputs.superseded_in_place.front());
  }
  const bool to_stdout = options.output.empty() || options.output == "-";
  nlohmann::json summary{{"verb", "export-ddl"},
                         {"dialect", options.dialect},
                         {"location", location},
                         {"tables", tables.size()},
                         {"raw_tables", raw.size()},
                         {"models", models.size()},
                         {"version", inputs.version},
                         {"superseded_in_place", inputs.superseded_in_place},
                         {"exports", ExportedLocations(inputs, location, options.schema)},
                         {"output", to_stdout ? "-" : options.output}};
  if (to_stdout && global.json) {
    summary["ddl"] = ddl;  // stdout holds only the JSON: the DDL travels inside it
  } else if (to_stdout) {
    std::cout << ddl;
  } else {
    std::ofstream out(options.output, std::ios::binary);
    out << ddl;
    if (!out) return Status::IOError("cannot write " + options.output);
  }
  return summary;
}

void RegisterExportDdl(CLI::App& app, VerbFn* run) {
  auto options = std::make_shared<ExportDdlOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export-ddl",
      "Write external tables over the warehouse's Parquet export and the raw zone, and the models, for Hive, Trino or Spark");
  cmd->add_option("--dialect", options->dialect, "hive, trino or spark")
      ->check(CLI::IsMember({"hive", "trino", "spark"}))
      ->capture_default_str();
  cmd->add_option("--location", options->location, "Prefix under which warehouse/ lives (default: the lake folder)");
  cmd->add_option("--schema", options->schema, "Database/schema to create the tables in")->capture_default_str();
  cmd->add_option(
      "-o,--output", options->output,
      "Write to FILE instead of stdout (with --json and no FILE, the DDL is the summary's \"ddl\")");
  cmd->callback([run, options] { *run = [options](const GlobalOptions& g) { return RunExportDdl(g, *options); }; });
}

}  // namespace custlake::cli
