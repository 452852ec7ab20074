// The demo's analytics stage: churn and CLV on the built warehouse, the
// retention list they make together (value at risk = CLV x churn probability),
// and the uplift model's retention plan (custlake retention train + plan).
#include "cli/demo_analytics.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/result_format.h"
#include "query/lake_session.h"

namespace custlake::cli {
namespace {

// Churn needs three horizons of 90 days: history for the features, the gap
// from the last training cutoff to the validation cutoff, and the validation
// cutoff's own observed horizon (docs/churn.md, Cutoffs).
constexpr int kChurnMinMonths = 9;

// The demo's retention plan: offers for this share of the active customers (the issue's middle budget).
constexpr const char* kRetentionBudget = "10%";

// The customers whose expected value is most at risk, with the churn model's
// first reason (fact_customer_scores: models/views/fact_customer_scores.sql).
constexpr const char* kValueAtRisk = R"sql(
SELECT customer_id, round(churn_probability, 3) AS churn_probability, round(clv_12m, 2) AS clv_12m,
       round(value_at_risk, 2) AS value_at_risk, top_reason
FROM fact_customer_scores
WHERE value_at_risk IS NOT NULL
ORDER BY value_at_risk DESC, customer_id
LIMIT 5)sql";

}  // namespace

Status RunDemoAnalytics(const GlobalOptions& project, int months, nlohmann::json* stages) {
  if (months >= kChurnMinMonths) {
    spdlog::info("== churn: XGBoost on rolling cutoffs; the active customers scored with their reasons");
    ASSIGN_OR_RETURN((*stages)["churn"], RunChurnTrainAndScore(project));
  } else {
    spdlog::warn("== churn: skipped: {} months of data are too few to train and validate on (it needs {}; "
                 "try --months 12)",
                 months, kChurnMinMonths);
  }
  spdlog::info("== clv: BG/NBD and Gamma-Gamma on the warehouse's purchases; 12-month CLV per customer");
  ASSIGN_OR_RETURN((*stages)["clv"], RunClvOnWarehouse(project));
  if (months >= kChurnMinMonths) {
    spdlog::info("== retention: the uplift of the offers sent (the offer's effect on its drivers, over the "
                 "DR-learner's models); the plan for {} of the active customers",
                 kRetentionBudget);
    auto retention = RunRetentionTrainAndPlan(project, kRetentionBudget);
    if (retention.ok()) {
      (*stages)["retention"] = std::move(*retention);
    } else if (retention.status().code() == StatusCode::kInvalidArgument ||
               retention.status().code() == StatusCode::kNotFound) {
      spdlog::warn("== retention: skipped: {}", retention.status().message());
    } else {
      return retention.status();
    }
  }
  return Status::OK();
}

std::string DemoAnalyticsSummary(const nlohmann::json& stages, const std::string& lake_root) {
  std::string text;
  if (stages.contains("churn")) {
    const nlohmann::json& train = stages["churn"]["train"];
    const nlohmann::json& score = stages["churn"]["score"];
    text += fmt::format(
        "   churn      model v{}: validation ROC AUC {:.3f} (logistic baseline {:.3f}); {} active customers "
        "scored at {}: raw.churn_scores\n",
        train.value("model_version", int64_t{0}),
        train.value(nlohmann::json::json_pointer("/metrics/xgboost/roc_auc"), 0.0),
        train.value(nlohmann::json::json_pointer("/metrics/logistic/roc_auc"), 0.0),
        score.value("customers", int64_t{0}), score.value("cutoff", std::string()));
  }
  const nlohmann::json& clv = stages["clv"];
  text += fmt::format("   clv        {} over {:.0f} customers (log-likelihood {:.1f}): raw.clv_scores\n",
                      clv.value("model", std::string()), clv.value("customers", 0.0),
                      clv.value("log_likelihood", 0.0));
  if (stages.contains("retention")) {
    const nlohmann::json& train = stages["retention"]["train"];
    const nlohmann::json& plan = stages["retention"]["plan"];
    text += fmt::format(
        "   retention  model v{}: validation Qini coefficient {:.4f}; plan of {} customers at {}: expected {:.1f} "
        "saved, value {:.0f} (90 % interval {:.0f} .. {:.0f}): raw.retention_plan\n",
        train.value("model_version", int64_t{0}), train.value("qini_coefficient", 0.0), plan.value("targeted", int64_t{0}),
        plan.value("plan_date", std::string()), plan.value("expected_saved_customers", 0.0),
        plan.value("expected_saved_value", 0.0), plan.value("saved_value_low", 0.0), plan.value("saved_value_high", 0.0));
  }
  if (!stages.contains("churn")) return text;
  auto session = query::LakeSession::Open(lake_root, query::SandboxOptions{});
  if (!session.ok()) return text;
  auto result = (*session)->Run(kValueAtRisk);
  if (!result.ok()) {
    spdlog::warn("value at risk: {}", result.status().message());
    return text;
  }
  return text + "   value at risk (fact_customer_scores: 12-month CLV x churn probability), the top 5:\n" + FormatTable(*result);
}

}  // namespace custlake::cli
