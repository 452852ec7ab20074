// custlake churn train|evaluate|score|explain: churn prediction over the warehouse (docs/churn.md).
#include <fmt/format.h>


#include "churn/churn.h"
#include "churn/generic.h"
#include "churn/report.h"
#include "cli/cli.h"

namespace custlake::cli {

namespace {

struct ChurnVerbOptions {
  std::string cutoff;
  int horizon_days = 90;
  churn::TrainOptions train;
  double threshold = -1;  ///< < 0: the churn rate of the evaluated rows
  std::string out;    ///< evaluate: report folder ("" = <project>/reports/churn)
  std::string truth;  ///< evaluate: churn_probability.csv ("" = [generate] truth folder's)
  int64_t customer_id = 0;
  churn::GenericOptions generic;  ///< train --input FILE --label COL [--id COL] [--cv K]
};

std::string MetricsText(const nlohmann::json& metrics) {
  std::string text;
  for (const char* model : {"xgboost", "logistic"}) {
    const auto& m = metrics[model];
    text += fmt::format("  {:<9} ROC AUC {:.4f}  PR AUC {:.4f}  log loss {:.4f}  Brier {:.4f}\n", model,
                             m["roc_auc"].get<double>(), m["pr_auc"].get<double>(), m["log_loss"].get<double>(),
                             m["brier"].get<double>());
  }
  return text;
}

VerbResult RunTrainGeneric(const GlobalOptions& global, const ChurnVerbOptions& options) {
  churn::GenericOptions generic = options.generic;
  generic.gbm = options.train.gbm;
  ASSIGN_OR_RETURN(nlohmann::json summary, churn::TrainGeneric(generic));
  {
    std::string text = fmt::format("{}: {} rows, {} churned ('{}'), {} features; validation ({} rows):\n", generic.input,
                             summary["rows"].get<int64_t>(), summary["positives"].get<int64_t>(),
                             summary["positive_label"].get<std::string>(), summary["features"].size(),
                             summary["validation_rows"].get<int64_t>());
    text += MetricsText(summary["metrics"]);
    if (summary.contains("cv_roc_auc_mean")) {
      text += fmt::format("  {}-fold CV ROC AUC {:.4f} ± {:.4f}\n", generic.cv, summary["cv_roc_auc_mean"].get<double>(),
                               summary["cv_roc_auc_std"].get<double>());
    }
    PrintResult(global, text);
  }
  return summary;
}

VerbResult RunTrain(const GlobalOptions& global, const ChurnVerbOptions& options) {
  if (!options.generic.input.empty()) return RunTrainGeneric(global, options);
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  churn::TrainOptions train = options.train;
  train.validation_cutoff = options.cutoff;
  train.horizon_days = options.horizon_days;
  train.threshold = options.threshold;
  ASSIGN_OR_RETURN(nlohmann::json summary, churn::Train(config.lake_root.string(), train));
  {
    std::string text = fmt::format("churn model v{}: trained on cutoffs {}, validated on {} ({} + {} rows)\n",
                             summary["model_version"].get<int64_t>(), fmt::join(summary["train_cutoffs"].get<std::vector<std::string>>(), ", "),
                             summary["validation_cutoff"].get<std::string>(), summary["rows"]["train"].get<int64_t>(),
                             summary["rows"]["validation"].get<int64_t>());
    PrintResult(global, text + MetricsText(summary["metrics"]));
  }
  summary["roc_auc"] = summary["metrics"]["xgboost"]["roc_auc"];
  return summary;
}

VerbResult RunEvaluate(const GlobalOptions& global, const ChurnVerbOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  churn::EvaluateOptions evaluate;
  evaluate.cutoff = options.cutoff;
  evaluate.threshold = options.threshold;
  evaluate.truth_file = options.truth.empty() ? (config.generate.truth / "churn_probability.csv").string() : options.truth;
  ASSIGN_OR_RETURN(nlohmann::json report, churn::Evaluate(config.lake_root.string(), evaluate));
  const std::string out = options.out.empty() ? (config.project_dir / "reports" / "churn").string() : options.out;
  ASSIGN_OR_RETURN(auto paths, churn::WriteReport(report, out));
  {
    std::string text = fmt::format("churn model v{} at cutoff {}:\n", report["model_version"].get<int64_t>(),
                             report["cutoff"].get<std::string>());
    text += MetricsText(report["metrics"]);
    if (report.contains("oracle")) {
      text += fmt::format("  oracle    ROC AUC {:.4f} (true hazard of {}; xgboost on the same {} customers {:.4f})\n",
                               report["oracle"]["oracle_roc_auc"].get<double>(), report["oracle"]["month"].get<std::string>(),
                               report["oracle"]["matched"].get<int64_t>(), report["oracle"]["model_roc_auc"].get<double>());
    }
    text += "report: " + paths.second + " (and " + paths.first + ")\n";
    PrintResult(global, text);
  }
  report.erase("roc_curves");
  report["report_html"] = paths.second;
  report["report_json"] = paths.first;
  return report;
}

VerbResult RunScore(const GlobalOptions& global, const ChurnVerbOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(nlohmann::json summary, churn::Score(config.lake_root.string(), {.cutoff = options.cutoff}));
  {
    PrintResult(global, fmt::format("scored {} active customers at {} (mean churn probability {:.3f}): query raw.churn_scores\n",
                             summary["customers"].get<int64_t>(), summary["cutoff"].get<std::string>(),
                             summary["mean_probability"].get<double>()));
  }
  return summary;
}

VerbResult RunExplain(const GlobalOptions& global, const ChurnVerbOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(nlohmann::json e, churn::Explain(config.lake_root.string(), options.customer_id, options.cutoff));
  {
    std::string text = fmt::format("customer {} at {}: churn probability {:.3f}\n", options.customer_id,
                             e["cutoff"].get<std::string>(), e["churn_probability"].get<double>());
    for (const auto& r : e["reasons"]) text += "  - " + r.get<std::string>() + "\n";
    text += "features by contribution (log-odds):\n";
    for (const auto& f : e["features"]) {
      text += fmt::format("  {:+.3f}  {:<26} {}\n", f["contribution"].get<double>(), f["feature"].get<std::string>(),
                               f["in_words"].get<std::string>());
    }
    PrintResult(global, text);
  }
  return e;
}

void AddTrainOptions(CLI::App* cmd, ChurnVerbOptions* o) {
  cmd->add_option("--train-cutoffs", o->train.train_cutoffs, "Rolling training cutoffs (month ends)")
      ->check(AtLeast(1))->capture_default_str();
  cmd->add_option("--rounds", o->train.gbm.max_rounds, "XGBoost: most boosting rounds")->capture_default_str();
  cmd->add_option("--early-stopping", o->train.gbm.early_stopping_rounds,
                  "XGBoost: stop after N rounds without a better validation log loss")->capture_default_str();
  cmd->add_option("--eta", o->train.gbm.eta, "XGBoost: learning rate")->capture_default_str();
  cmd->add_option("--max-depth", o->train.gbm.max_depth, "XGBoost: tree depth")->capture_default_str();
  cmd->add_option("--threads", o->train.gbm.threads, "XGBoost threads (0: all cores)")->capture_default_str();
  cmd->add_option("--memory-limit", o->train.memory_limit,
                  "DuckDB's memory limit for the features, e.g. 4GB; past it DuckDB spills to the temporary "
                  "directory (\"\": DuckDB's default, 80 % of the machine's memory)")
      ->capture_default_str();
  cmd->add_option("--l2", o->train.logistic.l2, "Logistic baseline: L2 penalty")->check(CLI::NonNegativeNumber)->capture_default_str();
}

CLI::App* AddSubcommand(CLI::App* churn, const std::string& name, const std::string& help, ChurnVerbOptions* o,
                        bool with_horizon) {
  CLI::App* cmd = churn->add_subcommand(name, help);
  cmd->fallthrough();
  cmd->add_option("--cutoff", o->cutoff, "Cutoff date YYYY-MM-DD (features as of the end of that day)");
  if (with_horizon) {
    cmd->add_option("--horizon-days", o->horizon_days, "Label: churned within this many days after the cutoff")
        ->check(AtLeast(1))->capture_default_str();
  }
  return cmd;
}

}  // namespace

VerbResult RunChurnTrainAndScore(const GlobalOptions& global) {
  ChurnVerbOptions options;
  ASSIGN_OR_RETURN(nlohmann::json trained, RunTrain(global, options));
  ASSIGN_OR_RETURN(nlohmann::json scored, RunScore(global, options));
  return nlohmann::json{{"train", std::move(trained)}, {"score", std::move(scored)}};
}

void RegisterChurn(CLI::App& app, VerbFn* run) {
  auto o = std::make_shared<ChurnVerbOptions>();
  CLI::App* churn = app.add_subcommand("churn", "Churn prediction: train, evaluate, score, explain (docs/churn.md)");
  churn->require_subcommand(1);
  churn->fallthrough();
  // --cutoff is checked before any work (a usage error, exit 2).
  auto bind = [run, o](VerbResult (*fn)(const GlobalOptions&, const ChurnVerbOptions&)) {
    return [run, o, fn] {
      *run = [o, fn](const GlobalOptions& g) -> VerbResult {
        if (!o->cutoff.empty()) RETURN_NOT_OK(churn::CheckDate(o->cutoff, "--cutoff"));
        return fn(g, *o);
      };
    };
  };
  CLI::App* train = AddSubcommand(churn, "train", "Train XGBoost and a logistic baseline on rolling cutoffs; publish the model", o.get(), true);
  AddTrainOptions(train, o.get());
  train->add_option("--threshold", o->threshold, "Confusion matrix threshold (default: the churn rate)");
  train->add_option("--input", o->generic.input, "Any table instead of the warehouse: a CSV or Parquet file");
  train->add_option("--label", o->generic.label, "With --input: the churn label column (Yes/No, true/false, 1/0)");
  train->add_option("--id", o->generic.id, "With --input: an id column, never used as a feature");
  train->add_option("--cv", o->generic.cv, "With --input: stratified K-fold cross-validation too")->check(AtLeast(2));
  train->callback(bind(RunTrain));
  CLI::App* evaluate = AddSubcommand(churn, "evaluate", "Evaluate the model at a cutoff: JSON + HTML report", o.get(), false);
  evaluate->add_option("--out", o->out, "Report folder (default: <project>/reports/churn)");
  evaluate->add_option("--truth", o->truth, "truth/churn_probability.csv for the oracle AUC (default: [generate] truth)");
  evaluate->add_option("--threshold", o->threshold, "Confusion matrix threshold (default: the churn rate)");
  evaluate->callback(bind(RunEvaluate));
  CLI::App* score = AddSubcommand(churn, "score", "Score every active customer into raw.churn_scores", o.get(), false);
  score->callback(bind(RunScore));
  CLI::App* explain = AddSubcommand(churn, "explain", "One customer's churn probability and why", o.get(), false);
  explain->add_option("customer", o->customer_id, "customer_id")->required();
  explain->callback(bind(RunExplain));
}

}  // namespace custlake::cli
