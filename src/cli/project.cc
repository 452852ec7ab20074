#include "cli/cli.h"

namespace custlake::cli {

Result<Config> LoadProjectConfig(const GlobalOptions& global) { return Config::Load(global.project_dir); }

}  // namespace custlake::cli
