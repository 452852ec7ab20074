#include "churn/reasons.h"

#include <gtest/gtest.h>

#include <cmath>

namespace custlake::churn {
namespace {

Dataset OneCustomer() {
  Dataset d;
  d.feature_names = {"usage_events_30d", "usage_events_prev_30d", "usage_trend_30d", "unresolved_tickets",
                     "contract_months", "last_satisfaction"};
  d.ids = {7};
  d.x = {40, 100, static_cast<float>(std::log(41.0 / 101.0)), 2, 1, NAN};
  d.y = {0};
  return d;
}

TEST(ReasonsTest, FeaturesInWords) {
  Dataset d = OneCustomer();
  EXPECT_EQ(DescribeFeature(d, 0, "usage_trend_30d"), "usage down 60 % in 30 days");
  EXPECT_EQ(DescribeFeature(d, 0, "unresolved_tickets"), "2 unresolved tickets");
  EXPECT_EQ(DescribeFeature(d, 0, "contract_months"), "monthly contract");
  EXPECT_EQ(DescribeFeature(d, 0, "last_satisfaction"), "no rated support ticket");
  Dataset fee;
  fee.feature_names = {"fee_vs_segment"};
  fee.ids = {1};
  fee.x = {1.4f};
  EXPECT_EQ(DescribeFeature(fee, 0, "fee_vs_segment"), "fee 40 % above the segment's median");
  Dataset engagement;
  engagement.feature_names = {"engagement_month_0", "low_engagement", "engagement_decline", "engagement_month_2"};
  engagement.ids = {1};
  engagement.x = {static_cast<float>(std::log(0.55)), static_cast<float>(-std::log(0.55)),
                  static_cast<float>(std::log(2.0)), NAN};
  EXPECT_EQ(DescribeFeature(engagement, 0, "engagement_month_0"),
            "active days this month 45 % below the segment's usual level");
  EXPECT_EQ(DescribeFeature(engagement, 0, "low_engagement"),
            "active days this month 45 % below the segment's usual level");
  EXPECT_EQ(DescribeFeature(engagement, 0, "engagement_decline"), "active days down 50 % against two months before");
  EXPECT_EQ(DescribeFeature(engagement, 0, "engagement_month_2"), "no usage data two months ago");
}

TEST(ReasonsTest, TopPositiveContributionsOnlyWithoutRepeats) {
  Dataset d = OneCustomer();
  // usage_events_prev_30d and usage_trend_30d say the same thing: one reason.
  const float shap[] = {0.1f, 0.5f, 0.6f, 0.4f, -0.9f, 0.0f, -1.0f /* bias */};
  std::vector<Reason> reasons = TopReasons(d, 0, shap);
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_EQ(reasons[0].text, "usage down 60 % in 30 days");
  EXPECT_EQ(reasons[1].text, "2 unresolved tickets");
  EXPECT_EQ(reasons[2].text, "40 usage events in 30 days");
}

}  // namespace
}  // namespace custlake::churn
