#include "churn/gbm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "churn/metrics.h"
#include "churn/validation_loss.h"
#include "support/status_testing.h"

namespace custlake::churn {
namespace {

/// A non-linear truth a logistic model cannot fit: churn when |a| is large or b is missing.
Dataset Synthetic(int rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> uniform;
  Dataset d;
  d.feature_names = {"a", "b"};
  for (int i = 0; i < rows; ++i) {
    float a = normal(rng), b = normal(rng);
    bool b_missing = uniform(rng) < 0.1f;
    double p = std::abs(a) > 1.2 || b_missing ? 0.7 : 0.1;
    d.ids.push_back(i);
    d.x.insert(d.x.end(), {a, b_missing ? NAN : b});
    d.y.push_back(uniform(rng) < p ? 1.0f : 0.0f);
  }
  return d;
}

TEST(GbmTest, LearnsEarlyStopsAndExplains) {
  Dataset train = Synthetic(3000, 1), valid = Synthetic(1500, 2);
  GbmOptions options;
  options.threads = 1;
  options.early_stopping_rounds = 20;
  ASSERT_OK_AND_ASSIGN(GbmModel model, GbmModel::Train(train, valid, options));
  EXPECT_LT(model.best_iteration(), options.max_rounds - 1);
  ASSERT_OK_AND_ASSIGN(std::vector<float> p, model.Predict(valid));
  EXPECT_GT(RocAuc(p, valid.y), 0.75);
  // SHAP: each row's contributions plus the bias add up to its log-odds.
  ASSERT_OK_AND_ASSIGN(std::vector<float> shap, model.Contributions(valid));
  ASSERT_EQ(shap.size(), valid.rows() * 3);
  for (size_t r = 0; r < 5; ++r) {
    const double logit = std::log(p[r] / (1 - p[r]));
    EXPECT_NEAR(shap[r * 3] + shap[r * 3 + 1] + shap[r * 3 + 2], logit, 1e-3);
  }
}

TEST(GbmTest, BaseMarginsStartThePredictionInPlaceOfTheBaseScore) {
  Dataset train = Synthetic(2000, 3), valid = Synthetic(500, 4);
  GbmOptions options;
  options.threads = 1;
  options.max_rounds = 30;
  ASSERT_OK_AND_ASSIGN(GbmModel model, GbmModel::Train(train, valid, options));
  ASSERT_OK_AND_ASSIGN(std::vector<float> p, model.Predict(valid));
  std::vector<float> margin(valid.rows());
  for (size_t r = 0; r < margin.size(); ++r) margin[r] = static_cast<float>(r % 5) - 2.0f;
  ASSERT_OK_AND_ASSIGN(std::vector<float> shifted, model.Predict(valid, margin));
  ASSERT_EQ(shifted.size(), valid.rows());
  for (size_t r = 0; r < valid.rows(); ++r) {  // base_score 0.5: log-odds 0, so the margin adds to the trees'
    const double z = std::log(p[r] / (1 - p[r])) + margin[r];
    EXPECT_NEAR(shifted[r], 1 / (1 + std::exp(-z)), 1e-4) << "row " << r;
  }
  EXPECT_FALSE(model.Predict(valid, std::vector<float>(3, 0.0f)).ok());  // one margin per row
}

TEST(GbmTest, SavedModelPredictsTheSame) {
  Dataset train = Synthetic(1000, 3), valid = Synthetic(500, 4);
  GbmOptions options;
  options.threads = 1;
  options.max_rounds = 30;
  ASSERT_OK_AND_ASSIGN(GbmModel model, GbmModel::Train(train, valid, options));
  ASSERT_OK_AND_ASSIGN(std::string json, model.Save());
  ASSERT_OK_AND_ASSIGN(GbmModel back, GbmModel::Load(json, train.feature_names));
  EXPECT_EQ(*model.Predict(valid), *back.Predict(valid));
  EXPECT_NOT_OK(GbmModel::Load("not a model", train.feature_names));
}

/// Trains twice, the validation loss kept by ValidationLoss and by XGBoost's own evaluation: the same
/// loss every round (up to the order of the sum), so the same rounds are kept.
void ExpectXgboostsOwnLosses(const Dataset& train, const Dataset& valid, GbmModel::Objective objective,
                             const std::vector<float>& train_margin, const std::vector<float>& valid_margin) {
  GbmOptions options;
  options.max_rounds = 60;
  options.max_depth = 4;
  ASSERT_OK_AND_ASSIGN(GbmModel kept, GbmModel::Train(train, valid, options, objective, train_margin, valid_margin));
  options.xgboost_evaluation = true;
  ASSERT_OK_AND_ASSIGN(GbmModel xgb, GbmModel::Train(train, valid, options, objective, train_margin, valid_margin));
  ASSERT_EQ(kept.validation_losses().size(), xgb.validation_losses().size());
  for (size_t i = 0; i < xgb.validation_losses().size(); ++i) {
    EXPECT_NEAR(kept.validation_losses()[i], xgb.validation_losses()[i], 1e-12 * xgb.validation_losses()[i])
        << "round " << i;
  }
  EXPECT_EQ(kept.best_iteration(), xgb.best_iteration());
}

TEST(GbmTest, TheValidationLossIsXgboostsOwnRoundByRound) {
  Dataset train = Synthetic(4000, 5), valid = Synthetic(3000, 6);
  ExpectXgboostsOwnLosses(train, valid, GbmModel::Objective::kLogistic, {}, {});
  std::vector<float> train_margin(train.rows()), valid_margin(valid.rows());
  for (size_t r = 0; r < train.rows(); ++r) train_margin[r] = static_cast<float>(r % 7) * 0.3f - 1.0f;
  for (size_t r = 0; r < valid.rows(); ++r) valid_margin[r] = static_cast<float>(r % 5) * 0.4f - 1.0f;
  ExpectXgboostsOwnLosses(train, valid, GbmModel::Objective::kLogistic, train_margin, valid_margin);
  // A regression (RMSE) of a value that a missing feature shifts.
  for (Dataset* d : {&train, &valid}) {
    for (size_t r = 0; r < d->rows(); ++r) d->y[r] = 3 * d->Row(r)[0] + (std::isnan(d->Row(r)[1]) ? 2.0f : 0.0f);
  }
  ExpectXgboostsOwnLosses(train, valid, GbmModel::Objective::kSquaredError, {}, {});
}

/// A model's UBJSON holding one tree with the given nodes (XGBoost's layout of the arrays).
std::string OneTreeModel(std::vector<int> left, std::vector<int> right, std::vector<int> feature,
                         std::vector<float> value, std::vector<int> default_left) {
  nlohmann::json tree{{"left_children", left}, {"right_children", right}, {"split_indices", feature},
                      {"split_conditions", value}, {"default_left", default_left}};
  nlohmann::json model{{"learner", {{"gradient_booster", {{"model", {{"trees", {tree}}}}}}}}};
  const std::vector<uint8_t> bytes = nlohmann::json::to_ubjson(model);
  return std::string(bytes.begin(), bytes.end());
}

TEST(GbmTest, ATreeIsWalkedAsXgboostWalksItAndAMalformedOneIsRefused) {
  // Root: feature 1 < 0.5 goes left (a leaf, 0.25), else right (feature 0 < 2, missing to the right).
  ASSERT_OK_AND_ASSIGN(XgbTree tree, ParseOneTree(OneTreeModel({1, -1, 3, -1, -1}, {2, -1, 4, -1, -1},
                                                               {1, 0, 0, 0, 0}, {0.5f, 0.25f, 2.0f, -1.0f, 3.0f},
                                                               {1, 0, 0, 0, 0}),
                                                  2));
  // Two rows column by column: row 0 = (1, 0.1), row 1 = (NaN, 0.9); then (5, NaN) and (1, 0.5).
  const std::vector<float> columns{1.0f, NAN, 5.0f, 1.0f, 0.1f, 0.9f, NAN, 0.5f};
  EXPECT_EQ(tree.Leaf(columns.data(), 4, 0), 0.25f);  // 0.1 < 0.5
  EXPECT_EQ(tree.Leaf(columns.data(), 4, 1), 3.0f);   // 0.9: right; feature 0 missing: right
  EXPECT_EQ(tree.Leaf(columns.data(), 4, 2), 0.25f);  // feature 1 missing: left (default_left)
  EXPECT_EQ(tree.Leaf(columns.data(), 4, 3), -1.0f);  // 0.5 is not below 0.5: right; 1 < 2: left
  EXPECT_FALSE(ParseOneTree("not ubjson", 2).ok());
  // A split on a feature the rows do not have, and a child that points back at the root.
  EXPECT_FALSE(ParseOneTree(OneTreeModel({1, -1, -1}, {2, -1, -1}, {7, 0, 0}, {0, 1, 2}, {0, 0, 0}), 2).ok());
  EXPECT_FALSE(ParseOneTree(OneTreeModel({1, 0, -1}, {2, 2, -1}, {0, 0, 0}, {0, 1, 2}, {0, 0, 0}), 2).ok());
}

TEST(GbmTest, BadOptionsAreRefused) {
  GbmOptions options;
  options.eta = 0;
  EXPECT_NOT_OK(options.Validate());
}

TEST(Dataset, EveryKthSpreadsAtMostTheRowsAskedOverAllRows) {
  const Dataset d = Synthetic(10, 1);
  const Dataset three = d.EveryKth(3);  // every 4th: rows 0, 4, 8
  EXPECT_EQ(three.ids, (std::vector<int64_t>{0, 4, 8}));
  EXPECT_EQ(three.feature_names, d.feature_names);
  ASSERT_EQ(three.x.size(), 6u);
  EXPECT_EQ(three.x[2], d.Row(4)[0]);
  EXPECT_EQ(three.y[2], d.y[8]);
  EXPECT_EQ(d.EveryKth(5).ids, (std::vector<int64_t>{0, 2, 4, 6, 8}));
  EXPECT_EQ(d.EveryKth(10).rows(), 10u);
  EXPECT_EQ(d.EveryKth(0).rows(), 0u);
}

}  // namespace
}  // namespace custlake::churn
