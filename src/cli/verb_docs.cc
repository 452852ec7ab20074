// custlake docs [--out DIR]: the warehouse's data dictionary (tables,
// columns, descriptions, checks, lineage) as Markdown and HTML.
#include <filesystem>
#include <fstream>

#include "cli/cli.h"
#include "query/reader_views.h"
#include "warehouse/dag.h"
#include "warehouse/data_dictionary.h"
#include "warehouse/model_loader.h"

namespace custlake::cli {

VerbResult RunDocs(const GlobalOptions& global, const std::string& out_dir) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(auto loaded, LoadWarehouseModels(config));
  ASSIGN_OR_RETURN(auto lineage, warehouse::DescribeRawLineage(config.lake_root.string(), loaded));
  // The reader views every query session adds (fact_customer_scores), described like the models;
  // the scores they read are published after the build, so the raw lineage is the build's.
  ASSIGN_OR_RETURN(auto reader_views, query::ReaderViewModels());
  for (warehouse::Model& m : reader_views) loaded.push_back(std::move(m));
  RETURN_NOT_OK(warehouse::ResolveRefs(&loaded));
  ASSIGN_OR_RETURN(auto models, warehouse::SortModels(std::move(loaded)));
  ASSIGN_OR_RETURN(auto tables, warehouse::DescribeCurrentVersion(config.lake_root.string(), models));
  std::filesystem::path dir = out_dir.empty() ? config.project_dir / "docs" : std::filesystem::path(out_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::path md = dir / "data_dictionary.md", html = dir / "data_dictionary.html";
  {
    std::ofstream out(md, std::ios::binary);
    out << warehouse::DataDictionaryMarkdown(tables, lineage);
    if (!out) return Status::IOError("cannot write " + md.string());
  }
  {
    std::ofstream out(html, std::ios::binary);
    out << warehouse::DataDictionaryHtml(tables, lineage);
    if (!out) return Status::IOError("cannot write " + html.string());
  }
  PrintResult(global, "wrote " + md.string() + " and " + html.string());
  return nlohmann::json{{"verb", "docs"}, {"markdown", md.string()}, {"html", html.string()}, {"tables", tables.size()}};
}

void RegisterDocs(CLI::App& app, VerbFn* run) {
  auto out_dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("docs", "Write the warehouse's data dictionary as Markdown and HTML");
  cmd->add_option("--out", *out_dir, "Folder to write into (default: <project>/docs)");
  cmd->callback([run, out_dir] { *run = [out_dir](const GlobalOptions& g) { return RunDocs(g, *out_dir); }; });
}

}  // namespace custlake::cli
