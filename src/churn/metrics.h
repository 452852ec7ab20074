// How good a churn model's probabilities are, on labelled rows: ranking (ROC
// AUC, PR AUC), probability quality (log loss, Brier, a calibration table),
// what a retention team gets from the top of the list (lift and cumulative
// gain by decile) and the confusion matrix at a threshold. Pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace custlake::churn {

struct CalibrationBin {
  double low = 0, high = 0;  ///< predicted probability range [low, high)
  int64_t count = 0;
  double mean_predicted = 0;
  double observed_rate = 0;
};

struct DecileRow {
  int decile = 0;           ///< 1 = the highest scores
  int64_t count = 0;
  int64_t positives = 0;
  double churn_rate = 0;
  double lift = 0;          ///< churn_rate / base rate
  double cumulative_gain = 0;  ///< share of all positives in deciles 1..this
};

struct Confusion {
  double threshold = 0.5;
  int64_t true_positives = 0, false_positives = 0, true_negatives = 0, false_negatives = 0;
  double precision = 0, recall = 0;
};

struct RocPoint {
  double false_positive_rate = 0, true_positive_rate = 0;
};

struct Metrics {
  int64_t rows = 0;
  int64_t positives = 0;
  double base_rate = 0;
  double roc_auc = 0;
  double pr_auc = 0;  ///< average precision
  double log_loss = 0;
  double brier = 0;
  std::vector<CalibrationBin> calibration;  ///< 10 equal-width bins (empty ones left out)
  std::vector<DecileRow> deciles;           ///< 10 rows
  Confusion confusion;
  std::vector<RocPoint> roc;                ///< at most ~200 points, for charts
};

/// ROC AUC with ties counted half (the Mann-Whitney statistic); 0.5 when one class is absent.
double RocAuc(const std::vector<float>& scores, const std::vector<float>& labels);
/// Average precision (PR AUC by the step rule); 0 when there are no positives.
double PrAuc(const std::vector<float>& scores, const std::vector<float>& labels);
/// Every metric above; `probabilities` in [0, 1], labels 0/1, same length (non-empty). The confusion
/// matrix flags probabilities >= `threshold`; a negative threshold means the base rate (a model that
/// flags customers at least as likely to churn as the average one).
Metrics Evaluate(const std::vector<float>& probabilities, const std::vector<float>& labels, double threshold = -1);

nlohmann::json ToJson(const Metrics& m);

}  // namespace custlake::churn
