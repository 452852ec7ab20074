// custlake demo [DIR]: a whole company and the whole pipeline, zero set-up.
#include <spdlog/spdlog.h>

#include "cli/cli.h"

namespace custlake::cli {
namespace {

struct DemoOptions {
  std::filesystem::path dir = "demo";
  int64_t customers = 10000;
  int months = 12;
  int64_t seed = 42;
  bool no_serve = false;
};

VerbResult RunDemo(const GlobalOptions& global, const DemoOptions& options) {
  auto started = std::chrono::steady_clock::now();
  GlobalOptions project = global;
  project.project_dir = options.dir;
  nlohmann::json stages = nlohmann::json::object();

  spdlog::info("== init: project in {}", options.dir.string());
  ASSIGN_OR_RETURN(stages["init"], RunInit(project, InitOptions{options.dir, "demo", false}));

  spdlog::info("== generate: a synthetic company of {} customers over {} months", options.customers,
               options.months);
  GenerateOverrides gen;
  gen.customers = options.customers;
  gen.months = options.months;
  gen.seed = options.seed;
  ASSIGN_OR_RETURN(stages["generate"], RunGenerate(project, gen));

  ASSIGN_OR_RETURN(stages["status"], RunStatus(project));

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const nlohmann::json& g = stages["generate"];
  spdlog::info("== demo done in {:.1f} s: {} customers, {} transactions, {} usage events in {} files, {} tickets",
               seconds, g.value("/tables/customers"_json_pointer, 0), g.value("/tables/transactions"_json_pointer, 0),
               g.value("/landing/usage_records"_json_pointer, 0), g.value("/landing/usage_files"_json_pointer, 0),
               g.value("/landing/tickets"_json_pointer, 0));
  spdlog::info("   explore it: custlake -C {} status | query \"SELECT ...\"", options.dir.string());
  if (!options.no_serve) {
    spdlog::info("   (the web UI arrives with `custlake serve`; nothing to serve yet)");
  }
  return nlohmann::json{{"verb", "demo"}, {"project", std::filesystem::absolute(options.dir).string()},
                        {"seconds", seconds}, {"stages", stages}};
}

}  // namespace

void RegisterDemo(CLI::App& app, VerbFn* run) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Create a project with a synthetic company and run the whole pipeline on it");
  cmd->add_option("dir", options->dir, "Project folder to create or reuse")->capture_default_str();
  cmd->add_option("--customers", options->customers, "Customers to generate")->capture_default_str();
  cmd->add_option("--months", options->months, "Months to simulate")->capture_default_str();
  cmd->add_option("--seed", options->seed, "Random seed")->capture_default_str();
  cmd->add_flag("--no-serve", options->no_serve, "Stop after the pipeline instead of serving the UI");
  cmd->callback([run, options] { *run = [options](const GlobalOptions& g) { return RunDemo(g, *options); }; });
}

}  // namespace custlake::cli
