// Calibration/holdout validation of a fitted count model.
//
// Fitted on the calibration period, the model predicts each customer's
// transactions in the holdout period; the report compares them with what the
// customers did: mean actual against mean predicted holdout transactions by
// calibration frequency x (the last bucket collects x >= max_bucket), the
// cumulative repeat-transaction tracking curve of the whole cohort by unit
// since the log's first purchase, and error metrics.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clv/count_model.h"
#include "clv/fitter.h"
#include "clv/summary.h"
#include "common/status.h"

namespace custlake::clv {

struct FrequencyRow {
  int x = 0;  ///< calibration frequency; the last row means x >= this
  double customers = 0;
  double actual = 0;  ///< mean holdout transactions
  double predicted = 0;
};

struct TrackingPoint {
  int unit = 0;       ///< end of this unit after the log's first purchase
  double actual = 0;  ///< cumulative repeat transactions
  double predicted = 0;
};

struct ValidationReport {
  std::string model_title;
  std::string unit;
  double holdout_length = 0;
  int calibration_units = 0;  ///< the tracking point where the holdout starts
  std::vector<FrequencyRow> by_frequency;
  std::vector<TrackingPoint> tracking;
  double customer_mae = 0, customer_rmse = 0;    ///< per-customer holdout transactions
  double actual_total = 0, predicted_total = 0;  ///< holdout transactions of the cohort
  double tracking_mape = 0;                      ///< % over the holdout's tracking points

  nlohmann::json ToJson() const;
};

/// The table must come from a transaction log with a holdout end.
Result<ValidationReport> ValidateHoldout(const CountModel& model, const CountParams& params,
                                         const SummaryTable& table, int max_bucket = 7);

/// A self-contained HTML page (inline SVG charts, no scripts or links) with
/// the fits, the metrics, both tables and their charts.
std::string ValidationHtml(const ValidationReport& report, const std::vector<FitResult>& fits);

}  // namespace custlake::clv
