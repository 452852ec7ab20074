// The project configuration: custlake.toml, found in the project folder
// (`custlake -C DIR`, else the current directory).
//
// Loading validates everything up front: an unknown key, a wrong type or a
// missing required value is a ConfigError naming the key and its line, so no
// stage starts on a half-understood config. Relative paths in the file are
// resolved against the folder holding it. Later stages add their sections
// here (one struct each) as they land.
//
// Config is a plain value; copy it freely.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace custlake {

/// [generate]: the synthetic company `custlake generate` and `demo` create.
struct GenerateConfig {
  int64_t customers = 10000;
  int months = 12;
  int64_t seed = 42;
  std::string start_date = "2025-01-01";  ///< first day of the simulated window
  std::string database;                   ///< URL of the operational DB to write
  std::filesystem::path landing;          ///< landing folder for usage/ and tickets/
  std::filesystem::path truth;            ///< ground-truth folder (outside landing)
  std::string as_of;                      ///< "" = the window's end; else YYYY-MM-01 (see generate/options.h)
  /// [generate.mess]: `scale` multiplies every rate of mess (0 = clean files);
  /// the other keys set one rate each, e.g. usage.duplicate = 0.02. Names are
  /// checked by the generator (generate::SetMessRate) when the config loads.
  double mess_scale = 1.0;
  struct MessRate {
    std::string name;   ///< "usage.duplicate", "tickets.malformed", ...
    double rate = 0;
    std::string where;  ///< "custlake.toml:31", for errors
  };
  std::vector<MessRate> mess;
};

struct Config {
  std::filesystem::path project_dir;  ///< absolute folder holding custlake.toml
  std::filesystem::path file;         ///< absolute path of custlake.toml
  std::string project_name = "custlake";
  std::filesystem::path lake_root;    ///< absolute lake folder ([lake] root)
  GenerateConfig generate;

  /// Reads and validates `dir`/custlake.toml.
  static Result<Config> Load(const std::filesystem::path& dir);
  /// Parses TOML text as if it were `file` (for tests and `init`).
  static Result<Config> Parse(const std::string& text, const std::filesystem::path& file);
  /// The commented custlake.toml that `custlake init` writes.
  static std::string DefaultToml(const std::string& project_name);
};

inline constexpr const char* kConfigFileName = "custlake.toml";

}  // namespace custlake
