#include "churn/metrics.h"

#include <gtest/gtest.h>

namespace custlake::churn {
namespace {

TEST(MetricsTest, RocAucCountsPairsAndTiesHalf) {
  EXPECT_DOUBLE_EQ(RocAuc({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}), 0.75);
  EXPECT_DOUBLE_EQ(RocAuc({0.5f, 0.5f}, {0, 1}), 0.5);
  EXPECT_DOUBLE_EQ(RocAuc({0.9f, 0.1f}, {1, 0}), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc({0.9f, 0.1f}, {1, 1}), 0.5);  // one class only
}

TEST(MetricsTest, AveragePrecision) {
  // Ranked: 0.8 (1), 0.4 (0), 0.35 (1), 0.1 (0): AP = (1/1 + 2/3) / 2.
  EXPECT_NEAR(PrAuc({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}), (1.0 + 2.0 / 3) / 2, 1e-12);
}

TEST(MetricsTest, ProbabilityScoresDecilesAndConfusion) {
  std::vector<float> p, y;
  for (int i = 0; i < 100; ++i) {
    p.push_back(i / 100.0f);
    y.push_back(i >= 80 ? 1.0f : 0.0f);  // the top fifth churned
  }
  Metrics m = Evaluate(p, y, 0.5);
  EXPECT_EQ(m.rows, 100);
  EXPECT_EQ(m.positives, 20);
  EXPECT_DOUBLE_EQ(m.roc_auc, 1.0);
  ASSERT_EQ(m.deciles.size(), 10u);
  EXPECT_EQ(m.deciles[0].positives, 10);
  EXPECT_DOUBLE_EQ(m.deciles[0].lift, 5.0);
  EXPECT_DOUBLE_EQ(m.deciles[1].cumulative_gain, 1.0);
  EXPECT_EQ(m.confusion.true_positives, 20);
  EXPECT_EQ(m.confusion.false_positives, 30);
  EXPECT_EQ(m.confusion.true_negatives, 50);
  // By default the threshold is the base rate: everyone at least as likely to churn as the average.
  Metrics at_base_rate = Evaluate(p, y);
  EXPECT_DOUBLE_EQ(at_base_rate.confusion.threshold, 0.2);
  EXPECT_EQ(at_base_rate.confusion.true_positives + at_base_rate.confusion.false_positives, 80);
  EXPECT_NEAR(m.brier, [&] { double s = 0; for (int i = 0; i < 100; ++i) s += (p[i] - y[i]) * (p[i] - y[i]); return s / 100; }(), 1e-9);
  EXPECT_EQ(m.calibration.size(), 10u);
  EXPECT_EQ(m.roc.front().true_positive_rate, 0);
  EXPECT_EQ(m.roc.back().false_positive_rate, 1);
}

TEST(MetricsTest, LogLossOfAConstantPrediction) {
  Metrics m = Evaluate({0.25f, 0.25f, 0.25f, 0.25f}, {1, 0, 0, 0});
  EXPECT_NEAR(m.log_loss, -(std::log(0.25) + 3 * std::log(0.75)) / 4, 1e-6);
}

}  // namespace
}  // namespace custlake::churn
