// The baseline: L2-regularised logistic regression, fitted by Newton's method
// (IRLS) on standardised features. A missing value (NaN) counts as the
// feature's training mean. Small, dependency-free and deterministic: the
// yardstick the gradient-boosted trees must beat.
//
// A LogisticModel is a plain value; Predict is const and thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "churn/dataset.h"
#include "common/status.h"

namespace custlake::churn {

struct LogisticOptions {
  double l2 = 1.0;          ///< penalty on the standardised weights (not the intercept)
  int max_iterations = 50;
  double tolerance = 1e-8;  ///< stop when the largest Newton step is below it
};

struct LogisticModel {
  std::vector<std::string> feature_names;
  std::vector<double> mean, scale;  ///< standardisation per feature
  std::vector<double> weights;      ///< per standardised feature
  double intercept = 0;
  int iterations = 0;

  /// P(label = 1) per row of `data` (its features must be this model's).
  std::vector<float> Predict(const Dataset& data) const;
  nlohmann::json ToJson() const;
  static Result<LogisticModel> FromJson(const nlohmann::json& j);
};

/// Fits on `train` (needs both classes); InvalidArgument otherwise.
Result<LogisticModel> FitLogistic(const Dataset& train, const LogisticOptions& options = {});

}  // namespace custlake::churn
