#include "retention/uplift_metrics.h"

#include <gtest/gtest.h>

namespace custlake::retention {
namespace {

// Four rows, ranked 0.4 > 0.3 > 0.2 > 0.1; treated 1,0,1,0; churned 0,1,1,0 (success = not churned: 1,0,0,1).
// By hand (N = 4):
//   top 1: n_t 1 s_t 1, n_c 0        Qini 0                      Uplift 0
//   top 2: n_c 1 s_c 0               Qini (1 - 0) / 4 = 0.25     Uplift (1 - 0) x 0.5 = 0.5
//   top 3: n_t 2 s_t 1               Qini (1 - 0) / 4 = 0.25     Uplift (0.5 - 0) x 0.75 = 0.375
//   top 4: n_c 2 s_c 1               Qini (1 - 1 x 2/2) / 4 = 0  Uplift 0
// Qini area 0.25 x (0 + 0.125 + 0.25 + 0.125) = 0.125, minus the random line's 0 / 2: 0.125.
// Uplift area 0.25 x (0 + 0.25 + 0.4375 + 0.1875) = 0.21875.
TEST(UpliftMetrics, HandCheckedFourRows) {
  const UpliftMetrics m = EvaluateUplift({0.4f, 0.3f, 0.2f, 0.1f}, {1, 0, 1, 0}, {0, 1, 1, 0});
  EXPECT_EQ(m.rows, 4);
  EXPECT_EQ(m.treated, 2);
  EXPECT_DOUBLE_EQ(m.treated_event_rate, 0.5);
  EXPECT_DOUBLE_EQ(m.control_event_rate, 0.5);
  EXPECT_DOUBLE_EQ(m.average_treatment_effect, 0);
  EXPECT_NEAR(m.qini_coefficient, 0.125, 1e-12);
  EXPECT_NEAR(m.auuc, 0.21875, 1e-12);
  ASSERT_EQ(m.qini.size(), 5u);
  EXPECT_NEAR(m.qini[2].value, 0.25, 1e-12);
  EXPECT_NEAR(m.uplift[2].value, 0.5, 1e-12);
}

TEST(UpliftMetrics, WeightsCountRowsThatManyTimes) {
  // The four rows above with the first (treated, not churned) weighing 2 (N = 5):
  //   top 1: Qini 0 (no control yet); top 2: (2 - 0) / 5 = 0.4; top 3: (2 - 0) / 5 = 0.4;
  //   top 4: (2 - 1 x 3/2) / 5 = 0.1. Area 0.25 x (0 + 0.2 + 0.4 + 0.25) = 0.2125, minus 0.1 / 2: 0.1625.
  const UpliftMetrics m = EvaluateUplift({0.4f, 0.3f, 0.2f, 0.1f}, {1, 0, 1, 0}, {0, 1, 1, 0}, {2, 1, 1, 1});
  EXPECT_NEAR(m.qini_coefficient, 0.1625, 1e-12);
  EXPECT_NEAR(m.treated_event_rate, 1.0 / 3, 1e-12);
  EXPECT_EQ(m.treated, 2);  // rows, not weights
}

TEST(UpliftMetrics, ReversedRankingHasNegativeQini) {
  const UpliftMetrics m = EvaluateUplift({0.1f, 0.2f, 0.3f, 0.4f}, {1, 0, 1, 0}, {0, 1, 1, 0});
  // Ranked 0.4 (c, no churn), 0.3 (t, churn), 0.2 (c, churn), 0.1 (t, no churn):
  //   top 1: Qini 0 (n_t 0); top 2: (0 - 1 x 1/1) / 4 = -0.25; top 3: (0 - 1 x 1/2) / 4 = -0.125; top 4: 0.
  // area 0.25 x (-0.125 - 0.1875 - 0.0625) = -0.09375.
  EXPECT_NEAR(m.qini_coefficient, -0.09375, 1e-12);
}

TEST(UpliftMetrics, TiedScoresFormOneGroupWhateverTheirOrder) {
  const UpliftMetrics a = EvaluateUplift({1, 1, 1, 1}, {1, 0, 1, 0}, {0, 1, 1, 0});
  const UpliftMetrics b = EvaluateUplift({1, 1, 1, 1}, {0, 1, 0, 1}, {0, 1, 1, 0});
  EXPECT_EQ(a.qini.size(), 2u);  // (0, 0) and (1, end)
  EXPECT_DOUBLE_EQ(a.qini_coefficient, 0);
  EXPECT_DOUBLE_EQ(b.qini_coefficient, 0);
}

TEST(UpliftMetrics, DecilesSetPredictedBesideObserved) {
  // 20 rows: the top half (score 1) treated rows never churn, control rows always do: observed uplift 1;
  // the bottom half (score 0) churns the same in both groups: observed uplift 0.
  std::vector<float> score, treated, churned;
  for (int i = 0; i < 20; ++i) {
    const bool top = i < 10, t = i % 2 == 0;
    score.push_back(top ? 1.0f : 0.0f);
    treated.push_back(t);
    churned.push_back(top ? (t ? 0.0f : 1.0f) : 1.0f);
  }
  const UpliftMetrics m = EvaluateUplift(score, treated, churned);
  ASSERT_EQ(m.deciles.size(), 10u);
  EXPECT_EQ(m.deciles[0].treated + m.deciles[0].control, 2);
  EXPECT_DOUBLE_EQ(m.deciles[0].predicted_uplift, 1);
  EXPECT_DOUBLE_EQ(m.deciles[0].observed_uplift, 1);
  EXPECT_DOUBLE_EQ(m.deciles[9].predicted_uplift, 0);
  EXPECT_DOUBLE_EQ(m.deciles[9].observed_uplift, 0);
  EXPECT_NEAR(m.calibration_slope, 1, 1e-9);
  EXPECT_GT(m.qini_coefficient, 0);
}

TEST(UpliftMetrics, MismatchedLengthsGiveEmptyMetrics) {
  const UpliftMetrics m = EvaluateUplift({0.1f}, {1, 0}, {0});
  EXPECT_TRUE(m.qini.empty());
}

}  // namespace
}  // namespace custlake::retention
