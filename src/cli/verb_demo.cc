// custlake demo [DIR]: a whole company and the whole pipeline, zero set-up.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/cli.h"
#include "cli/demo_analytics.h"
#include "generate/calendar.h"
#include "lake/lake.h"

namespace custlake::cli {
namespace {

struct DemoOptions {
  std::filesystem::path dir = "demo";
  int64_t customers = 10000;
  int months = 12;
  int64_t seed = 42;
  bool no_serve = false;
};

size_t CountPassed(const nlohmann::json& checks) {
  const nlohmann::json& list = checks.is_object() ? checks.value("checks", nlohmann::json::array()) : checks;
  size_t passed = 0;
  for (const auto& c : list) passed += c.value("passed", false) ? 1 : 0;
  return passed;
}

/// What the demo did, round by round, and where to look next.
std::string DemoSummary(const nlohmann::json& stages, const std::vector<std::string>& rounds, double seconds,
                        const DemoOptions& options, const std::string& lake_root) {
  auto n = [](const nlohmann::json& j, const char* pointer) {
    return j.value(nlohmann::json::json_pointer(pointer), int64_t{0});
  };
  std::string text = fmt::format("== demo done in {:.1f} s\n", seconds);
  for (size_t round = 0; round < rounds.size(); ++round) {
    const std::string suffix = round == 0 ? "" : "_" + std::to_string(round + 1);
    const nlohmann::json& g = stages["generate" + suffix];
    const nlohmann::json& im = stages["import" + suffix];
    const nlohmann::json& in = stages["ingest" + suffix];
    const nlohmann::json& b = stages["build" + suffix];
    text += fmt::format("   {}\n", round == 0 && rounds.size() > 1 ? "as of " + rounds[0] + ":"
                                   : rounds.size() > 1             ? "a month later:"
                                                                   : "");
    text +=
        fmt::format("   generated  {} customers, {} transactions, {} usage lines in {} files, {} tickets\n",
                    n(g, "/tables/customers"), n(g, "/tables/transactions"), n(g, "/usage/records"),
                    n(g, "/usage/files"), n(g, "/tickets/records"));
    text += fmt::format("   imported   {} new rows from {} tables\n", n(im, "/rows"),
                        im.value("tables", nlohmann::json::array()).size());
    text += fmt::format("   ingested   {} new records: {} committed, {} quarantined, {} duplicates\n",
                        n(in, "/records"), n(in, "/committed"), n(in, "/quarantined"), n(in, "/duplicates"));
    text +=
        fmt::format("   built      warehouse version {} ({}): {} models, {} checks passed in {:.1f} s\n",
                    b.value("version", int64_t{0}), b.value("incremental", false) ? "incremental" : "full",
                    b.value("models", nlohmann::json::array()).size(),
                    CountPassed(b.value("checks", nlohmann::json())), b.value("total_seconds", 0.0));
  }
  text += "              SELECT * FROM fact_customer_metrics ... (custlake query) reads it\n";
  text += DemoAnalyticsSummary(stages, lake_root);
  text += fmt::format("   explore:   custlake -C {} status\n", options.dir.string());
  text += fmt::format(
      "              custlake -C {} query \"SELECT event_type, count(*) FROM raw.usage GROUP BY ALL\"\n",
      options.dir.string());
  if (!options.no_serve) {
    text += "   serving:   the web UI and its JSON API on http://127.0.0.1:8080/ (Ctrl-C stops both)\n"
            "              the warehouse over the PostgreSQL wire protocol on 127.0.0.1:5433:\n"
            "              psql -h 127.0.0.1 -p 5433 -c \"SELECT count(*) FROM fact_customer_metrics\"\n";
  }
  return text;
}

VerbResult RunDemo(const GlobalOptions& global, const DemoOptions& options) {
  auto started = std::chrono::steady_clock::now();
  GlobalOptions project = global;
  project.project_dir = options.dir;
  nlohmann::json stages = nlohmann::json::object();

  spdlog::info("== init: project in {}", options.dir.string());
  ASSIGN_OR_RETURN(stages["init"], RunInit(project, InitOptions{options.dir, "demo", false}));

  // Two rounds, as a real platform lives: the company as it stood a month
  // before the window's end goes through the whole pipeline; then a month
  // passes (customers change plan, fee and city, new transactions, tickets
  // and usage arrive) and the same pipeline runs again, incrementally: the
  // lastmodified import adds customer versions (the SCD2 dimension's
  // history), ingest takes only the new files, the build appends.
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(project));
  GenerateOverrides gen;
  gen.customers = options.customers;
  gen.months = options.months;
  gen.seed = options.seed;
  // A project that already went through the pipeline is not sent back in
  // time (that would re-import an older snapshot of the tables imported
  // whole): a re-run only brings it to the window's end.
  bool fresh = true;
  {
    ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(config.lake_root.string()));
    ASSIGN_OR_RETURN(auto datasets, lake->ListDatasets());
    for (const lake::DatasetInfo& d : datasets) fresh = fresh && d.id.zone != lake::Zone::kRaw;
  }
  std::vector<std::string> rounds;
  if (options.months > 1 && fresh) {
    ASSIGN_OR_RETURN(int32_t start, generate::ParseDate(config.generate.start_date, "generate.start_date"));
    rounds.push_back(generate::DateString(generate::AddMonthsToFirst(start, options.months - 1)));
  }
  rounds.emplace_back();  // the window's end
  for (size_t round = 0; round < rounds.size(); ++round) {
    const std::string suffix = round == 0 ? "" : "_" + std::to_string(round + 1);
    gen.as_of = rounds[round];
    spdlog::info("== generate: a synthetic company of {} customers over {} months, as of {}", options.customers,
                 options.months, gen.as_of.empty() ? "the window's end" : gen.as_of);
    ASSIGN_OR_RETURN(stages["generate" + suffix], RunGenerate(project, gen));

    spdlog::info("== import: the operational database into raw/sic/ (Sqoop's job)");
    ASSIGN_OR_RETURN(stages["import" + suffix], RunImportSource(project, "sic"));

    spdlog::info("== ingest: the landing folder into raw/usage and raw/tickets (NiFi's job)");
    ASSIGN_OR_RETURN(stages["ingest" + suffix], RunIngestSources(project));
    // An interrupted or partial ingest ends the demo with its exit code: building on it would hide that.
    if (const int code = stages["ingest" + suffix].value("exit_code", 0); code != 0) {
      spdlog::error("demo stopped: the ingest did not finish (exit code {}); run the demo again to go on", code);
      return nlohmann::json{{"verb", "demo"}, {"stages", stages}, {"exit_code", code}};
    }

    spdlog::info("== build: the star schema, checked and published (Hive's job)");
    ASSIGN_OR_RETURN(stages["build" + suffix], RunBuild(project, /*full=*/false));
  }

  RETURN_NOT_OK(RunDemoAnalytics(project, options.months, &stages));
  ASSIGN_OR_RETURN(stages["status"], RunStatus(project));

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  PrintResult(global, DemoSummary(stages, rounds, seconds, options, config.lake_root.string()));
  if (!options.no_serve) {
    ASSIGN_OR_RETURN(stages["serve"], RunServeDefaults(project));
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
  cmd->add_option("--customers", options->customers, "Customers to generate")->capture_default_str()->check(AtLeast(1));
  cmd->add_option("--months", options->months, "Months to simulate")->capture_default_str()->check(CLI::Range(1, 240));
  cmd->add_option("--seed", options->seed, "Random seed")->capture_default_str()->check(AtLeast(0));
  cmd->add_flag("--no-serve", options->no_serve, "Stop after the pipeline instead of serving the web UI (http://127.0.0.1:8080/) and the PostgreSQL wire endpoint (127.0.0.1:5433)");
  cmd->callback([run, options] { *run = [options](const GlobalOptions& g) { return RunDemo(g, *options); }; });
}

}  // namespace custlake::cli
