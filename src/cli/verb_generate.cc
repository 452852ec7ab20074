// custlake generate: the synthetic company into a database and a landing folder.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "cli/cli.h"
#include "common/progress.h"
#include "db/connection.h"
#include "generate/generator.h"

namespace custlake::cli {

VerbResult RunGenerate(const GlobalOptions& global, const GenerateOverrides& overrides) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  const GenerateConfig& g = config.generate;
  generate::GeneratorOptions options;
  options.customers = overrides.customers >= 0 ? overrides.customers : g.customers;
  options.months = overrides.months >= 0 ? overrides.months : g.months;
  options.seed = static_cast<uint64_t>(overrides.seed >= 0 ? overrides.seed : g.seed);
  options.start_date = g.start_date;
  options.as_of = overrides.as_of.empty() ? g.as_of : overrides.as_of;
  generate::ScaleMess(overrides.mess_scale >= 0 ? overrides.mess_scale : g.mess_scale, &options);
  for (const GenerateConfig::MessRate& m : g.mess) RETURN_NOT_OK(generate::SetMessRate(m.name, m.rate, &options));
  for (const std::string& setting : overrides.mess) {
    const size_t eq = setting.find('=');
    double rate = -1;
    try {
      if (eq != std::string::npos) rate = std::stod(setting.substr(eq + 1));
    } catch (const std::exception&) {
    }
    if (rate < 0) return Status::InvalidArgument("--mess " + setting + ": give NAME=RATE, e.g. usage.duplicate=0.02");
    RETURN_NOT_OK(generate::SetMessRate(setting.substr(0, eq), rate, &options).WithContext("--mess"));
  }
  RETURN_NOT_OK(options.Validate().WithContext("generate options"));
  std::string url_text = overrides.database.empty() ? g.database : overrides.database;
  std::string landing = overrides.landing.empty() ? g.landing.string() : overrides.landing;

  ASSIGN_OR_RETURN(db::DatabaseUrl url, db::DatabaseUrl::Parse(url_text));
  if (!url.password.empty()) {
    return Status::InvalidArgument("a password in the database URL ends up in shell history, process lists and "
                                   "config files: remove it and set CUSTLAKE_DB_PASSWORD or ?password_file=PATH");
  }
  if (url.kind == db::DatabaseUrl::Kind::kSqlite) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(url.database).parent_path(), ec);
  }
  ASSIGN_OR_RETURN(auto connection, db::Connection::Open(url));
  spdlog::info("generating {} customers over {} months (seed {}) into {} and {}", options.customers,
               options.months, options.seed, url.Masked(), landing);

  std::map<std::string, std::unique_ptr<Progress>> bars;
  auto progress = [&bars](std::string_view stage, int64_t done, int64_t total, int64_t bytes) {
    // The two long stages; writing the small tables and the tickets takes no time worth showing.
    static const std::map<std::string, std::string, std::less<>> kUnits = {{"model", "months"}, {"usage", "days"}};
    const auto unit = kUnits.find(stage);
    if (unit == kUnits.end()) return;
    auto& bar = bars[std::string(stage)];
    if (!bar) {
      bar = std::make_unique<Progress>("generate " + std::string(stage), total);
      bar->Unit(unit->second);
    }
    bar->Update(done, bytes);
    if (done >= total) bar->Finish();
  };
  ASSIGN_OR_RETURN(generate::GenerateSummary summary,
                   generate::Generate(options, connection.get(), landing, g.truth.string(), progress));
  bars.clear();

  nlohmann::json out = summary.ToJson();
  out["verb"] = "generate";
  out["database"] = url.Masked();
  out["landing_dir"] = landing;
  out["truth_dir"] = g.truth.string();
  PrintResult(global, fmt::format("generated {} customers ({} churned), {} transactions, {} offers, "
                                  "{} offer assignments, {} usage events, {} tickets in {:.1f} s",
                                  summary.customers, summary.churned_customers, summary.transactions,
                                  summary.offers, summary.offer_assignments, summary.usage_events,
                                  summary.tickets.records_in_files, summary.seconds));
  return out;
}

void RegisterGenerate(CLI::App& app, VerbFn* run) {
  auto o = std::make_shared<GenerateOverrides>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "Write a synthetic company: operational tables into a database, usage and ticket files "
                  "into the landing folder, ground truth into truth/ (defaults from [generate])");
  cmd->add_option("--customers", o->customers, "Customers to generate")->check(AtLeast(1));
  cmd->add_option("--months", o->months, "Months to simulate")->check(CLI::Range(1, 240));
  cmd->add_option("--seed", o->seed, "Random seed (same seed, same company)")->check(AtLeast(0));
  cmd->add_option("--db", o->database, "Database URL: sqlite:PATH, mysql://user@host:port/db, postgres://...");
  cmd->add_option("--landing", o->landing, "Landing folder for usage/ and tickets/");
  cmd->add_option("--as-of", o->as_of,
                  "Write the database and landing files as they stood on this day (YYYY-MM-01, after "
                  "start_date, at most the window's end); a later date moves the same company forward")
      ->option_text("DATE");
  cmd->add_option("--mess-scale", o->mess_scale, "Multiply every rate of mess in the landing files (0 = clean)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--mess", o->mess, "Set one rate of mess, e.g. usage.duplicate=0.02 (repeatable)")
      ->option_text("NAME=RATE");
  cmd->callback([run, o] { *run = [o](const GlobalOptions& g) { return RunGenerate(g, *o); }; });
}

}  // namespace custlake::cli
