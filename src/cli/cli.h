// The custlake command line: global options, the verbs, and what every verb
// shares (how it finds its project, how it reports).
//
// Each verb is a function that does the work and returns a JSON summary;
// main.cc parses arguments with CLI11, calls it, and prints the summary on
// stdout when --json is given. A verb's result for people (a report, a
// summary line, query rows, DDL) goes to stdout through PrintResult; logs,
// warnings and progress go to stderr. Under --json stdout holds only the
// JSON, so `custlake X --json | jq` always works. Exit codes: 0 ok,
// 1 runtime failure, 2 usage or config error; a summary's "exit_code" (a
// run that did part of its work: ingest's 3 partial, 130 interrupted) is
// the process's exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/config.h"
#include "common/status.h"
#include "warehouse/model.h"

namespace custlake::cli {

struct GlobalOptions {
  std::filesystem::path project_dir = ".";  ///< -C DIR
  bool json = false;                        ///< --json
  int verbosity = 0;                        ///< -v (1 = debug)
  bool quiet = false;                       ///< --quiet
};

/// A CLI11 check that an integer option is at least `min`, with a short message.
inline CLI::Validator AtLeast(int64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        try {
          size_t used = 0;
          if (std::stoll(text, &used) >= min && used == text.size()) return "";
        } catch (const std::exception&) {
        }
        return "must be an integer of at least " + std::to_string(min) + ", got " + text;
      },
      ">=" + std::to_string(min));
}

/// Prints a verb's result for people (lines of text; a final newline is
/// added when missing) on stdout. Under --json, where stdout holds only the
/// JSON summary, it goes to stderr instead, and --quiet silences it there.
void PrintResult(const GlobalOptions& global, const std::string& text);

/// What a verb hands back to main: a summary, or the failure.
using VerbResult = Result<nlohmann::json>;
/// A verb's body, bound to its parsed options by the Register function.
using VerbFn = std::function<VerbResult(const GlobalOptions&)>;

/// Loads custlake.toml from the project folder named by -C, and validates
/// the stage sections ([sources], [ingest]) too, so any mistake in the file
/// stops the run before work starts.
Result<Config> LoadProjectConfig(const GlobalOptions& global);

/// The project's warehouse models: the built-in ones, each overridden by a
/// file of the same name under <project>/models/ (any depth), plus the
/// project's own models; logs each override and project model.
Result<std::vector<warehouse::Model>> LoadWarehouseModels(const Config& config);

// One Register function per verb (in verb_*.cc). Each adds its subcommand to
// `app` and stores the function main should run when it was chosen.
void RegisterInit(CLI::App& app, VerbFn* run);
void RegisterGenerate(CLI::App& app, VerbFn* run);
void RegisterStatus(CLI::App& app, VerbFn* run);
void RegisterImport(CLI::App& app, VerbFn* run);  // import and import-all-tables
void RegisterIngest(CLI::App& app, VerbFn* run);
void RegisterBuild(CLI::App& app, VerbFn* run);
void RegisterCheck(CLI::App& app, VerbFn* run);
void RegisterExportDdl(CLI::App& app, VerbFn* run);  // export-ddl
void RegisterDocs(CLI::App& app, VerbFn* run);
void RegisterQuery(CLI::App& app, VerbFn* run);
void RegisterDemo(CLI::App& app, VerbFn* run);
void RegisterClv(CLI::App& app, VerbFn* run);  // clv fit|predict|evaluate
void RegisterChurn(CLI::App& app, VerbFn* run);  // churn train|evaluate|score|explain
void RegisterRetention(CLI::App& app, VerbFn* run);  // retention train|evaluate|plan|export-dataset
void RegisterServe(CLI::App& app, VerbFn* run);
void RegisterVacuum(CLI::App& app, VerbFn* run);
void RegisterUser(CLI::App& app, VerbFn* run);  // user add|list|remove

// The verbs' bodies, callable from other verbs (demo chains them).
struct InitOptions {
  std::filesystem::path dir;  ///< empty = the -C folder
  std::string name;           ///< project name; empty = the folder's name
  bool force = false;         ///< overwrite an existing custlake.toml
};
VerbResult RunInit(const GlobalOptions& global, const InitOptions& options);

struct GenerateOverrides {
  int64_t customers = -1;  ///< -1 = from custlake.toml
  int months = -1;
  int64_t seed = -1;
  std::string database;
  std::string landing;
  std::string as_of;                ///< "" = from custlake.toml
  double mess_scale = -1;           ///< -1 = from custlake.toml
  std::vector<std::string> mess;    ///< NAME=RATE, after the config's
};
VerbResult RunGenerate(const GlobalOptions& global, const GenerateOverrides& overrides);

VerbResult RunStatus(const GlobalOptions& global);
/// `custlake import SOURCE`: every configured table of [sources.SOURCE].
VerbResult RunImportSource(const GlobalOptions& global, const std::string& source);
/// `custlake ingest`: every configured [ingest.NAME] source.
VerbResult RunIngestSources(const GlobalOptions& global);
/// `custlake build [--full]`: the warehouse, checked and published as a new version.
VerbResult RunBuild(const GlobalOptions& global, bool full);
VerbResult RunCheck(const GlobalOptions& global);
/// `custlake docs`: the data dictionary into `out_dir` ("" = <project>/docs).
VerbResult RunDocs(const GlobalOptions& global, const std::string& out_dir);
/// `custlake churn train` then `custlake churn score` on the current warehouse version.
VerbResult RunChurnTrainAndScore(const GlobalOptions& global);
/// `retention train` then `retention plan --budget BUDGET` (the demo's).
VerbResult RunRetentionTrainAndPlan(const GlobalOptions& global, const std::string& budget);
/// `custlake clv fit` in a project: the warehouse's purchases, scores published as raw.clv_scores.
VerbResult RunClvOnWarehouse(const GlobalOptions& global);
/// `custlake serve` with its defaults (HTTP on 127.0.0.1:8080, PostgreSQL wire on 127.0.0.1:5433) until SIGINT or SIGTERM.
VerbResult RunServeDefaults(const GlobalOptions& global);

}  // namespace custlake::cli
