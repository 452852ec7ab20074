// custlake init [DIR]: a commented custlake.toml and the lake folders.
#include <spdlog/spdlog.h>

#include <fstream>

#include "cli/cli.h"
#include "generate/landing_schemas.h"
#include "lake/lake.h"
#include "warehouse/embedded_models.h"

namespace custlake::cli {
namespace fs = std::filesystem;

namespace {

/// The built-in staging models (models/staging/*.sql: the data contract's
/// inputs, reading the demo's raw datasets) into the project, for the user to
/// edit; files already there are kept.
Status WriteStagingModels(const fs::path& dir) {
  std::error_code ec;
  for (const warehouse::EmbeddedModelFile& f : warehouse::EmbeddedModelFiles()) {
    if (f.path.rfind("models/staging/", 0) != 0) continue;
    fs::path target = dir / f.path;
    fs::create_directories(target.parent_path(), ec);
    if (fs::exists(target)) continue;
    std::ofstream out(target, std::ios::binary);
    out << f.text;
    if (!out.flush()) return Status::IOError("cannot write " + target.string());
  }
  return Status::OK();
}

}  // namespace

VerbResult RunInit(const GlobalOptions& global, const InitOptions& options) {
  fs::path dir = options.dir.empty() ? global.project_dir : options.dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create project folder " + dir.string() + ": " + ec.message());
  dir = fs::canonical(dir);
  fs::path file = dir / kConfigFileName;
  bool existed = fs::exists(file);
  if (existed && !options.force) {
    spdlog::info("{} already exists; keeping it (use --force to overwrite)", file.string());
  } else {
    std::string name = options.name.empty() ? dir.filename().string() : options.name;
    std::ofstream out(file);
    out << Config::DefaultToml(name);
    if (!out.flush()) return Status::IOError("cannot write " + file.string());
  }
  // The contracts of the generated company's landing files, referenced by the
  // default [ingest.*] sections; a user's own edits are kept.
  fs::create_directories(dir / "schemas", ec);
  for (const auto& [name, text] : {std::pair{"usage.json", generate::UsageSchemaJson()},
                                   std::pair{"tickets.json", generate::TicketSchemaJson()}}) {
    fs::path schema = dir / "schemas" / name;
    if (fs::exists(schema)) continue;
    std::ofstream out(schema);
    out << text;
    if (!out.flush()) return Status::IOError("cannot write " + schema.string());
  }
  RETURN_NOT_OK(WriteStagingModels(dir));
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(GlobalOptions{dir, global.json, global.verbosity, global.quiet}));
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Init(config.lake_root.string()));
  PrintResult(global, "initialised project " + dir.string() + " (lake at " + config.lake_root.string() + ")");
  return nlohmann::json{{"verb", "init"},
                        {"project", dir.string()},
                        {"config", file.string()},
                        {"config_written", !existed || options.force},
                        {"lake", config.lake_root.string()}};
}

void RegisterInit(CLI::App& app, VerbFn* run) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* cmd = app.add_subcommand("init", "Create a project: a commented custlake.toml and the lake folders");
  cmd->add_option("dir", options->dir, "Project folder (default: the -C folder, else the current one)");
  cmd->add_option("--name", options->name, "Project name (default: the folder's name)");
  cmd->add_flag("--force", options->force, "Overwrite an existing custlake.toml");
  cmd->callback([run, options] { *run = [options](const GlobalOptions& g) { return RunInit(g, *options); }; });
}

}  // namespace custlake::cli
