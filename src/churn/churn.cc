#include "churn/churn.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <tuple>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unordered_map>

#include "churn/metrics.h"
#include "churn/model_store.h"
#include "churn/reasons.h"

namespace custlake::churn {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

Result<std::pair<sys_days, sys_days>> RangeDays(const DataRange& range) {
  if (range.first_usage_day.empty() || range.last_day.empty()) {
    return Status::NotFound("the warehouse holds no usage activity to learn churn from; run import, ingest and "
                            "`custlake build` first");
  }
  ASSIGN_OR_RETURN(sys_days first, ParseDay(range.first_usage_day, "the first usage day"));
  ASSIGN_OR_RETURN(sys_days last, ParseDay(range.last_day, "the last day of data"));
  return std::make_pair(first, last);
}

/// The newest month end on or before `day`.
sys_days MonthEndOnOrBefore(sys_days day) {
  sys_days end = MonthEnd(day);
  return end == day ? end : MonthEnd(sys_days{std::chrono::year_month_day{day}.year() /
                                              std::chrono::year_month_day{day}.month() / 1} - days{1});
}

Status CheckHorizonObserved(const std::string& cutoff, int horizon_days, const DataRange& range) {
  ASSIGN_OR_RETURN(auto span, RangeDays(range));
  ASSIGN_OR_RETURN(sys_days day, ParseDay(cutoff, "--cutoff"));
  if (day + days{horizon_days} > span.second) {
    return Status::InvalidArgument(fmt::format(
        "cutoff {} + {} days runs past the last day of data ({}): its labels are not known yet; choose a cutoff on "
        "or before {}",
        cutoff, horizon_days, range.last_day, FormatDay(span.second - days{horizon_days})));
  }
  return Status::OK();
}

/// The training rows (the training cutoffs' stacked) and the validation rows, in one pass.
Result<std::pair<Dataset, Dataset>> TrainingAndValidation(FeatureSession* session, const FeatureModel& model,
                                                          const CutoffPlan& plan, int horizon_days) {
  std::vector<std::string> cutoffs = plan.train;
  cutoffs.push_back(plan.validation);
  ASSIGN_OR_RETURN(std::vector<Dataset> each, ComputeFeatures(session, model, cutoffs, horizon_days));
  std::pair<Dataset, Dataset> out;
  size_t train_rows = 0;  // the training set's size, so it grows once (no doubling copies of its rows)
  for (size_t i = 0; i + 1 < cutoffs.size(); ++i) train_rows += each[i].rows();
  out.first.Reserve(train_rows, model.features.size());
  for (size_t i = 0; i < cutoffs.size(); ++i) {
    spdlog::info("churn: cutoff {}: {} customers, {} churned within {} days", cutoffs[i], each[i].rows(),
                 each[i].Positives(), horizon_days);
    if (i + 1 < cutoffs.size()) {
      RETURN_NOT_OK(out.first.Append(each[i]));
      each[i] = Dataset{};  // its rows are in the training set now
    }
  }
  out.second = std::move(each.back());
  return out;
}

Status CheckBothLabels(const Dataset& d, const std::string& what) {
  const int64_t positives = d.Positives();
  if (d.rows() == 0 || positives == 0 || positives == static_cast<int64_t>(d.rows())) {
    return Status::InvalidArgument(fmt::format(
        "the {} rows ({} customers, {} churned) need churned and retained customers; use more data or other "
        "cutoffs",
        what, d.rows(), positives));
  }
  return Status::OK();
}

// Rows the global importance is estimated on: SHAP costs a tree walk per path and row, and the
// ranking of mean |SHAP| is stable long before every validation row is read.
constexpr size_t kImportanceRows = 2000;

/// Features ranked by mean |SHAP| over `all` (every k-th row of it, at most kImportanceRows).
Result<nlohmann::json> Importance(const GbmModel& gbm, const Dataset& all, const FeatureModel& model) {
  const Dataset data = all.EveryKth(kImportanceRows);
  ASSIGN_OR_RETURN(std::vector<float> contributions, gbm.Contributions(data));
  const size_t width = data.cols() + 1;
  std::vector<std::pair<double, size_t>> mean_abs(data.cols());
  for (size_t c = 0; c < data.cols(); ++c) mean_abs[c] = {0, c};
  for (size_t r = 0; r < data.rows(); ++r) {
    for (size_t c = 0; c < data.cols(); ++c) mean_abs[c].first += std::abs(contributions[r * width + c]);
  }
  std::sort(mean_abs.begin(), mean_abs.end(), [](auto a, auto b) { return a.first > b.first; });
  nlohmann::json out = nlohmann::json::array();
  for (auto [sum, c] : mean_abs) {
    out.push_back({{"feature", data.feature_names[c]},
                   {"mean_abs_shap", data.rows() ? sum / static_cast<double>(data.rows()) : 0},
                   {"description", model.Describe(data.feature_names[c])}});
  }
  return out;
}

struct Scored {
  std::vector<float> xgboost, logistic;
  nlohmann::json metrics;
};

Result<Scored> ScoreBoth(const GbmModel& gbm, const LogisticModel& logistic, const Dataset& data, double threshold) {
  Scored s;
  Metrics logistic_metrics;
  // The baseline scored and measured on a thread of its own meanwhile.
  std::thread baseline([&] {
    s.logistic = logistic.Predict(data);
    logistic_metrics = Evaluate(s.logistic, data.y, threshold);
  });
  Result<std::vector<float>> xgboost = gbm.Predict(data);
  Metrics xgboost_metrics;
  if (xgboost.ok()) xgboost_metrics = Evaluate(*xgboost, data.y, threshold);
  baseline.join();
  RETURN_NOT_OK(xgboost.status());
  s.xgboost = std::move(*xgboost);
  s.metrics = {{"xgboost", ToJson(xgboost_metrics)}, {"logistic", ToJson(logistic_metrics)}};
  return s;
}

nlohmann::json RocCurves(const Scored& s, const Dataset& data) {
  nlohmann::json curves;
  for (const auto& [name, scores] : {std::pair{"xgboost", &s.xgboost}, std::pair{"logistic", &s.logistic}}) {
    nlohmann::json points = nlohmann::json::array();
    for (const RocPoint& p : Evaluate(*scores, data.y).roc) points.push_back({p.false_positive_rate, p.true_positive_rate});
    curves[name] = points;
  }
  return curves;
}

/// Wall and CPU seconds (this process, all threads) of each step of a verb, in the order they ran.
class StepTimes {
 public:
  StepTimes() { Mark(); }
  /// Ends the step `name` (it began at the previous call or at construction).
  void Done(const std::string& name) {
    const auto [wall, cpu] = Now();
    steps_.push_back({{"step", name}, {"wall_s", Round(wall - wall_)}, {"cpu_s", Round(cpu - cpu_)}});
    wall_ = wall;
    cpu_ = cpu;
  }
  const nlohmann::json& json() const { return steps_; }

