#include "churn/logistic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "churn/metrics.h"
#include "support/status_testing.h"

namespace custlake::churn {
namespace {

/// y ~ Bernoulli(sigmoid(-1 + 2 a - b)), c is noise, a is sometimes missing.
Dataset Synthetic(int rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> uniform;
  Dataset d;
  d.feature_names = {"a", "b", "c"};
  for (int i = 0; i < rows; ++i) {
    float a = normal(rng), b = normal(rng), c = normal(rng);
    double p = 1 / (1 + std::exp(-(-1 + 2 * a - b)));
    d.ids.push_back(i);
    d.x.insert(d.x.end(), {i % 50 == 0 ? NAN : a, b, c});
    d.y.push_back(uniform(rng) < p ? 1.0f : 0.0f);
  }
  return d;
}

TEST(LogisticTest, RecoversTheTrueDirectionsAndPredictsWell) {
  Dataset train = Synthetic(4000, 1), test = Synthetic(2000, 2);
  ASSERT_OK_AND_ASSIGN(LogisticModel m, FitLogistic(train, {.l2 = 1.0}));
  // Weights are per standard deviation (about 1 here).
  EXPECT_NEAR(m.weights[0], 2.0, 0.25);
  EXPECT_NEAR(m.weights[1], -1.0, 0.2);
  EXPECT_NEAR(m.weights[2], 0.0, 0.15);
  EXPECT_NEAR(m.intercept, -1.0, 0.2);
  EXPECT_GT(RocAuc(m.Predict(test), test.y), 0.8);
}

TEST(LogisticTest, StrongPenaltyShrinksTowardsTheBaseRate) {
  Dataset train = Synthetic(1000, 3);
  ASSERT_OK_AND_ASSIGN(LogisticModel weak, FitLogistic(train, {.l2 = 0.01}));
  ASSERT_OK_AND_ASSIGN(LogisticModel strong, FitLogistic(train, {.l2 = 1e6}));
  EXPECT_LT(std::abs(strong.weights[0]), 0.01 * std::abs(weak.weights[0]));
}

TEST(LogisticTest, RoundTripsThroughJsonAndRefusesOneClass) {
  Dataset train = Synthetic(500, 4);
  ASSERT_OK_AND_ASSIGN(LogisticModel m, FitLogistic(train));
  ASSERT_OK_AND_ASSIGN(LogisticModel back, LogisticModel::FromJson(m.ToJson()));
  EXPECT_EQ(m.Predict(train), back.Predict(train));
  for (float& y : train.y) y = 0;
  EXPECT_NOT_OK(FitLogistic(train));
}

}  // namespace
}  // namespace custlake::churn
