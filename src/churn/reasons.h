// Per-customer reasons in words a retention team reads ("usage down 60 % in
// 30 days", "2 unresolved tickets"), from XGBoost's SHAP contributions: the
// features that raised the customer's churn log-odds the most, each phrased
// from the customer's own values. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "churn/dataset.h"

namespace custlake::churn {

struct Reason {
  std::string feature;
  double contribution = 0;  ///< SHAP value, log-odds
  std::string text;
};

/// The features of row `row` with the largest positive contributions (at most `k`), highest
/// first; `contributions` is the row's SHAP vector (features + bias).
std::vector<Reason> TopReasons(const Dataset& data, size_t row, const float* contributions, int k = 3);

/// Feature `feature` of row `row` in words.
std::string DescribeFeature(const Dataset& data, size_t row, const std::string& feature);

}  // namespace custlake::churn
