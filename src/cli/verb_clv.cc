// custlake clv fit|predict|evaluate: customer lifetime value from a
// transaction log (--transactions), a summary file (--summary), or, in a
// project with neither, the warehouse's purchases; there `clv fit` also
// publishes the scores as raw.clv_scores.
#include <spdlog/spdlog.h>

#include <fstream>

#include "cli/cli.h"
#include "clv/count_model.h"
#include "clv/fitter.h"
#include "clv/platform.h"
#include "clv/predict.h"
#include "clv/summary.h"
#include "clv/transactions.h"
#include "clv/triples.h"
#include "clv/validation.h"

namespace custlake::cli {
namespace {

struct ClvOptions {
  clv::TransactionFileOptions log;  // log.path = --transactions
  bool no_header = false;
  std::string summary;
  std::string unit;  // "": week on a file, month on the warehouse
  std::string calibration_end, holdout_end;
  std::string model = "bgnbd";
  clv::FitOptions fit;
  double horizon = -1;  // -1: one year in the unit
  clv::PredictOptions predict;
  std::string out, report, params;
};

// Where the transactions come from: a file, or (platform mode) the warehouse.
struct Source {
  bool platform = false;
  std::string lake_root;
  int64_t warehouse_version = 0;  // platform mode: the version read
};

Result<clv::SummaryOptions> SummaryOptionsFor(const ClvOptions& o, clv::TimeUnit unit,
                                              const clv::TransactionLog& log) {
  clv::SummaryOptions s;
  s.unit = unit;
  if (o.calibration_end.empty()) {
    if (log.source != "fact_customer_activity") {
      return Status::InvalidArgument("--calibration-end DATE is required with --transactions");
    }
    s.calibration_end = log.rows.front().day;  // the warehouse: up to its last purchase
    for (const clv::Transaction& t : log.rows) s.calibration_end = std::max(s.calibration_end, t.day);
  } else {
    const auto cal = clv::ParseDay(o.calibration_end);
    if (!cal)
      return Status::InvalidArgument("--calibration-end '" + o.calibration_end +
                                     "' is not a date (YYYY-MM-DD)");
    s.calibration_end = *cal;
  }
  if (!o.holdout_end.empty()) {
    s.holdout_end = clv::ParseDay(o.holdout_end);
    if (!s.holdout_end)
      return Status::InvalidArgument("--holdout-end '" + o.holdout_end + "' is not a date (YYYY-MM-DD)");
  }
  return s;
}

// The inputs as a summary table: a summary file, a transaction log, or the
// warehouse's purchases when neither is given.
Result<clv::SummaryTable> LoadSummaries(const GlobalOptions& global, const ClvOptions& o, Source* source) {
  if (!o.summary.empty() && !o.log.path.empty())
    return Status::InvalidArgument("give --transactions or --summary, not both");
  source->platform = o.summary.empty() && o.log.path.empty();
  ASSIGN_OR_RETURN(const clv::TimeUnit unit,
                   clv::ParseTimeUnit(o.unit.empty() ? (source->platform ? "month" : "week") : o.unit));
  if (!o.summary.empty()) return clv::ReadSummaryCsv(o.summary, unit);
  clv::TransactionLog transactions;
  if (source->platform) {
    auto config = LoadProjectConfig(global);
    if (!config.ok()) {
      return Status::InvalidArgument(
          "no --transactions or --summary, and no project to read the warehouse of (" +
          config.status().message() + ")");
    }
    source->lake_root = config->lake_root.string();
    ASSIGN_OR_RETURN(clv::WarehousePurchases purchases, clv::ReadWarehousePurchases(source->lake_root));
    transactions = std::move(purchases.log);
    source->warehouse_version = purchases.warehouse_version;
  } else {
    clv::TransactionFileOptions log = o.log;
    log.header = !o.no_header;
    ASSIGN_OR_RETURN(transactions, clv::ReadTransactionLog(log));
  }
  ASSIGN_OR_RETURN(const clv::SummaryOptions s, SummaryOptionsFor(o, unit, transactions));
  ASSIGN_OR_RETURN(clv::SummaryTable table, clv::BuildSummaries(transactions, s));
  if (table.customers_after_calibration > 0) {
    spdlog::info(
        "{} customers first bought after the calibration end: not in the calibration cohort, left out",
        table.customers_after_calibration);
  }
  return table;
}

struct Fits {
  const clv::CountModel* model = nullptr;
  clv::FitResult count;
  std::optional<clv::FitResult> spend;  // when the input has amounts
  clv::CountParams CountParams() const {
    return {count.params[0], count.params[1], count.params[2], count.params[3]};
  }
  clv::SpendParams SpendParams() const { return {spend->params[0], spend->params[1], spend->params[2]}; }
};

Status RequireConverged(const clv::FitResult& fit) {
  if (fit.converged) return Status::OK();
  std::string reached;
  for (size_t i = 0; i < fit.params.size(); ++i)
    reached += fmt::format(" {}={:.6g}", fit.param_names[i], fit.params[i]);
  return Status::InvalidArgument(
      fmt::format("the {} fit {} (it stopped at{}); try another --unit, more data, or "
                  "--penalty 0.001",
                  fit.model, fit.note, reached));
}

Result<Fits> FitModels(const ClvOptions& o, const clv::SummaryTable& table) {
  Fits fits;
  ASSIGN_OR_RETURN(fits.model, clv::FindCountModel(o.model));
  ASSIGN_OR_RETURN(fits.count, clv::FitCountModel(*fits.model, clv::CompressTriples(table.customers), o.fit));
  RETURN_NOT_OK(RequireConverged(fits.count));
  spdlog::info("{}: log-likelihood {:.3f} over {:.0f} customers ({} distinct rows) in {:.4f} s",
               fits.model->title, fits.count.log_likelihood, fits.count.customers, fits.count.rows,
               fits.count.seconds);
  if (table.has_spend) {
    ASSIGN_OR_RETURN(fits.spend, clv::FitGammaGamma(clv::CompressSpend(table.customers), o.fit));
    RETURN_NOT_OK(RequireConverged(*fits.spend));
  }
  return fits;
}

nlohmann::json FitJson(const std::string& verb, const Fits& fits, const clv::SummaryTable& table) {
  nlohmann::json out = fits.count.ToJson();
  out["verb"] = verb;
  out["unit"] = std::string(clv::TimeUnitName(table.unit));
  if (table.calibration_end != 0) out["calibration_end"] = clv::FormatDay(table.calibration_end);
  out["customers_after_calibration"] = table.customers_after_calibration;
  out["spend"] = fits.spend ? fits.spend->ToJson() : nlohmann::json();
  return out;
}

// The fitted parameters for people: one line per model.
std::string FitText(const Fits& fits) {
  auto line = [](const std::string& title, const clv::FitResult& fit) {
    std::string text = title + ":";
    for (size_t i = 0; i < fit.params.size(); ++i)
      text += fmt::format(" {}={:.6g}", fit.param_names[i], fit.params[i]);
    return text + fmt::format("  (log-likelihood {:.4f})\n", fit.log_likelihood);
  };
  std::string text = line(std::string(fits.model->title), fits.count);
  if (fits.spend) text += line("Gamma-Gamma", *fits.spend);
  return text;
}

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.flush();
  if (!out) return Status::IOError("cannot write " + path);
  return Status::OK();
}

double DefaultHorizon(clv::TimeUnit unit) {
  return unit == clv::TimeUnit::kDay ? 365 : unit == clv::TimeUnit::kWeek ? 52 : 12;
}

struct Predicted {
  clv::PredictOptions options;  // with the horizon resolved
  bool with_spend = false;
  std::vector<clv::CustomerPrediction> customers;
};

// Every customer's predictions over --horizon (default: one year in the unit).
Result<Predicted> PredictAll(const ClvOptions& o, const Fits& fits, const clv::SummaryTable& table) {
  Predicted out;
  out.options = o.predict;
  out.options.horizon = o.horizon > 0 ? o.horizon : DefaultHorizon(table.unit);
  out.with_spend = fits.spend && table.has_spend;
  const clv::SpendParams spend = out.with_spend ? fits.SpendParams() : clv::SpendParams{};
  ASSIGN_OR_RETURN(out.customers,
                   clv::PredictCustomers(*fits.model, fits.CountParams(), out.with_spend ? &spend : nullptr,
                                         table, out.options));
  return out;
}

// Platform mode: scores over the default horizon (one year) into raw.clv_scores.
Result<nlohmann::json> Publish(const Source& source, const ClvOptions& o, const Fits& fits,
                               const clv::SummaryTable& table, const nlohmann::json& fit) {
  ASSIGN_OR_RETURN(const Predicted p, PredictAll(o, fits, table));
  const auto& predictions = p.customers;
  const clv::PredictOptions& predict = p.options;
  ASSIGN_OR_RETURN(const int64_t batch,
                   clv::PublishScores(source.lake_root, table, predictions, predict, p.with_spend,
                                      {std::string(fits.model->name), source.warehouse_version, fit}));
  spdlog::info("published scores of {} customers as raw.clv_scores (lake batch {})", predictions.size(), batch);
  return nlohmann::json{
      {"dataset", "raw/clv_scores"}, {"view", "raw.clv_scores"},   {"batch", batch},
      {"rows", predictions.size()},  {"horizon", predict.horizon}, {"unit", clv::TimeUnitName(table.unit)}};
}

VerbResult RunFit(const GlobalOptions& global, const ClvOptions& o) {
  Source source;
  ASSIGN_OR_RETURN(clv::SummaryTable table, LoadSummaries(global, o, &source));
  ASSIGN_OR_RETURN(Fits fits, FitModels(o, table));
  nlohmann::json out = FitJson("clv fit", fits, table);
  PrintResult(global, FitText(fits));
  if (source.platform) {
    ASSIGN_OR_RETURN(out["published"], Publish(source, o, fits, table, out));
  }
  if (!o.out.empty()) {
    RETURN_NOT_OK(WriteText(o.out, out.dump(2) + "\n"));
    spdlog::info("wrote the fit to {}", o.out);
  }
  return out;
}

// A fit written by `clv fit --out FILE`, read back for predict; its time unit
// must be the data's (a weekly fit on daily data is the classic CLV mistake).
Result<Fits> ReadFits(const std::string& path, clv::TimeUnit data_unit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open the fit file " + path);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  Fits fits;
  if (j.is_discarded() || !j.contains("model") || !j.contains("params")) {
    return Status::InvalidArgument(path + ": not a fit written by `custlake clv fit --out`");
  }
  ASSIGN_OR_RETURN(fits.model, clv::FindCountModel(j["model"].get<std::string>()));
  const std::string unit = j.value("unit", "");
  if (unit != clv::TimeUnitName(data_unit)) {
    return Status::InvalidArgument(
        fmt::format("{} was fitted in {}s, but the data are in {}s: give --unit {}", path, unit,
                    clv::TimeUnitName(data_unit), unit));
  }
  for (std::string_view name : fits.model->param_names) {
    const auto& v = j["params"].value(std::string(name), nlohmann::json());
    if (!v.is_number()) return Status::InvalidArgument(fmt::format("{}: params.{} is missing", path, name));
    fits.count.params.push_back(v.get<double>());
  }
  if (j.contains("spend") && j["spend"].is_object()) {
    clv::FitResult spend;
    for (const char* name : {"p", "q", "gamma"}) {
      const double v = j["spend"]["params"].value(name, -1.0);
      if (!(v > 0)) return Status::InvalidArgument(fmt::format("{}: spend.params.{} is missing", path, name));
      spend.params.push_back(v);
    }
    fits.spend = spend;
  }
  return fits;
}

VerbResult RunPredict(const GlobalOptions& global, const ClvOptions& o) {
  Source source;
  ASSIGN_OR_RETURN(clv::SummaryTable table, LoadSummaries(global, o, &source));
  Fits fits;
  if (o.params.empty()) {
    ASSIGN_OR_RETURN(fits, FitModels(o, table));
  } else {
    ASSIGN_OR_RETURN(fits, ReadFits(o.params, table.unit));
  }
  const auto started = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(const Predicted p, PredictAll(o, fits, table));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& predictions = p.customers;
  const clv::PredictOptions& predict = p.options;
  const std::string out = o.out.empty() ? "clv_predictions.csv" : o.out;
  RETURN_NOT_OK(clv::WritePredictionsCsv(out, table, predictions, predict, p.with_spend));
  const std::string unit(clv::TimeUnitName(table.unit));
  PrintResult(global, fmt::format("wrote predictions for {} customers over {:g} {}s to {}", predictions.size(),
                                  predict.horizon, unit, out));
  return nlohmann::json{{"verb", "clv predict"},
                        {"model", fits.model->name},
                        {"customers", predictions.size()},
                        {"horizon", predict.horizon},
                        {"unit", unit},
                        {"discount_rate_per_unit", predict.discount_rate},
                        {"output", out},
                        {"predict_seconds", seconds}};
}

VerbResult RunEvaluate(const GlobalOptions& global, const ClvOptions& o) {
  if (o.holdout_end.empty())
    return Status::InvalidArgument("evaluate needs --holdout-end DATE (and a transaction log)");
  Source source;
  ASSIGN_OR_RETURN(clv::SummaryTable table, LoadSummaries(global, o, &source));
  ASSIGN_OR_RETURN(Fits fits, FitModels(o, table));
  ASSIGN_OR_RETURN(clv::ValidationReport report,
                   clv::ValidateHoldout(*fits.model, fits.CountParams(), table));
  std::vector<clv::FitResult> all = {fits.count};
  if (fits.spend) all.push_back(*fits.spend);
  const std::string html = o.report.empty() ? "clv_report.html" : o.report;
  RETURN_NOT_OK(WriteText(html, clv::ValidationHtml(report, all)));
  nlohmann::json out = FitJson("clv evaluate", fits, table);
  out["validation"] = report.ToJson();
  out["report"] = html;
  if (!o.out.empty()) RETURN_NOT_OK(WriteText(o.out, out.dump(2) + "\n"));
  PrintResult(global, FitText(fits) + fmt::format("holdout: {:.0f} transactions predicted, {:.0f} made; report in {}",
                                                  report.predicted_total, report.actual_total, html));
  return out;
}

void AddInputOptions(CLI::App* cmd, ClvOptions* o) {
  cmd->add_option("--transactions", o->log.path, "Transaction log (CSV or other delimited text)");
  cmd->add_option("--customer-col", o->log.customer_col, "Customer id column: header name or 1-based number");
  cmd->add_option("--date-col", o->log.date_col, "Purchase date column (YYYY-MM-DD or YYYYMMDD)");
  cmd->add_option("--amount-col", o->log.amount_col, "Amount column (enables the Gamma-Gamma spend model)");
  cmd->add_option("--delimiter", o->log.delimiter, "Field delimiter: one character, tab or whitespace")
      ->capture_default_str();
  cmd->add_flag("--no-header", o->no_header, "The log has no header row (columns by number)");
  cmd->add_option("--summary", o->summary, "Summary CSV with x, t_x, T (and spend) instead of a log");
  cmd->add_option(
      "--unit", o->unit,
      "Time unit of t_x, T and horizons: day, week or month (default week; month on the warehouse)");
  cmd->add_option("--calibration-end", o->calibration_end, "Last day of the calibration period (inclusive)");
  cmd->add_option("--holdout-end", o->holdout_end, "Last day of the holdout period (inclusive)");
  cmd->add_option("--model", o->model, "bgnbd, pnbd or mbgnbd")->capture_default_str();
  cmd->add_option("--penalty", o->fit.penalty, "L2 penalty on the parameters")->capture_default_str();
  cmd->add_option("--starts", o->fit.starts, "Starting points tried (1-3)")->capture_default_str();
}

}  // namespace

