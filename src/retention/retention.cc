#include "retention/retention.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "churn/model_store.h"
#include "retention/customer_value.h"
#include "retention/model_store.h"
#include "retention/policy.h"
#include "retention/uplift_metrics.h"

namespace custlake::retention {

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Status CheckExperiment(const UpliftRows& rows, const std::string& what) {
  int64_t treated = 0;
  for (float t : rows.treated) treated += t > 0.5f;
  const int64_t n = static_cast<int64_t>(rows.data.rows());
  if (treated == 0 || treated == n) {
    return Status::InvalidArgument(fmt::format(
        "the {} rows ({} customer-months) have {} sent an offer: uplift needs customers with and without offers; "
        "use more months of data",
        what, n, treated));
  }
  const int64_t churned = rows.data.Positives();
  if (churned == 0 || churned == n) {
    return Status::InvalidArgument(fmt::format("the {} rows ({} customer-months, {} churned) need churned and retained "
                                               "customers; use more months of data", what, n, churned));
  }
  return Status::OK();
}

nlohmann::json FeatureList(const churn::FeatureModel& model) {
  nlohmann::json out = nlohmann::json::array();
  for (const churn::FeatureInfo& f : model.features) out.push_back({{"name", f.name}, {"description", f.description}});
  return out;
}

/// The validation months' rows and the stored model's predictions on them.
struct Validation {
  MonthRows rows;
  std::vector<float> uplift, p_churn, weights;
};

Result<Validation> PredictValidation(churn::FeatureSession* session, const churn::FeatureModel& model,
                                     const std::vector<std::string>& months, int horizon, const churn::GbmModel& uplift,
                                     const churn::GbmModel& p_churn, const churn::GbmModel& shift,
                                     const churn::GbmModel& propensity, const EffectModel* effect, double clip) {
  Validation v;
  ASSIGN_OR_RETURN(v.rows, ComputeMonthRows(session, model, months, horizon));
  ASSIGN_OR_RETURN(v.uplift, PredictUplift(uplift, p_churn, shift, v.rows.rows.data, effect));
  ASSIGN_OR_RETURN(v.p_churn, p_churn.Predict(v.rows.rows.data));
  ASSIGN_OR_RETURN(std::vector<float> e, propensity.Predict(v.rows.rows.data));
  v.weights = EvaluationWeights(e, v.rows.rows.treated, clip);
  return v;
}

/// The propensity-weighted metrics (the campaign targeted at-risk customers, so raw treated-vs-control
/// differences mix risk with the offer's effect), with the unweighted Qini and AUUC beside them.
std::pair<UpliftMetrics, nlohmann::json> ValidationMetrics(const Validation& v) {
  const UpliftMetrics weighted = EvaluateUplift(v.uplift, v.rows.rows.treated, v.rows.rows.data.y, v.weights);
  const UpliftMetrics plain = EvaluateUplift(v.uplift, v.rows.rows.treated, v.rows.rows.data.y);
  nlohmann::json json = ToJson(weighted);
  json["weighting"] = "inverse propensity (the model's propensity, clipped)";
  json["unweighted"] = {{"qini_coefficient", plain.qini_coefficient},
                        {"auuc", plain.auuc},
                        {"treated_churn_rate", plain.treated_event_rate},
                        {"control_churn_rate", plain.control_event_rate}};
  return {weighted, std::move(json)};
}

/// `--effect auto`: `v` holds the trees' uplift; keeps it, or puts the effect model's in its place, whichever
/// has the higher (propensity-weighted) Qini coefficient on the validation months, which come after the
/// training months both were fitted on; `*effect` is reset when the trees win. Both coefficients go to `choice`.
Status ChooseUpliftSource(const TrainedLearner& learner, Validation* v, std::optional<EffectModel>* effect,
                          nlohmann::json* choice) {
  const double trees_qini = ValidationMetrics(*v).first.qini_coefficient;
  ASSIGN_OR_RETURN(std::vector<float> drivers_uplift, PredictUplift(learner.uplift, learner.p_event, learner.shift,
                                                                    v->rows.rows.data, &**effect));
  std::swap(v->uplift, drivers_uplift);
  const double drivers_qini = ValidationMetrics(*v).first.qini_coefficient;
  (*choice)["validation_qini"] = {{"trees", trees_qini}, {"effect_model", drivers_qini}};
  if (drivers_qini < trees_qini) {
    std::swap(v->uplift, drivers_uplift);
    effect->reset();
  }
  return Status::OK();
}

/// The churn model's probabilities where one is in service, else the retention model's own.
Result<std::pair<std::vector<float>, std::string>> ChurnScores(lake::Lake* lake, const churn::Dataset& data,
                                                               const std::vector<float>& fallback) {
  auto stored = churn::LoadModel(lake);
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kNotFound) return stored.status();
    return std::make_pair(fallback, std::string("the retention model's churn probability without offer"));
  }
  if (stored->gbm.feature_names() != data.feature_names) {
    return std::make_pair(fallback, std::string("the retention model's (the churn model's features differ)"));
  }
  ASSIGN_OR_RETURN(std::vector<float> p, stored->gbm.Predict(data));
  return std::make_pair(std::move(p), fmt::format("churn model v{}", stored->version));
}

