// Per-customer predictions from fitted models.
//
// All in the summary's time unit: a 52-week horizon on weekly data is
// horizon = 52, and discount_rate is the rate per unit (per week there).
// The discounted CLV sums, over each unit of the horizon (the last one
// possibly partial), the expected transactions in that unit times the
// expected spend, discounted to the unit's end:
//   CLV = sum_k (E[Y(t_k)] - E[Y(t_k-1)]) E[M] / (1 + d)^t_k,  t_k = min(k, H).
// Predictions depend on a customer only through (x, t_x, T), so each distinct
// triple is computed once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clv/count_model.h"
#include "clv/summary.h"
#include "common/status.h"

namespace custlake::clv {

struct PredictOptions {
  double horizon = 52;       ///< in the data's unit
  double discount_rate = 0;  ///< per unit, e.g. 0.0019 per week ~ 10 % a year
  Status Validate() const;
};

struct CustomerPrediction {
  double p_alive = 0;
  double expected_purchases = 0;  ///< in the horizon
  double p_no_purchase = 0;       ///< in the horizon: the churn probability
  double expected_spend = 0;      ///< per transaction; NaN without a spend model
  double clv = 0;                 ///< discounted; NaN without a spend model
};

/// `spend` may be null (no amounts): expected_spend and clv are then NaN.
Result<std::vector<CustomerPrediction>> PredictCustomers(const CountModel& model, const CountParams& params,
                                                         const SpendParams* spend, const SummaryTable& table,
                                                         const PredictOptions& options);

/// Writes the predictions as CSV with the horizon in the column names
/// (expected_purchases_52w, p_no_purchase_52w, clv_52w).
Status WritePredictionsCsv(const std::string& path, const SummaryTable& table,
                           const std::vector<CustomerPrediction>& predictions, const PredictOptions& options,
                           bool with_spend);

}  // namespace custlake::clv
