// custlake retention train|evaluate|plan|export-dataset: whom a retention offer saves (docs/retention.md).
#include <fmt/format.h>

#include <charconv>

#include "cli/cli.h"
#include "retention/generic.h"
#include "retention/retention.h"

namespace custlake::cli {

namespace {

struct RetentionVerbOptions {
  retention::TrainOptions train;
  retention::GenericOptions generic;  ///< train --input FILE --treatment COL --outcome COL [--id COL]
  std::string truth;                  ///< evaluate: churn_probability.csv ("" = [generate] truth folder's)
  std::string budget;                 ///< plan: N or P%
  double offer_cost = -1;              ///< plan: < 0 = from the offers in the warehouse
  std::string out;                    ///< export-dataset
};

std::string QiniText(const nlohmann::json& v) {
  std::string unweighted;
  if (v.contains("unweighted")) {
    unweighted = fmt::format("  propensity-weighted; unweighted: Qini {:.5f}, AUUC {:.5f}, churn {:.3f} treated vs {:.3f} "
                             "control\n",
                             v["unweighted"]["qini_coefficient"].get<double>(), v["unweighted"]["auuc"].get<double>(),
                             v["unweighted"]["treated_churn_rate"].get<double>(),
                             v["unweighted"]["control_churn_rate"].get<double>());
  }
  return fmt::format("  Qini coefficient {:.5f}  AUUC {:.5f}  calibration slope {:.2f}  ({} rows: {} treated, {} control; "
                     "churn {:.3f} treated vs {:.3f} control)\n",
                     v["qini_coefficient"].get<double>(), v["auuc"].get<double>(), v["calibration_slope"].get<double>(),
                     v["rows"].get<int64_t>(), v["treated"].get<int64_t>(), v["control"].get<int64_t>(),
                     v["treated_churn_rate"].get<double>(), v["control_churn_rate"].get<double>()) +
         unweighted;
}

std::string DecileText(const nlohmann::json& v) {
  std::string text = "  decile  predicted uplift  observed uplift (± s.e.)  treated  control\n";
  for (const auto& d : v["deciles"]) {
    text += fmt::format("  {:>6}  {:>16.4f}  {:>10.4f} (± {:.4f})  {:>7}  {:>7}\n", d["decile"].get<int>(),
                        d["predicted_uplift"].get<double>(), d["observed_uplift"].get<double>(),
                        d["observed_std_error"].get<double>(), d["treated"].get<int64_t>(), d["control"].get<int64_t>());
  }
  return text;
}

std::string PolicyText(const nlohmann::json& table) {
  std::string text = fmt::format(
      "policy table: expected customers saved (true offer effects of {}; {} customers, {} in the truth):\n"
      "  budget  targeted    random  churn prob.  value at risk    uplift    oracle  uplift/oracle\n",
      fmt::join(table["months"].get<std::vector<std::string>>(), ", "), table["customers"].get<int64_t>(),
      table["matched_in_truth"].get<int64_t>());
  for (const auto& b : table["budgets"]) {
    const auto& s = b["saved"];
    text += fmt::format("  {:>5.0f}%  {:>8}  {:>8.1f}  {:>11.1f}  {:>13.1f}  {:>8.1f}  {:>8.1f}  {:>12.0f}%\n",
                        100 * b["budget_share"].get<double>(), b["targeted"].get<int64_t>(), s["random"].get<double>(),
                        s["churn_probability"].get<double>(), s["value_at_risk"].get<double>(), s["uplift"].get<double>(),
                        s["oracle"].get<double>(), 100 * b["share_of_oracle"]["uplift"].get<double>());
  }
  text += fmt::format("  churn probability from {}; value = {}. Goal (uplift >= 80 % of the oracle and above the churn "
                      "ranking at every budget): {}\n",
                      table["churn_probability_from"].get<std::string>(), table["value_from"].get<std::string>(),
                      table["goal_met"].get<bool>() ? "met" : "not met");
  return text;
}

VerbResult RunTrainGeneric(const GlobalOptions& global, const RetentionVerbOptions& options) {
  retention::GenericOptions generic = options.generic;
  generic.learner = options.train.learner;
  if (generic.treatment.empty() || generic.outcome.empty()) {
    return Status::InvalidArgument("--input needs --treatment COL and --outcome COL (the event an offer should prevent)");
  }
  ASSIGN_OR_RETURN(nlohmann::json summary, retention::TrainGeneric(generic));
  PrintResult(global, fmt::format("{}: {} rows ({} train, {} validation, {}), {} features; validation:\n", generic.input,
                                  summary["rows"].get<int64_t>(), summary["train_rows"].get<int64_t>(),
                                  summary["validation_rows"].get<int64_t>(), summary["split"].get<std::string>(),
                                  summary["features"].size()) +
                          QiniText(summary["validation"]) +
                          fmt::format("  {:.1f} s (read {:.1f}, train {:.1f})\n",
                                      summary["timings"]["total_seconds"].get<double>(),
                                      summary["timings"]["read_seconds"].get<double>(),
                                      summary["timings"]["train_seconds"].get<double>()));
  return summary;
}

VerbResult RunTrain(const GlobalOptions& global, const RetentionVerbOptions& options) {
  if (!options.generic.input.empty()) return RunTrainGeneric(global, options);
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(nlohmann::json summary, retention::Train(config.lake_root.string(), options.train));
  PrintResult(global,
              fmt::format("retention model v{} (DR-learner, propensities clipped to [{}, {}]): trained on send months {} "
                          "({} rows), validated on {} ({} rows):\n",
                          summary["model_version"].get<int64_t>(), options.train.learner.clip,
                          1 - options.train.learner.clip,
                          fmt::join(summary["train_months"].get<std::vector<std::string>>(), ", "),
                          summary["rows"]["train"].get<int64_t>(),
                          fmt::join(summary["validation_months"].get<std::vector<std::string>>(), ", "),
                          summary["rows"]["validation"].get<int64_t>()) +
                  QiniText(summary["validation"]) +
                  fmt::format("  {:.1f} s\n", summary["timings"]["total_seconds"].get<double>()));
  return summary;
}

VerbResult RunEvaluate(const GlobalOptions& global, const RetentionVerbOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  retention::EvaluateOptions evaluate;
  evaluate.truth_required = !options.truth.empty();
  evaluate.truth_file = options.truth.empty() ? (config.generate.truth / "churn_probability.csv").string() : options.truth;
  ASSIGN_OR_RETURN(nlohmann::json report, retention::Evaluate(config.lake_root.string(), evaluate));
  std::string text = fmt::format("retention model v{} on send months {}:\n", report["model_version"].get<int64_t>(),
                                 fmt::join(report["validation_months"].get<std::vector<std::string>>(), ", "));
  text += QiniText(report["metrics"]) + DecileText(report["metrics"]);
  if (report.contains("policy_table")) {
    text += PolicyText(report["policy_table"]);
  } else {
    text += "no policy table: " + report.value("policy_table_skipped", std::string()) + "\n";
  }
  PrintResult(global, text);
  return report;
}

/// "N" customers or "P%" of the active ones.
Status ParseBudget(const std::string& text, retention::PlanOptions* plan) {
  const bool share = text.ends_with("%");
  const std::string number = share ? text.substr(0, text.size() - 1) : text;
  double v = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
  if (text.empty() || ec != std::errc() || end != number.data() + number.size() || !(v > 0) ||
      (share && v > 100) || (!share && v != static_cast<double>(static_cast<int64_t>(v)))) {
    return Status::InvalidArgument("--budget '" + text + "': give a number of customers (e.g. 500) or a share of the "
                                   "active customers (e.g. 10%)");
  }
  if (share) {
    plan->budget_share = v / 100;
  } else {
    plan->budget = static_cast<int64_t>(v);
  }
  return Status::OK();
}

VerbResult RunPlan(const GlobalOptions& global, const RetentionVerbOptions& options) {
  retention::PlanOptions plan;
  RETURN_NOT_OK(ParseBudget(options.budget, &plan));
  if (options.offer_cost >= 0) plan.offer_cost = options.offer_cost;
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(nlohmann::json s, retention::Plan(config.lake_root.string(), plan));
  std::string text = fmt::format(
      "retention plan at {} (model v{}): {} of {} active customers targeted (budget {}, offer cost {:.2f} per "
      "targeted customer on average: {}; value = {}):\n  expected saved customers {:.1f}, expected saved value "
      "{:.2f} (90 % interval {:.2f} .. {:.2f})\n",
      s["plan_date"].get<std::string>(), s["model_version"].get<int64_t>(), s["targeted"].get<int64_t>(),
      s["active_customers"].get<int64_t>(), s["budget"].get<int64_t>(), s["offer_cost"].get<double>(),
      s["offer_cost_from"].get<std::string>(), s["value_from"].get<std::string>(),
      s["expected_saved_customers"].get<double>(),
      s["expected_saved_value"].get<double>(), s["saved_value_low"].get<double>(), s["saved_value_high"].get<double>());
  text += "  rank  customer_id    uplift  p_churn       clv  offer cost  expected saved value\n";
  for (const auto& r : s["top"]) {
    text += fmt::format("  {:>4}  {:>11}  {:>8.4f}  {:>7.3f}  {:>8.2f}  {:>10.2f}  {:>20.2f}\n",
                        r["rank"].get<int64_t>(),
                        r["customer_id"].get<int64_t>(), r["uplift"].get<double>(), r["p_churn"].get<double>(),
                        r["clv"].get<double>(), r["offer_cost"].get<double>(), r["expected_saved_value"].get<double>());
  }
  text += "query raw.retention_plan and raw.retention_plan_summary\n";
  PrintResult(global, text);
  return s;
}

VerbResult RunExport(const GlobalOptions& global, const RetentionVerbOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(nlohmann::json s, retention::ExportDataset(config.lake_root.string(), options.train.periods, options.out));
  PrintResult(global, fmt::format("wrote {} training and {} validation rows to {}\n", s["rows"]["train"].get<int64_t>(),
                                  s["rows"]["validation"].get<int64_t>(), options.out));
  return s;
}

void AddPeriodOptions(CLI::App* cmd, RetentionVerbOptions* o) {
  cmd->add_option("--train-months", o->train.periods.train_months, "Send months to train on (the newest before the gap)")
      ->check(AtLeast(1))->capture_default_str();
  cmd->add_option("--validation-months", o->train.periods.validation_months, "The newest send months to validate on")
      ->check(AtLeast(1))->capture_default_str();
}

void AddLearnerOptions(CLI::App* cmd, RetentionVerbOptions* o) {
  cmd->add_option("--folds", o->train.learner.folds, "DR-learner: cross-fitting folds")->capture_default_str();
  cmd->add_option("--clip", o->train.learner.clip, "DR-learner: propensities clipped to [clip, 1 - clip]")
      ->capture_default_str();
  cmd->add_option("--trim", o->train.learner.trim,
                  "DR-learner: the offer's shift and the last stage learn from rows with propensity >= trim (0: all)")
      ->capture_default_str();
  cmd->add_option("--threads", o->train.learner.nuisance.threads, "XGBoost threads (0: all cores)")
      ->capture_default_str();
}

}  // namespace

VerbResult RunRetentionTrainAndPlan(const GlobalOptions& global, const std::string& budget) {
  RetentionVerbOptions options;
  options.budget = budget;
  ASSIGN_OR_RETURN(nlohmann::json trained, RunTrain(global, options));
  ASSIGN_OR_RETURN(nlohmann::json planned, RunPlan(global, options));
  return nlohmann::json{{"train", std::move(trained)}, {"plan", std::move(planned)}};
}

void RegisterRetention(CLI::App& app, VerbFn* run) {
  auto o = std::make_shared<RetentionVerbOptions>();
  CLI::App* retention =
      app.add_subcommand("retention", "Retention targeting: whom an offer saves (train, evaluate, plan; docs/retention.md)");
  retention->require_subcommand(1);
  retention->fallthrough();
  auto bind = [run, o](VerbResult (*fn)(const GlobalOptions&, const RetentionVerbOptions&)) {
    return [run, o, fn] {
      *run = [o, fn](const GlobalOptions& g) -> VerbResult {
        o->train.learner.uplift.threads = o->train.learner.shift.threads = o->train.learner.nuisance.threads;
        return fn(g, *o);
      };
    };
  };
  CLI::App* train = retention->add_subcommand(
      "train", "Fit the uplift model (DR-learner over XGBoost) on past offers; validate on later months; publish it");
  AddPeriodOptions(train, o.get());
  AddLearnerOptions(train, o.get());
  train->add_option("--effect", o->train.effect,
                    "The uplift from: drivers (the offer's effect as a small model of fee, tickets, usage decline, "
                    "tenure and dormancy; docs/retention.md), trees (the DR-learner's), or auto (both fitted, the "
                    "one with the higher Qini on the validation months served); not with --input")
      ->check(CLI::IsMember({"auto", "drivers", "trees"}))
      ->capture_default_str();
  train->add_option("--input", o->generic.input, "Any experiment instead of the warehouse: a CSV or Parquet file");
  train->add_option("--treatment", o->generic.treatment, "With --input: the treatment column (1/0, true/false, yes/no)");
  train->add_option("--outcome", o->generic.outcome, "With --input: the outcome the offer should prevent (0/1, true/false)");
  train->add_option("--id", o->generic.id, "With --input: an id column (never a feature; one id's rows share a fold)");
  train->add_option("--split-column", o->generic.split_column,
                    "With --input: a column of 'train'/'validation' (default: a seeded 70/30 split)");
  train->callback(bind(RunTrain));
  CLI::App* evaluate = retention->add_subcommand(
      "evaluate", "Qini, uplift curve, deciles and calibration on the validation months; the policy table with the truth");
  evaluate->add_option("--truth", o->truth, "truth/churn_probability.csv with offer_effect (default: [generate] truth)");
  evaluate->callback(bind(RunEvaluate));
  CLI::App* plan = retention->add_subcommand(
      "plan", "Rank active customers by uplift x CLV - offer cost; publish raw.retention_plan and its summary");
  plan->add_option("--budget", o->budget, "Customers to target: N, or P% of the active customers")->required();
  plan->add_option("--offer-cost", o->offer_cost,
                   "Cost of one offer (currency of the CLV); default: each customer's expected cost of its segment's "
                   "newest retention offer (redemption rate x discount x monthly fee x months; docs/retention.md)")
      ->check(CLI::NonNegativeNumber);
  plan->callback(bind(RunPlan));
  CLI::App* exp = retention->add_subcommand(
      "export-dataset", "Write the training and validation rows (customer_id, send_date, period, treated, churned, features)");
  exp->add_option("--out", o->out, "A .parquet or .csv file")->required();
  AddPeriodOptions(exp, o.get());
  exp->callback(bind(RunExport));
}

}  // namespace custlake::cli
