// Gradient-boosted trees through XGBoost's C API (the only code that includes
// xgboost/c_api.h): training with early stopping on a validation set,
// probabilities, per-row SHAP contributions, and the model as XGBoost's own
// JSON so it can be kept in the lake and loaded back.
//
// A GbmModel owns its booster; movable, not copyable. XGBoost's prediction
// on one booster is not guaranteed thread-safe: use a model from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "churn/dataset.h"
#include "common/status.h"

namespace custlake::churn {

struct GbmOptions {
  int max_rounds = 1000;
  int early_stopping_rounds = 50;  ///< stop when validation log loss has not improved for this many rounds
  double eta = 0.05;
  int max_depth = 3;
  double min_child_weight = 5;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double lambda = 1;               ///< L2 on leaf weights
  int seed = 42;
  int threads = 0;                 ///< 0 = XGBoost's default
  /// Each round's validation loss from XGBoost's own evaluation (its prediction of every validation
  /// row, about three times slower) instead of ValidationLoss's: the check that the two agree.
  bool xgboost_evaluation = false;

  Status Validate() const;
  nlohmann::json ToJson() const;
};

class GbmModel {
 public:
  GbmModel(GbmModel&&) noexcept;
  GbmModel& operator=(GbmModel&&) noexcept;
  ~GbmModel();

  /// kLogistic: a classifier (labels 0/1, log loss); kSquaredError: a regression (RMSE).
  enum class Objective { kLogistic, kSquaredError };

  /// Boosts on `train`, evaluating the objective's loss on `valid` each round (ValidationLoss), and
  /// keeps the rounds up to the best validation round. With margins (one per row; XGBoost's base_margin), the trees
  /// start from them instead of a constant: e.g. a model that learns only a shift from another
  /// model's log-odds. A model trained with margins must be given margins to predict.
  static Result<GbmModel> Train(const Dataset& train, const Dataset& valid, const GbmOptions& options,
                                Objective objective = Objective::kLogistic,
                                const std::vector<float>& train_margin = {},
                                const std::vector<float>& valid_margin = {});
  /// A model saved by Save().
  static Result<GbmModel> Load(const std::string& model_json, std::vector<std::string> feature_names);

  /// XGBoost's JSON of the model.
  Result<std::string> Save() const;
  /// P(label = 1) per row (kLogistic), or the regression's value (kSquaredError), from `margin`
  /// (one per row) when the model was trained from margins.
  Result<std::vector<float>> Predict(const Dataset& data, const std::vector<float>& margin = {}) const;
  /// SHAP contributions (log-odds): rows x (features + 1), the last column the bias.
  Result<std::vector<float>> Contributions(const Dataset& data) const;

  int best_iteration() const { return best_iteration_; }
  /// The best round's validation loss: log loss, or RMSE for kSquaredError.
  double best_validation_log_loss() const { return best_log_loss_; }
  /// Each round's validation loss, up to the round training stopped at (after the best).
  const std::vector<double>& validation_losses() const { return validation_losses_; }
  const std::vector<std::string>& feature_names() const { return feature_names_; }

 private:
  struct Booster;
  GbmModel(std::unique_ptr<Booster> booster, std::vector<std::string> feature_names);
  Result<std::vector<float>> PredictType(const Dataset& data, int type, size_t per_row,
                                         const std::vector<float>& margin) const;

  std::unique_ptr<Booster> booster_;
  std::vector<std::string> feature_names_;
  int best_iteration_ = 0;
  double best_log_loss_ = 0;
  std::vector<double> validation_losses_;
};

}  // namespace custlake::churn
