#include "retention/dataset.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace custlake::retention {
namespace {

std::vector<std::string> Months(int from, int to) {  // 2025-MM-01 for MM in [from, to]
  std::vector<std::string> out;
  for (int m = from; m <= to; ++m) out.push_back(fmt::format("2025-{:02}-01", m));
  return out;
}

TEST(SendMonths, TrainingHorizonsEndByTheValidationCutoff) {
  // Data 2025-01-01 .. 2025-12-31: a cutoff needs 90 days of usage (>= 2025-03-31) and its 90-day
  // horizon inside the data (<= 2025-10-02): send months 2025-04 .. 2025-10. Validation 2025-10
  // (cutoff 09-30); training horizons end by 09-30: cutoffs up to 07-02, so 2025-04 .. 2025-07.
  auto plan = PlanSendMonths(Months(1, 12), {"2025-01-01", "2025-12-31"}, PeriodOptions{});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->validation, Months(10, 10));
  EXPECT_EQ(plan->train, Months(4, 7));
  PeriodOptions two;
  two.train_months = 2;
  EXPECT_EQ(PlanSendMonths(Months(1, 12), {"2025-01-01", "2025-12-31"}, two)->train, Months(6, 7));
}

TEST(SendMonths, TooFewMonthsSayWhatIsMissing) {
  auto plan = PlanSendMonths(Months(1, 6), {"2025-01-01", "2025-06-30"}, PeriodOptions{});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("training and validation need at least 2 such months"), std::string::npos)
      << plan.status().message();
  EXPECT_NE(plan.status().message().find("--months 12"), std::string::npos);
  // Two usable months (offers only in April and May) but April's horizon runs past May's cutoff.
  auto gap = PlanSendMonths(Months(4, 5), {"2025-01-01", "2025-12-31"}, PeriodOptions{});
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.status().message().find("no training month"), std::string::npos) << gap.status().message();
}

TEST(SendMonths, NoUsageIsAnError) {
  auto plan = PlanSendMonths(Months(1, 12), {"", ""}, PeriodOptions{});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("no usage activity"), std::string::npos);
}

TEST(SendMonths, CutoffIsTheDayBefore) {
  EXPECT_EQ(*CutoffOfSendMonth("2025-03-01"), "2025-02-28");
  EXPECT_FALSE(CutoffOfSendMonth("2025-02-30").ok());
}

}  // namespace
}  // namespace custlake::retention