 private:
  static std::pair<double, double> Now() {
    timespec cpu{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    return {wall, static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) * 1e-9};
  }
  static double Round(double s) { return std::round(s * 1000.0) / 1000.0; }
  void Mark() { std::tie(wall_, cpu_) = Now(); }
  double wall_ = 0, cpu_ = 0;
  nlohmann::json steps_ = nlohmann::json::array();
};

nlohmann::json FeatureList(const FeatureModel& model) {
  nlohmann::json out = nlohmann::json::array();
  for (const FeatureInfo& f : model.features) out.push_back({{"name", f.name}, {"description", f.description}});
  return out;
}

}  // namespace

Result<CutoffPlan> PlanCutoffs(const DataRange& range, const TrainOptions& options) {
  ASSIGN_OR_RETURN(auto span, RangeDays(range));
  const auto [first, last] = span;
  const days horizon{options.horizon_days};
  CutoffPlan plan;
  if (options.validation_cutoff.empty()) {
    plan.validation = FormatDay(MonthEndOnOrBefore(last - horizon));
  } else {
    plan.validation = options.validation_cutoff;
    RETURN_NOT_OK(CheckHorizonObserved(plan.validation, options.horizon_days, range));
  }
  ASSIGN_OR_RETURN(sys_days validation, ParseDay(plan.validation, "--cutoff"));
  // A cutoff t sees days t - min_history_days + 1 .. t.
  const sys_days earliest = first + days{options.min_history_days - 1};
  for (sys_days t = MonthEndOnOrBefore(validation - horizon);
       t >= earliest && static_cast<int>(plan.train.size()) < options.train_cutoffs; t = MonthEndOnOrBefore(t - days{1})) {
    plan.train.insert(plan.train.begin(), FormatDay(t));
  }
  if (plan.train.empty()) {
    return Status::InvalidArgument(fmt::format(
        "no training cutoff: one needs a month end at least {} days (the horizon) before the validation cutoff {} "
        "and {} days after the first usage day {}; the data covers {} to {}. Use an earlier --cutoff, a shorter "
        "--horizon-days, or more months of data",
        options.horizon_days, plan.validation, options.min_history_days, range.first_usage_day,
        range.first_usage_day, range.last_day));
  }
  return plan;
}

