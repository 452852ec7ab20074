#include <spdlog/spdlog.h>

#include "cli/cli.h"
#include "generate/options.h"
#include "import/import_config.h"
#include "ingest/ingest_config.h"
#include "warehouse/model_loader.h"

namespace custlake::cli {

Result<Config> LoadProjectConfig(const GlobalOptions& global) {
  ASSIGN_OR_RETURN(Config config, Config::Load(global.project_dir));
  ASSIGN_OR_RETURN(importer::SourcesConfig sources, importer::LoadSourcesConfig(config));
  (void)sources;
  ASSIGN_OR_RETURN(ingest::IngestConfig ingest, ingest::LoadIngestConfig(config.file.string()));
  (void)ingest;
  generate::GeneratorOptions scratch;
  for (const GenerateConfig::MessRate& m : config.generate.mess) {
    Status st = generate::SetMessRate(m.name, m.rate, &scratch);
    if (!st.ok()) return Status::ConfigError(m.where + ": generate.mess." + m.name + ": " + st.message());
  }
  return config;
}

Result<std::vector<warehouse::Model>> LoadWarehouseModels(const Config& config) {
  ASSIGN_OR_RETURN(warehouse::ProjectModels loaded,
                   warehouse::LoadProjectModels(config.project_dir / "models"));
  for (const std::string& o : loaded.overrides)
    spdlog::info("project model {} overrides the built-in one", o);
  if (!loaded.project_models.empty()) {
    std::string names;
    for (const std::string& n : loaded.project_models) names += (names.empty() ? "" : ", ") + n;
    spdlog::info("project models: {}", names);
  }
  return std::move(loaded.models);
}

}  // namespace custlake::cli
