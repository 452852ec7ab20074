// The uplift meta-learner: a DR-learner (Kennedy 2020) over XGBoost with a
// modelled propensity.
//
//   1. Cross-fitting: rows are split into `folds` by a hash of their group
//      (the customer, so one customer's months stay together). For each fold,
//      on the other folds: the propensity e(x) = P(treated | x) and the
//      control outcome model mu0(x) = P(event | x, control), churn::GbmModels
//      with early stopping on a tenth of those rows, and the treated outcome
//      model mu1(x) = sigmoid(logit mu0(x) + g(x)): boosted trees g fitted on
//      the treated rows starting from mu0's log-odds, so the few treated rows
//      only have to teach the offer's shift, not churn itself. The fold's rows
//      get out-of-fold e, mu0 and mu1.
//   2. The propensity is clipped to [clip, 1 - clip]; the doubly robust
//      pseudo-outcome of the uplift (the reduction of the event's probability):
//        psi = mu0 - mu1 + (1 - t)(y - mu0) / (1 - e) - t (y - mu1) / e
//   3. A regression (squared error) of psi on x that starts from the plug-in
//      estimate mu0 - mu1 (XGBoost's base margin): the uplift model is the
//      plug-in plus the correction the pseudo-outcomes support (early stopping
//      keeps no more of it than held-out customers confirm).
//   4. Refitted on every row of their kind: mu0 on the control rows (also the
//      churn probability without an offer, for plans and the churn-risk
//      policy), g on the treated rows, and e on all rows (the propensity that
//      weights later validation rows: EvaluationWeights). Without refit (a
//      learner that is not kept), the folds' means stand for mu0 and e.
//
// Boosters that do not depend on one another are fitted side by side, one
// thread each, as many at a time as the threads allowed (cores by default).
//
// Plain values; a trained learner is used from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "churn/dataset.h"
#include "churn/gbm.h"
#include "common/status.h"
#include "retention/effect_model.h"

namespace custlake::retention {

struct LearnerOptions {
  int folds = 2;
  double clip = 0.05;            ///< propensities kept in [clip, 1 - clip]
  double trim = 0.2;             ///< the offer's shift and the last stage learn from rows with e >= trim (0: all)
  churn::GbmOptions nuisance;    ///< propensity and control outcome models
  churn::GbmOptions shift;       ///< the treated outcome model's shift from the control one
  churn::GbmOptions uplift;      ///< the pseudo-outcome regression
  /// Refit mu0 and e on every row (step 4) for a model that is kept. false (generic mode, which keeps
  /// no model): the means of the cross-fitting folds' mu0 and e stand for them (g, a small booster on
  /// the treated rows, is still fitted on every treated row of the overlap, from the folds' mean
  /// mu0), and the two refits, about half of the boosting, are skipped.
  bool refit = true;
  LearnerOptions();
  Status Validate() const;
  nlohmann::json ToJson() const;
};

/// Rows of an experiment: features and the event label (.y), the treatment, and a group per row.
struct UpliftRows {
  churn::Dataset data;          ///< .y = the event (churned) 0/1
  std::vector<float> treated;   ///< 0/1
  std::vector<uint64_t> group;  ///< rows of one group share a fold (e.g. the customer id)
};

/// A cross-fitting fold's control outcome model (kept when the learner does not refit).
struct FoldModels {
  churn::GbmModel mu0;
};

struct TrainedLearner {
  churn::GbmModel uplift;
  churn::GbmModel p_event;     ///< mu0 on every control row (without refit: the first fold's)
  churn::GbmModel shift;             ///< g on every treated row, from mu0's log-odds (without refit: the folds' mean mu0's)
  churn::GbmModel propensity;  ///< e on every row (without refit: the first fold's)
  nlohmann::json info;      ///< rounds, clipped share, timings
  std::vector<FoldModels> folds;  ///< without refit: every fold's mu0, which PredictUpliftFromFolds averages
};

/// The uplift of `data`'s rows: the plug-in mu0 - mu1 plus the uplift model's correction, kept within
/// [mu0 - 1, mu0] (a probability with the offer between 0 and 1). With `effect` (the warehouse's model
/// of the offer's effect on its drivers, effect_model.h): mu0 - sigmoid(logit mu0 + s(x)) instead, the
/// trees unused.
Result<std::vector<float>> PredictUplift(const churn::GbmModel& uplift, const churn::GbmModel& p_event, const churn::GbmModel& shift,
                                         const churn::Dataset& data, const EffectModel* effect = nullptr);

/// The uplift of `data`'s rows for a learner trained without refit: as PredictUplift with mu0 the mean
/// of the cross-fitting folds' control outcome models.
Result<std::vector<float>> PredictUpliftFromFolds(const TrainedLearner& learner, const churn::Dataset& data);

/// The offer's effect model (effect_model.h) on `rows`, with the trained learner's mu0 as offset, fitted
/// on the rows whose propensity (the learner's, on every row) is at least `trim` (all rows when trim is 0
/// or fewer than 200 remain).
Result<EffectModel> FitEffectOnDrivers(const UpliftRows& rows, const TrainedLearner& learner, double trim);

/// Trains the DR-learner on `rows`; every fold needs treated and control rows with both outcomes.
Result<TrainedLearner> TrainDrLearner(const UpliftRows& rows, const LearnerOptions& options);

/// Inverse propensity weights t / e + (1 - t) / (1 - e), e clipped to [clip, 1 - clip]: rows of a
/// targeted campaign weighted to stand for a randomised experiment.
std::vector<float> EvaluationWeights(const std::vector<float>& propensity, const std::vector<float>& treated, double clip);

/// A stable 64-bit mix of `key` and `salt` (fold and split assignment).
uint64_t HashKey(uint64_t key, uint64_t salt);

/// `rows`' rows where keep[r] is true.
UpliftRows Subset(const UpliftRows& rows, const std::vector<bool>& keep);

}  // namespace custlake::retention
