#include "retention/offer_cost.h"

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "support/status_testing.h"

namespace custlake::retention {
namespace {

TEST(OfferCost, IsTheRedemptionRateTimesTheDiscountOverItsMonths) {
  EXPECT_DOUBLE_EQ(ExpectedOfferCost(0.5, 25, 40, 3), 15);  // half redeem 25 % of 40 for 3 months
  EXPECT_DOUBLE_EQ(ExpectedOfferCost(1, 100, 30, 1), 30);   // one month free, always taken
  EXPECT_DOUBLE_EQ(ExpectedOfferCost(0.5, 25, std::nan(""), 3), 0);
}

/// A warehouse with two segments' retention offers (the newest of each counts), a promo that does
/// not, and sends and redemptions of the consumer offers only.
TEST(OfferCost, TheNewestRetentionOfferOfTheSegmentWithItsRedemptionRate) {
  ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open({}));
  ASSERT_OK_AND_ASSIGN(auto session, db->Connect());
  ASSERT_OK(session->Execute(
      "CREATE TABLE dim_offer AS SELECT * FROM (VALUES "
      "(1, 'Stay with us: 20% off for 2 months', 'retention-2025-01', 20.0, DATE '2025-01-01', 'consumer'), "
      "(2, 'Stay with us: 25% off for 3 months', 'retention-2025-02', 25.0, DATE '2025-02-01', 'consumer'), "
      "(3, 'Account review call: one month free', 'retention-2025-02', 100.0, DATE '2025-02-01', "
      "'enterprise'), "
      "(4, 'Monthly promo: 50% off for 6 months', 'promo-2025-02', 50.0, DATE '2025-02-01', 'consumer')) "
      "t(offer_key, name, campaign, discount_pct, start_date, target_segment)"));
  ASSERT_OK(session->Execute(
      "CREATE TABLE fact_customer_activity AS SELECT * FROM (VALUES (10, 'offer_sent', 1), (11, "
      "'offer_sent', 2), "
      "(12, 'offer_sent', 2), (13, 'offer_sent', 1), (10, 'offer_redeemed', 1), (12, 'offer_sent', 4), "
      "(12, 'offer_redeemed', 4), (12, 'usage', NULL)) t(customer_id, activity_type, offer_key)"));
  // Customer 1 was smb before it became a consumer: its current version counts.
  ASSERT_OK(session->Execute(
      "CREATE TABLE dim_customer AS SELECT * FROM (VALUES (1, 'SMB', false), (1, 'Consumer', true), "
      "(2, 'enterprise', true), (3, 'smb', true)) t(customer_id, segment, is_current)"));
  churn::Dataset data;
  data.feature_names = {"monthly_fee"};
  data.ids = {1, 2, 3};
  data.x = {40,   // consumer: 1 of 4 consumer retention offers redeemed, 25 % for 3 months
            300,  // enterprise: never sent yet, so assumed redeemed: 100 % for 1 month
            50};  // smb: no retention offer, no cost
  data.y = {0, 0, 0};
  ASSERT_OK_AND_ASSIGN(OfferCosts costs, DefaultOfferCosts(session.get(), data));
  ASSERT_EQ(costs.cost.size(), 3u);
  EXPECT_DOUBLE_EQ(costs.cost[0], 0.25 * 0.25 * 40 * 3);
  EXPECT_DOUBLE_EQ(costs.cost[1], 300);
  EXPECT_DOUBLE_EQ(costs.cost[2], 0);
  EXPECT_EQ(costs.offers["consumer"]["months"], 3);
  EXPECT_EQ(costs.offers["consumer"]["offers_sent"], 4);
  EXPECT_FALSE(costs.offers.contains("smb"));
}

TEST(OfferCost, WithoutMonthlyFeeItSaysToGiveTheCost) {
  ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open({}));
  ASSERT_OK_AND_ASSIGN(auto session, db->Connect());
  ASSERT_OK(
      session->Execute("CREATE TABLE dim_offer (offer_key INTEGER, name VARCHAR, campaign VARCHAR, "
                       "discount_pct DOUBLE, start_date DATE, target_segment VARCHAR)"));
  ASSERT_OK(
      session->Execute("CREATE TABLE fact_customer_activity (customer_id BIGINT, activity_type VARCHAR, "
                       "offer_key INTEGER)"));
  churn::Dataset data;
  data.feature_names = {"tenure_days"};
  auto costs = DefaultOfferCosts(session.get(), data);
  ASSERT_FALSE(costs.ok());
  EXPECT_NE(costs.status().message().find("--offer-cost"), std::string::npos);
}

}  // namespace
}  // namespace custlake::retention
