// Gradient-boosted trees through XGBoost's C API that start from a given
// margin per row (XGBoost's base_margin): the DR-learner's last stage, a
// squared-error regression of the pseudo-outcomes that starts from the
// plug-in estimate, and the treated outcome model, a classifier that starts
// from the control model's log-odds and so learns only the offer's shift.
// churn::GbmModel has neither, so this is its sibling: the same DMatrix
// handling, early stopping on a validation set, the model as XGBoost's JSON.
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

  enum class Objective { kSquaredError, kLogistic };
  /// Boosts on `train` (targets in .y) from the margins (empty: XGBoost's base score), keeping the
  /// rounds up to the best validation loss (RMSE or log loss).
  static Result<Regressor> Train(const churn::Dataset& train, const churn::Dataset& valid,
                                 const churn::GbmOptions& options, Objective objective = Objective::kSquaredError,
                                 const std::vector<float>& train_margin = {},
                                 const std::vector<float>& valid_margin = {});
  static Result<Regressor> Load(const std::string& model_json, size_t features);

  Result<std::string> Save() const;
  /// The prediction from `margin` (empty: none); a probability for kLogistic.
  Result<std::vector<float>> Predict(const churn::Dataset& data, const std::vector<float>& margin = {}) const;
  int best_iteration() const { return best_iteration_; }
  double best_validation_loss() const { return best_rmse_; }

 private:
  struct Booster;
  Regressor(std::unique_ptr<Booster> booster, size_t features);

  std::unique_ptr<Booster> booster_;
  size_t features_ = 0;
  int best_iteration_ = 0;
  double best_rmse_ = 0;
};

}  // namespace custlake::retention
