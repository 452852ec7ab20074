// The early stopping's validation loss, kept round by round beside XGBoost: the validation rows'
// margins plus each new tree's leaf, then XGBoost's log loss (or RMSE) of them.
//
// XGBoost's own evaluation copies each row's every feature into a buffer before walking the new tree
// (25 ms a round at 600,000 rows and 48 features: a fifth of the training at 1 M customers); a tree of
// depth 3 reads three of them. The arithmetic is XGBoost's: its prediction cache adds each new tree's
// leaf to a row's float margin, its objective turns the margin into a float probability, and its
// metric sums float losses per row in double; so the losses are the ones XGBoost reports, up to the
// order of the sum (gbm_test compares them round by round: its log losses are equal, its RMSEs within
// 1e-12).
//
// Add runs on several threads of its own (ForEachRowBlock); not thread-safe otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "churn/dataset.h"
#include "common/status.h"

namespace custlake::churn {

/// One regression tree of an XGBoost model: node 0 the root; a leaf's left child is -1 and its
/// value is its `value`, an inner node's `value` is its split's threshold (go left when below it;
/// a missing feature goes to the side `default_left` says).
struct XgbTree {
  std::vector<int32_t> left, right, feature;
  std::vector<float> value;
  std::vector<uint8_t> default_left;

  /// The leaf value row `r` lands on, the rows' features column by column (feature f of row r at
  /// columns[f * rows + r]; NaN = missing).
  float Leaf(const float* columns, size_t rows, size_t r) const {
    int32_t n = 0;
    while (left[n] >= 0) {
      const float v = columns[static_cast<size_t>(feature[n]) * rows + r];
      n = v < value[n] ? left[n] : (v == v ? right[n] : (default_left[n] ? left[n] : right[n]));
    }
    return value[n];
  }
};

/// The only tree of an XGBoost model saved as UBJSON (`{"format": "ubj"}`), e.g. a one-round slice.
/// Corruption when the model is not one tree of numeric splits.
Result<XgbTree> ParseOneTree(const std::string& ubjson, size_t features);

class ValidationLoss {
 public:
  enum class Kind { kLogLoss, kRmse };
  /// `margins`: each validation row's margin after the first round (XGBoost's output_margin prediction).
  ValidationLoss(const Dataset& valid, std::vector<float> margins, Kind kind);

  /// Adds a round's tree to every row's margin (none: the first round's, already in the margins) and
  /// returns the loss of the margins: XGBoost's logloss (probabilities by its float sigmoid) or rmse.
  double Add(const XgbTree* tree);

 private:
  const Dataset& valid_;
  /// The validation rows' features column by column: a tree reads a few features of every row, so
  /// each round reads a few columns instead of every row whole (a third of the round's time at 600,000
  /// rows).
  std::vector<float> columns_;
  std::vector<float> margins_;
  Kind kind_;
};

}  // namespace custlake::churn
