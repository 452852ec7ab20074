// Retention targeting over the warehouse: what `custlake retention` runs
// (docs/retention.md).
//
//   Train     the experiment rows of the training send months (dataset.h),
//             the DR-learner (learner.h), its metrics on the later validation
//             send months, the model published in the lake (model_store.h).
//   Evaluate  the model on the validation months: Qini and uplift curves,
//             deciles with the calibration, and, where the generator's truth
//             is at hand, the policy table (policy.h).
//   Plan      every customer active at the newest day of data ranked by
//             expected saved value = uplift x CLV - offer cost; the top
//             `budget` published atomically as raw retention/plan and
//             retention/plan_summary (`raw.retention_plan[_summary]`).
//   Export    the training and validation rows as a file (the benchmark's).
//
// Functions open their own lake and sessions; call them from one thread.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "retention/dataset.h"
#include "retention/learner.h"

namespace custlake::retention {

struct TrainOptions {
  PeriodOptions periods;
  LearnerOptions learner;
  /// Where the uplift comes from: "drivers" (the offer's effect on its drivers, effect_model.h), "trees"
  /// (the DR-learner's), or "auto": both are fitted on the training months and the one with the higher
  /// Qini coefficient on the later validation months is served (the trees when the data lack a driver).
  std::string effect = "drivers";
};
Result<nlohmann::json> Train(const std::string& lake_root, const TrainOptions& options);

struct EvaluateOptions {
  std::string truth_file;      ///< churn_probability.csv; "" = no policy table
  bool truth_required = false; ///< an unreadable truth file is an error (else the report says why it has no table)
};
Result<nlohmann::json> Evaluate(const std::string& lake_root, const EvaluateOptions& options);

struct PlanOptions {
  int64_t budget = 0;          ///< customers; 0 = use budget_share
  double budget_share = 0;     ///< of the active customers, when budget = 0
  /// Cost of one offer; unset = each customer's expected cost of its segment's newest retention offer
  /// (offer_cost.h: redemption rate x discount x monthly fee x months).
  std::optional<double> offer_cost;
};
Result<nlohmann::json> Plan(const std::string& lake_root, const PlanOptions& options);

/// Writes the rows (customer_id, send_date, period, treated, churned, features) as .csv or .parquet.
Result<nlohmann::json> ExportDataset(const std::string& lake_root, const PeriodOptions& periods, const std::string& out);

inline constexpr const char* kPlanDataset = "retention/plan";
inline constexpr const char* kPlanSummaryDataset = "retention/plan_summary";

}  // namespace custlake::retention