Result<nlohmann::json> Train(const std::string& lake_root, const TrainOptions& options) {
  StepTimes times;
  ASSIGN_OR_RETURN(FeatureModel model, LoadFeatureModel());
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  ASSIGN_OR_RETURN(auto session, FeatureSession::Open(lake_root, options.memory_limit));
  ASSIGN_OR_RETURN(DataRange range, WarehouseDataRange(session.get()));
  ASSIGN_OR_RETURN(CutoffPlan plan, PlanCutoffs(range, options));
  times.Done("open");
  ASSIGN_OR_RETURN(auto rows, TrainingAndValidation(session.get(), model, plan, options.horizon_days));
  const auto& [train, valid] = rows;
  RETURN_NOT_OK(CheckBothLabels(train, "training"));
  RETURN_NOT_OK(CheckBothLabels(valid, "validation"));
  // DuckDB's memory goes back before XGBoost takes its own (the peak RSS was where the two met).
  const int64_t warehouse_version = session->warehouse_version();
  session.reset();
  times.Done("features");
  ASSIGN_OR_RETURN(GbmModel gbm, GbmModel::Train(train, valid, options.gbm));
  times.Done("xgboost");
  ASSIGN_OR_RETURN(LogisticModel logistic, FitLogistic(train, options.logistic));
  times.Done("logistic");
  ASSIGN_OR_RETURN(Scored scored, ScoreBoth(gbm, logistic, valid, options.threshold));
  times.Done("metrics");
  ASSIGN_OR_RETURN(nlohmann::json importance, Importance(gbm, valid, model));
  times.Done("importance");
  nlohmann::json meta{
      {"trained_at_data_day", range.last_day},
      {"warehouse_version", warehouse_version},
      {"features", FeatureList(model)},
      {"feature_sql", model.path},
      {"horizon_days", options.horizon_days},
      {"train_cutoffs", plan.train},
      {"validation_cutoff", plan.validation},
      {"data_range", {{"first_usage_day", range.first_usage_day}, {"last_day", range.last_day}}},
      {"rows", {{"train", train.rows()}, {"train_positives", train.Positives()},
                {"validation", valid.rows()}, {"validation_positives", valid.Positives()}}},
      {"xgboost", {{"options", options.gbm.ToJson()}, {"best_iteration", gbm.best_iteration()},
                   {"validation_log_loss", gbm.best_validation_log_loss()}}},
      {"logistic", {{"l2", options.logistic.l2}, {"iterations", logistic.iterations}}},
      {"metrics", scored.metrics},
      {"importance", importance},
  };
  ASSIGN_OR_RETURN(int64_t version, PublishModel(lake.get(), meta, gbm, logistic));
  times.Done("publish");
  meta["model_version"] = version;
  meta["verb"] = "churn train";
  meta["timings"] = times.json();
  return meta;
}

Result<nlohmann::json> OracleAuc(const std::string& truth_file, const std::string& cutoff, const Dataset& data,
                                 const std::vector<float>& model_scores) {
  ASSIGN_OR_RETURN(sys_days day, ParseDay(cutoff, "--cutoff"));
  const std::string month = FormatDay(day + days{1}).substr(0, 7);
  std::ifstream in(truth_file);
  if (!in) return Status::NotFound("cannot read " + truth_file);
  // customer_id -> (p_churn, p_churn_without_offer) of the month after the cutoff
  std::unordered_map<int64_t, std::pair<float, float>> hazard;
  std::string line;
  std::getline(in, line);  // customer_id,month,p_churn,p_churn_without_offer,churned
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    const size_t a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1), d = line.find(',', c + 1);
    if (d == std::string::npos) return Status::Corruption(fmt::format("{}:{}: expected 5 columns", truth_file, line_no));
    if (line.compare(a + 1, b - a - 1, month) != 0) continue;
    hazard[std::stoll(line.substr(0, a))] = {std::stof(line.substr(b + 1, c - b - 1)), std::stof(line.substr(c + 1, d - c - 1))};
  }
  std::vector<float> oracle, oracle_without_offer, model, labels;
  for (size_t r = 0; r < data.rows(); ++r) {
    auto it = hazard.find(data.ids[r]);
    if (it == hazard.end()) continue;
    oracle.push_back(it->second.first);
    oracle_without_offer.push_back(it->second.second);
    model.push_back(model_scores[r]);
    labels.push_back(data.y[r]);
  }
  const double oracle_auc = RocAuc(oracle, labels), model_auc = RocAuc(model, labels);
  return nlohmann::json{{"truth_file", truth_file},
                        {"month", month},
                        {"customers", data.rows()},
                        {"matched", oracle.size()},
                        {"oracle_roc_auc", oracle_auc},
                        {"oracle_without_offer_roc_auc", RocAuc(oracle_without_offer, labels)},
                        {"model_roc_auc", model_auc},
                        {"gap", model_auc - oracle_auc}};
}