Result<nlohmann::json> PolicyReport(lake::Lake* lake, churn::FeatureSession* session, const Validation& v,
                                    const std::string& truth_file) {
  std::vector<std::string> months;
  std::vector<PolicyInputs> inputs;
  ASSIGN_OR_RETURN(auto churn_scores, ChurnScores(lake, v.rows.rows.data, v.p_churn));
  ASSIGN_OR_RETURN(CustomerValues values, ValuesOf(lake, session->session(), v.rows.rows.data));
  for (size_t r = 0; r < v.rows.send_day.size(); ++r) {
    const std::string month = churn::FormatDay(std::chrono::sys_days{std::chrono::days{v.rows.send_day[r]}}).substr(0, 7);
    if (inputs.empty() || inputs.back().month != month) {
      inputs.push_back({month, {}, {}, {}, {}});
      months.push_back(month);
    }
    PolicyInputs& in = inputs.back();
    in.ids.push_back(v.rows.rows.data.ids[r]);
    in.uplift.push_back(v.uplift[r]);
    in.churn_probability.push_back(churn_scores.first[r]);
    in.value_at_risk.push_back(churn_scores.first[r] * values.clv[r]);
  }
  ASSIGN_OR_RETURN(OfferEffects effects, ReadOfferEffects(truth_file, months));
  nlohmann::json table = PolicyTable(inputs, effects);
  table["truth_file"] = truth_file;
  table["months"] = months;
  table["churn_probability_from"] = churn_scores.second;
  table["value_from"] = values.source;
  return table;
}

}  // namespace

