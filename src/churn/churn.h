// Churn prediction over the warehouse: what `custlake churn` runs.
//
//   Train     features (models/churn/features.sql) at several rolling training
//             cutoffs and one later validation cutoff; XGBoost with early
//             stopping on the validation rows and a logistic baseline; metrics
//             of both; the model published in the lake (models/churn/) with its
//             features, training window, metrics and the warehouse version.
//   Evaluate  the model in service at a cutoff whose horizon is observed: both
//             models' metrics, global importance, and the oracle AUC where the
//             generator's truth is at hand.
//   Score     every customer active at a cutoff (default: the newest day of
//             data): probability and top 3 reasons, published atomically as the
//             raw dataset churn/scores (`raw.churn_scores` for readers).
//   Explain   one customer: probability, each feature's value and contribution.
//
// No training label reads past the validation cutoff: a training cutoff is at
// least one horizon before it. Functions open their own lake and sessions;
// call them from one thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "churn/dataset.h"
#include "churn/gbm.h"
#include "churn/logistic.h"
#include "common/status.h"

namespace custlake::churn {

struct TrainOptions {
  std::string validation_cutoff;  ///< "" = the newest month end whose horizon the data covers
  int horizon_days = 90;
  int train_cutoffs = 4;          ///< month ends, the newest ones at least a horizon before validation
  int min_history_days = 90;      ///< a training cutoff has this much usage data before it
  GbmOptions gbm;
  LogisticOptions logistic;
  double threshold = -1;          ///< the confusion matrix's; < 0 = the rows' churn rate
  std::string memory_limit = FeatureSession::kDefaultMemoryLimit;  ///< DuckDB's for the features; "" = DuckDB's default
};

/// The cutoffs a training run uses.
struct CutoffPlan {
  std::vector<std::string> train;  ///< oldest first
  std::string validation;
};

/// Month-end cutoffs for data from `range.first_usage_day` to `range.last_day`.
Result<CutoffPlan> PlanCutoffs(const DataRange& range, const TrainOptions& options);

/// Trains, evaluates on the validation cutoff and publishes the model; the summary
/// (cutoffs, rows, both models' metrics, importance, model_version).
Result<nlohmann::json> Train(const std::string& lake_root, const TrainOptions& options);

struct EvaluateOptions {
  std::string cutoff;             ///< "" = the model's validation cutoff
  std::string truth_file;         ///< truth/churn_probability.csv; "" or missing = no oracle
  double threshold = -1;          ///< the confusion matrix's; < 0 = the rows' churn rate
};
/// The report (JSON) of the model in service at a cutoff.
Result<nlohmann::json> Evaluate(const std::string& lake_root, const EvaluateOptions& options);

/// The oracle AUC: each of `data`'s customers scored with the generator's true hazard for the
/// month after `cutoff` (truth/churn_probability.csv), against `data`'s labels.
Result<nlohmann::json> OracleAuc(const std::string& truth_file, const std::string& cutoff, const Dataset& data,
                                 const std::vector<float>& model_scores);

struct ScoreOptions {
  std::string cutoff;  ///< "" = the newest day of data
};
/// Scores and publishes raw/churn/scores; the summary (rows, cutoff, batch).
Result<nlohmann::json> Score(const std::string& lake_root, const ScoreOptions& options);

/// One customer's probability, reasons and every feature's value and contribution.
Result<nlohmann::json> Explain(const std::string& lake_root, int64_t customer_id, const std::string& cutoff);

/// The lake dataset of the scores (raw zone: `raw.churn_scores` in queries).
inline constexpr const char* kScoresDataset = "churn/scores";
/// The lake dataset of the model in service (models zone).
inline constexpr const char* kModelDataset = "churn";

}  // namespace custlake::churn
