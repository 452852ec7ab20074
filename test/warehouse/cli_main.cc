// A minimal custlake with only the warehouse verbs: proves they compile and run
// before the lead wires them into src/cli/main.cc.
#include <iostream>

#include "cli/cli.h"

namespace custlake::cli {
void RegisterBuild(CLI::App& app, VerbFn* run);
void RegisterCheck(CLI::App& app, VerbFn* run);
void RegisterExportDdl(CLI::App& app, VerbFn* run);
void RegisterDocs(CLI::App& app, VerbFn* run);
}  // namespace custlake::cli

int main(int argc, char** argv) {
  using namespace custlake::cli;
  CLI::App app{"custlake (warehouse verbs only)"};
  GlobalOptions global;
  app.add_option("-C", global.project_dir, "project folder");
  app.add_flag("--json", global.json, "JSON summary");
  app.require_subcommand(1);
  VerbFn run;
  RegisterBuild(app, &run);
  RegisterCheck(app, &run);
  RegisterExportDdl(app, &run);
  RegisterDocs(app, &run);
  CLI11_PARSE(app, argc, argv);
  VerbResult r = run(global);
  if (!r.ok()) {
    std::cerr << "error: " << r.status().message() << "\n";
    return 1;
  }
  if (global.json) std::cout << r->dump() << "\n";
  return 0;
}