Result<nlohmann::json> Train(const std::string& lake_root, const TrainOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  RETURN_NOT_OK(options.learner.Validate());
  ASSIGN_OR_RETURN(churn::FeatureModel model, churn::LoadFeatureModel());
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  ASSIGN_OR_RETURN(auto session, churn::FeatureSession::Open(lake_root));
  ASSIGN_OR_RETURN(churn::DataRange range, churn::WarehouseDataRange(session.get()));
  ASSIGN_OR_RETURN(std::vector<std::string> offer_months, OfferMonths(session.get()));
  ASSIGN_OR_RETURN(SendMonthPlan plan, PlanSendMonths(offer_months, range, options.periods));
  const int horizon = options.periods.horizon_days;
  ASSIGN_OR_RETURN(MonthRows train, ComputeMonthRows(session.get(), model, plan.train, horizon));
  RETURN_NOT_OK(CheckExperiment(train.rows, "training"));
  const double features_s = SecondsSince(start);
  ASSIGN_OR_RETURN(TrainedLearner learner, TrainDrLearner(train.rows, options.learner));
  std::optional<EffectModel> effect;
  nlohmann::json choice{{"effect", options.effect}};
  if (options.effect != "trees") {
    auto fitted = FitEffectOnDrivers(train.rows, learner, options.learner.trim);
    if (fitted.ok()) {
      effect = std::move(*fitted);
    } else if (options.effect == "drivers") {
      return fitted.status();
    } else {
      choice["effect_model_not_fitted"] = fitted.status().message();
    }
  }
  const bool both = options.effect == "auto" && effect.has_value();
  const auto validate_start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(Validation v, PredictValidation(session.get(), model, plan.validation, horizon, learner.uplift,
                                                   learner.p_event, learner.shift, learner.propensity,
                                                   both ? nullptr : (effect ? &*effect : nullptr),
                                                   options.learner.clip));
  RETURN_NOT_OK(CheckExperiment(v.rows.rows, "validation"));
  if (both) RETURN_NOT_OK(ChooseUpliftSource(learner, &v, &effect, &choice));
  auto [metrics, metrics_json] = ValidationMetrics(v);
  metrics_json.erase("qini_curve");
  metrics_json.erase("uplift_curve");
  double mean_uplift = 0;
  for (float u : v.uplift) mean_uplift += u;
  nlohmann::json meta{
      {"trained_at_data_day", range.last_day},
      {"warehouse_version", session->warehouse_version()},
      {"features", FeatureList(model)},
      {"feature_sql", model.path},
      {"horizon_days", horizon},
      {"train_months", plan.train},
      {"validation_months", plan.validation},
      {"offer_months", plan.offer_months},
      {"rows", {{"train", train.rows.data.rows()}, {"validation", v.rows.rows.data.rows()}}},
      {"learner", options.learner.ToJson()},
      {"uplift_from", effect ? "effect_model" : "trees"},
      {"uplift_choice", choice},
      {"training", learner.info},
      {"validation", metrics_json},
      {"mean_predicted_uplift", v.uplift.empty() ? 0 : mean_uplift / static_cast<double>(v.uplift.size())},
  };
  if (effect) meta["effect_model"] = effect->ToJson();
  const std::vector<std::string> warnings = ModelWarnings(meta);
  for (const std::string& w : warnings) spdlog::warn("retention: {}", w);
  meta["warnings"] = warnings;
  ASSIGN_OR_RETURN(int64_t version, PublishModel(lake.get(), meta, learner.uplift, learner.p_event, learner.shift,
                                                 learner.propensity));
  meta["model_version"] = version;
  meta["verb"] = "retention train";
  meta["qini_coefficient"] = metrics.qini_coefficient;
  meta["auuc"] = metrics.auuc;
  meta["timings"] = {{"features_seconds", features_s},
                     {"learner_seconds", learner.info["total_seconds"]},
                     {"validation_seconds", SecondsSince(validate_start)},
                     {"total_seconds", SecondsSince(start)}};
  meta.erase("features");
  return meta;
}

Result<nlohmann::json> Evaluate(const std::string& lake_root, const EvaluateOptions& options) {
  ASSIGN_OR_RETURN(churn::FeatureModel model, churn::LoadFeatureModel());
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  ASSIGN_OR_RETURN(StoredModel stored, LoadModel(lake.get()));
  ASSIGN_OR_RETURN(auto session, churn::FeatureSession::Open(lake_root));
  const int horizon = stored.meta.value("horizon_days", 90);
  const auto months = stored.meta.value("validation_months", std::vector<std::string>{});
  const double clip = stored.meta.value(nlohmann::json::json_pointer("/learner/propensity_clip"), 0.05);
  ASSIGN_OR_RETURN(Validation v, PredictValidation(session.get(), model, months, horizon, stored.uplift, stored.p_churn,
                                                   stored.shift, stored.propensity,
                                                   stored.effect ? &*stored.effect : nullptr, clip));
  RETURN_NOT_OK(CheckExperiment(v.rows.rows, "validation"));
  auto [metrics, metrics_json] = ValidationMetrics(v);
  nlohmann::json report{{"verb", "retention evaluate"},
                        {"model_version", stored.version},
                        {"model_warehouse_version", stored.meta["warehouse_version"]},
                        {"warehouse_version", session->warehouse_version()},
                        {"train_months", stored.meta["train_months"]},
                        {"validation_months", months},
                        {"horizon_days", horizon},
                        {"metrics", metrics_json},
                        {"qini_coefficient", metrics.qini_coefficient},
                        {"auuc", metrics.auuc}};
  if (options.truth_file.empty() || (!options.truth_required && !std::filesystem::exists(options.truth_file))) {
    report["policy_table_skipped"] = "no truth file (" + options.truth_file + "): the policy table needs the generator's";
    return report;
  }
  auto table = PolicyReport(lake.get(), session.get(), v, options.truth_file);
  if (!table.ok()) {
    if (options.truth_required) return table.status();
    report["policy_table_skipped"] = table.status().message();
    return report;
  }
  report["policy_table"] = std::move(*table);
  return report;
}

}  // namespace custlake::retention
