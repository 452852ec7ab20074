#include "cli/cli.h"
#include "generate/options.h"
#include "import/import_config.h"
#include "ingest/ingest_config.h"

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

}  // namespace custlake::cli
