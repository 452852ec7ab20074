#include "clv/validation.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace custlake::clv {
namespace {

Status FillByFrequency(const CountModel& m, const CountParams& p, const SummaryTable& t, int max_bucket,
                       ValidationReport* r) {
  r->by_frequency.resize(static_cast<size_t>(max_bucket) + 1);
  for (int x = 0; x <= max_bucket; ++x) r->by_frequency[static_cast<size_t>(x)].x = x;
  double sq = 0, abs = 0;
  for (size_t i = 0; i < t.customers.size(); ++i) {
    const CustomerSummary& c = t.customers[i];
    const double predicted = m.expected(p, c.x, c.t_x, c.T, r->holdout_length);
    if (!std::isfinite(predicted)) {
      return Status::Internal(
          fmt::format("customer {}: {} could not predict the holdout", t.ids[i], m.title));
    }
    FrequencyRow& row = r->by_frequency[static_cast<size_t>(std::min<double>(c.x, max_bucket))];
    row.customers += 1;
    row.actual += c.x_holdout;
    row.predicted += predicted;
    r->actual_total += c.x_holdout;
    r->predicted_total += predicted;
    abs += std::fabs(predicted - c.x_holdout);
    sq += (predicted - c.x_holdout) * (predicted - c.x_holdout);
  }
  for (FrequencyRow& row : r->by_frequency) {
    if (row.customers > 0) {
      row.actual /= row.customers;
      row.predicted /= row.customers;
    }
  }
  const double n = static_cast<double>(t.customers.size());
  r->customer_mae = abs / n;
  r->customer_rmse = std::sqrt(sq / n);
  return Status::OK();
}

// Cumulative repeat transactions by the end of each unit since the log's
// first purchase: actual from the log, predicted as the sum over customers of
// E[X(elapsed since their first purchase)], grouped by first purchase.
void FillTracking(const CountModel& m, const CountParams& p, const SummaryTable& t, ValidationReport* r) {
  const double upd = DaysPerUnit(t.unit);
  const int units = static_cast<int>(std::ceil(static_cast<double>(t.repeats_per_day.size()) / upd - 1e-9));
  std::map<double, double> cohorts;  // first purchase (units) -> customers
  for (const CustomerSummary& c : t.customers) cohorts[c.first] += 1;
  double actual = 0;
  size_t day = 0;
  for (int k = 1; k <= units; ++k) {
    for (; day < t.repeats_per_day.size() && static_cast<double>(day) < k * upd; ++day) {
      actual += static_cast<double>(t.repeats_per_day[day]);
    }
    double predicted = 0;
    for (const auto& [first, n] : cohorts) {
      if (first < k) predicted += n * m.expected_new(p, k - first);
    }
    r->tracking.push_back({k, actual, predicted});
  }
  r->calibration_units =
      static_cast<int>(std::ceil((static_cast<double>(t.calibration_end - t.start_day) + 1) / upd - 1e-9));
  double ape = 0;
  int points = 0;
  for (const TrackingPoint& pt : r->tracking) {
    if (pt.unit > r->calibration_units && pt.actual > 0) {
      ape += std::fabs(pt.predicted - pt.actual) / pt.actual;
      ++points;
    }
  }
  r->tracking_mape = points > 0 ? 100 * ape / points : 0;
}

}  // namespace

Result<ValidationReport> ValidateHoldout(const CountModel& model, const CountParams& params,
                                         const SummaryTable& table, int max_bucket) {
  if (!table.holdout_length) {
    return Status::InvalidArgument(
        "validation needs a holdout period: give --holdout-end with --transactions");
  }
  if (max_bucket < 1) return Status::InvalidArgument("the frequency buckets need max_bucket >= 1");
  ValidationReport r;
  r.model_title = std::string(model.title);
  r.unit = std::string(TimeUnitName(table.unit));
  r.holdout_length = *table.holdout_length;
  RETURN_NOT_OK(FillByFrequency(model, params, table, max_bucket, &r));
  FillTracking(model, params, table, &r);
  return r;
}

nlohmann::json ValidationReport::ToJson() const {
  nlohmann::json freq = nlohmann::json::array(), track = nlohmann::json::array();
  for (const FrequencyRow& row : by_frequency) {
    freq.push_back(
        {{"x", row.x}, {"customers", row.customers}, {"actual", row.actual}, {"predicted", row.predicted}});
  }
  if (!freq.empty()) freq.back()["x_at_least"] = true;
  for (const TrackingPoint& pt : tracking) {
    track.push_back({{"unit", pt.unit}, {"actual", pt.actual}, {"predicted", pt.predicted}});
  }
  return {{"model", model_title},
          {"unit", unit},
          {"holdout_length", holdout_length},
          {"calibration_units", calibration_units},
          {"by_frequency", freq},
          {"tracking", track},
          {"metrics",
           {{"customer_mae", customer_mae},
            {"customer_rmse", customer_rmse},
            {"holdout_actual", actual_total},
            {"holdout_predicted", predicted_total},
            {"holdout_error_percent",
             actual_total > 0 ? 100 * (predicted_total - actual_total) / actual_total : 0},
            {"tracking_mape_percent", tracking_mape}}}};
}

}  // namespace custlake::clv
