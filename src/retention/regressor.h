// Gradient-boosted regression trees (squared error) through XGBoost's C API:
// the DR-learner's last stage, which regresses the doubly robust pseudo-
// outcomes on the features. churn::GbmModel is a classifier (log loss), so
// this is its regression sibling: the same DMatrix handling, early stopping
// on a validation set's RMSE, the model kept as XGBoost's JSON.
//
// A Regressor owns its booster; movable, not copyable; use from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "churn/dataset.h"
#include "churn/gbm.h"
#include "common/status.h"

namespace custlake::retention {

class Regressor {
 public:
  Regressor(Regressor&&) noexcept;
  Regressor& operator=(Regressor&&) noexcept;
  ~Regressor();

  /// Boosts on `train` (targets in .y), keeping the rounds up to the best validation RMSE.
  static Result<Regressor> Train(const churn::Dataset& train, const churn::Dataset& valid,
                                 const churn::GbmOptions& options);
  static Result<Regressor> Load(const std::string& model_json, size_t features);

  Result<std::string> Save() const;
  Result<std::vector<float>> Predict(const churn::Dataset& data) const;
  int best_iteration() const { return best_iteration_; }
  double best_validation_rmse() const { return best_rmse_; }

 private:
  struct Booster;
  Regressor(std::unique_ptr<Booster> booster, size_t features);

  std::unique_ptr<Booster> booster_;
  size_t features_ = 0;
  int best_iteration_ = 0;
  double best_rmse_ = 0;
};

}  // namespace custlake::retention