Result<nlohmann::json> Evaluate(const std::string& lake_root, const EvaluateOptions& options) {
  ASSIGN_OR_RETURN(FeatureModel model, LoadFeatureModel());
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  ASSIGN_OR_RETURN(StoredModel stored, LoadModel(lake.get()));
  ASSIGN_OR_RETURN(auto session, FeatureSession::Open(lake_root));
  ASSIGN_OR_RETURN(DataRange range, WarehouseDataRange(session.get()));
  const int horizon = stored.meta.value("horizon_days", 90);
  const std::string cutoff = options.cutoff.empty() ? stored.meta.value("validation_cutoff", "") : options.cutoff;
  RETURN_NOT_OK(CheckHorizonObserved(cutoff, horizon, range));
  ASSIGN_OR_RETURN(Dataset data, ComputeFeatures(session.get(), model, cutoff, horizon));
  RETURN_NOT_OK(CheckBothLabels(data, "evaluation"));
  ASSIGN_OR_RETURN(Scored scored, ScoreBoth(stored.gbm, stored.logistic, data, options.threshold));
  ASSIGN_OR_RETURN(nlohmann::json importance, Importance(stored.gbm, data, model));
  nlohmann::json report{{"verb", "churn evaluate"},
                        {"cutoff", cutoff},
                        {"horizon_days", horizon},
                        {"model_version", stored.version},
                        {"model_warehouse_version", stored.meta["warehouse_version"]},
                        {"warehouse_version", session->warehouse_version()},
                        {"train_cutoffs", stored.meta["train_cutoffs"]},
                        {"validation_cutoff", stored.meta["validation_cutoff"]},
                        {"metrics", scored.metrics},
                        {"roc_curves", RocCurves(scored, data)},
                        {"importance", importance}};
  report["roc_auc"] = report["metrics"]["xgboost"]["roc_auc"];
  if (!options.truth_file.empty() && std::filesystem::exists(options.truth_file)) {
    ASSIGN_OR_RETURN(report["oracle"], OracleAuc(options.truth_file, cutoff, data, scored.xgboost));
  }
  return report;
}

Result<nlohmann::json> Explain(const std::string& lake_root, int64_t customer_id, const std::string& cutoff_option) {
  ASSIGN_OR_RETURN(FeatureModel model, LoadFeatureModel());
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  ASSIGN_OR_RETURN(StoredModel stored, LoadModel(lake.get()));
  ASSIGN_OR_RETURN(auto session, FeatureSession::Open(lake_root));
  ASSIGN_OR_RETURN(DataRange range, WarehouseDataRange(session.get()));
  const std::string cutoff = cutoff_option.empty() ? range.last_day : cutoff_option;
  ASSIGN_OR_RETURN(Dataset data, ComputeFeatures(session.get(), model, cutoff, stored.meta.value("horizon_days", 90)));
  auto it = std::find(data.ids.begin(), data.ids.end(), customer_id);
  if (it == data.ids.end()) {
    return Status::NotFound(fmt::format("customer {} was not an active customer at {} (unknown, signed up after "
                                        "it, or churned by then)",
                                        customer_id, cutoff));
  }
  const size_t row = static_cast<size_t>(it - data.ids.begin());
  ASSIGN_OR_RETURN(std::vector<float> p, stored.gbm.Predict(data));
  ASSIGN_OR_RETURN(std::vector<float> shap, stored.gbm.Contributions(data));
  const float* contributions = shap.data() + row * (data.cols() + 1);
  nlohmann::json features = nlohmann::json::array();
  for (size_t c = 0; c < data.cols(); ++c) {
    const float v = data.Row(row)[c];
    features.push_back({{"feature", data.feature_names[c]},
                        {"value", std::isnan(v) ? nlohmann::json() : nlohmann::json(v)},
                        {"contribution", contributions[c]},
                        {"in_words", DescribeFeature(data, row, data.feature_names[c])}});
  }
  std::stable_sort(features.begin(), features.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return std::abs(a["contribution"].get<double>()) > std::abs(b["contribution"].get<double>());
  });
  nlohmann::json reasons = nlohmann::json::array();
  for (const Reason& r : TopReasons(data, row, contributions)) reasons.push_back(r.text);
  return nlohmann::json{{"verb", "churn explain"},          {"customer_id", customer_id},
                        {"cutoff", cutoff},                 {"model_version", stored.version},
                        {"churn_probability", p[row]},      {"reasons", reasons},
                        {"bias", contributions[data.cols()]}, {"features", features}};
}

}  // namespace custlake::churn