VerbResult RunClvOnWarehouse(const GlobalOptions& global) { return RunFit(global, ClvOptions{}); }

void RegisterClv(CLI::App& app, VerbFn* run) {
  CLI::App* clv =
      app.add_subcommand("clv", "Customer lifetime value: BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma");
  clv->require_subcommand(1);
  auto o = std::make_shared<ClvOptions>();
  CLI::App* fit = clv->add_subcommand("fit", "Fit the purchase model (and Gamma-Gamma with --amount-col)");
  AddInputOptions(fit, o.get());
  fit->add_option("--out", o->out, "Also write the fit as JSON (for predict --params)");
  fit->callback([run, o] { *run = [o](const GlobalOptions& g) { return RunFit(g, *o); }; });
  CLI::App* predict =
      clv->add_subcommand("predict", "Per-customer P(alive), expected purchases, churn and CLV as CSV");
  AddInputOptions(predict, o.get());
  predict->add_option("--horizon", o->horizon, "Horizon in the time unit (default one year: 365, 52 or 12)");
  predict->add_option("--discount-rate", o->predict.discount_rate, "Discount rate per time unit")
      ->capture_default_str();
  predict->add_option("--params", o->params, "A fit written by `clv fit --out` instead of fitting again");
  predict->add_option("--out", o->out, "Output CSV (default clv_predictions.csv)");
  predict->callback([run, o] { *run = [o](const GlobalOptions& g) { return RunPredict(g, *o); }; });
  CLI::App* evaluate =
      clv->add_subcommand("evaluate", "Calibration/holdout validation as JSON and an HTML report");
  AddInputOptions(evaluate, o.get());
  evaluate->add_option("--report", o->report, "HTML report (default clv_report.html)");
  evaluate->add_option("--out", o->out, "Also write the JSON summary to this file");
  evaluate->callback([run, o] { *run = [o](const GlobalOptions& g) { return RunEvaluate(g, *o); }; });
}

}  // namespace custlake::cli
