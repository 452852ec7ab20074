// custlake: the customer-analytics lakehouse in one program.
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "cli/cli.h"
#include "common/progress.h"
#include "common/toml_section.h"

namespace {

int ExitCodeFor(const custlake::Status& status) {
  switch (status.code()) {
    case custlake::StatusCode::kInvalidArgument:
    case custlake::StatusCode::kConfigError:
      return 2;
    default:
      return 1;
  }
}

/// "unknown verb 'improt' (did you mean import?)" when the first word of the
/// command line that is not an option names no verb; "" otherwise.
std::string UnknownVerbMessage(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-C") ++i;  // its value is a folder, not a verb
    if (arg.empty() || arg[0] == '-') continue;
    std::string meant;
    size_t best = 3;
    for (const CLI::App* verb : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (verb->check_name(arg)) return "";
      const size_t distance = custlake::EditDistance(arg, verb->get_name());
      if (distance < best) best = distance, meant = verb->get_name();
    }
    return "error: unknown verb '" + arg + "'" + (meant.empty() ? "" : " (did you mean " + meant + "?)") +
           "; `custlake --help` lists the verbs";
  }
  return "";
}

void SetUpLogging(const custlake::cli::GlobalOptions& global) {
  // Log lines clear a progress line drawn on stderr, and draw it again below.
  auto logger =
      std::make_shared<spdlog::logger>("custlake", std::make_shared<custlake::ProgressAwareLogSink>(stderr));
  logger->set_pattern("%^%v%$");
  logger->set_level(global.quiet ? spdlog::level::warn
                                 : global.verbosity > 0 ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
  // --json owns stdout; progress goes to stderr, and only when that is a terminal.
  custlake::Progress::SetQuiet(global.quiet);
}

}  // namespace

/// XGBoost (churn, and the demo that runs it) works in libgomp's parallel
/// regions, whose idle threads spin between regions unless OMP_WAIT_POLICY
/// says otherwise: `churn train` on 20,000 customers spent two thirds of its
/// CPU spinning (20.3 CPU s, 51.6 s wall on the busy 2-core machine; 7.0 s and
/// 16.1 s passive). libgomp reads the policy when it is loaded, before main,
/// so for those verbs custlake sets it and executes itself again, once. A
/// policy the user set is kept; a failed exec just goes on.
void UsePassiveOpenMpWaits(int argc, char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  bool runs_xgboost = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    runs_xgboost = runs_xgboost || arg == "churn" || arg == "retention" || arg == "demo";
  }
  if (!runs_xgboost) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);
}

int main(int argc, char** argv) {
  UsePassiveOpenMpWaits(argc, argv);
  using namespace custlake::cli;
  CLI::App app{"custlake: a customer-analytics lakehouse in one program.\n"
               "Imports operational databases, ingests JSON logs, builds a star schema, predicts churn,\n"
               "computes lifetime value and serves it all. Start with `custlake demo`.",
               "custlake"};
  app.set_version_flag("--version", "custlake 0.1.0");
  GlobalOptions global;
  app.add_option("-C", global.project_dir, "Run as if started in DIR (the folder holding custlake.toml)")
      ->option_text("DIR");
  app.add_flag(
      "--json", global.json,
      "Print only one machine-readable JSON summary on stdout (results for people then go to stderr)");
  app.add_flag("-v,--verbose", global.verbosity, "More detail on stderr");
  app.add_flag("-q,--quiet", global.quiet, "Only warnings and errors on stderr");
  app.require_subcommand(1);
  app.fallthrough();

  VerbFn run;
  RegisterInit(app, &run);
  RegisterGenerate(app, &run);
  RegisterStatus(app, &run);
  RegisterImport(app, &run);
  RegisterIngest(app, &run);
  RegisterBuild(app, &run);
  RegisterCheck(app, &run);
  RegisterExportDdl(app, &run);
  RegisterDocs(app, &run);
  RegisterQuery(app, &run);
  RegisterDemo(app, &run);
  RegisterClv(app, &run);
  RegisterChurn(app, &run);
  RegisterRetention(app, &run);
  RegisterServe(app, &run);
  RegisterVacuum(app, &run);
  RegisterUser(app, &run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const std::string unknown_verb = UnknownVerbMessage(app, argc, argv);
    if (!unknown_verb.empty()) {
      std::cerr << unknown_verb << "\n";
      return 2;
    }
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  SetUpLogging(global);
  // -C DIR works like `git -C`: every relative path (the project, `init DIR`,
  // `demo DIR`, --landing, --db sqlite:PATH, --out ...) is relative to DIR.
  if (global.project_dir != ".") {
    std::error_code ec;
    // `custlake -C new init` creates its project folder, as `init new` does.
    if (app.get_subcommands().front()->get_name() == "init") std::filesystem::create_directories(global.project_dir, ec);
    std::filesystem::current_path(global.project_dir, ec);
    if (ec) {
      spdlog::error("error: -C {}: {} (is it a project? `custlake init {}` creates one)", global.project_dir.string(),
                    ec.message(), global.project_dir.string());
      return 2;
    }
    global.project_dir = ".";
  }
  VerbResult result = custlake::Status::Internal("no verb ran");
  try {
    result = run(global);
  } catch (const std::exception& e) {
    // Adapters catch their libraries' exceptions; one that slips through is a
    // bug, but it must end as a clear error, not an abort with a core dump.
    result = custlake::Status::Internal(std::string("unexpected error: ") + e.what() +
                                        " (please report it with the command that caused it)");
  }
  if (!result.ok()) {
    spdlog::error("error: {}", result.status().message());
    if (global.json) {
      std::cout << nlohmann::json{{"ok", false}, {"error", result.status().message()}}.dump() << std::endl;
    }
    return ExitCodeFor(result.status());
  }
  // A verb that did its work but not all of it (ingest: interrupted, files
  // it could not read) says so with an exit code in its summary.
  const int exit_code = result->is_object() ? result->value("exit_code", 0) : 0;
  if (global.json) {
    nlohmann::json summary = *result;
    summary["ok"] = exit_code == 0;
    std::cout << summary.dump() << std::endl;
  }
  return exit_code;
}
