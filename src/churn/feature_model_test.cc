#include "churn/feature_model.h"

#include <gtest/gtest.h>

#include "support/status_testing.h"

namespace custlake::churn {
namespace {

TEST(FeatureModelTest, EmbeddedFeaturesParseWithDescriptions) {
  ASSERT_OK_AND_ASSIGN(FeatureModel model, LoadFeatureModel());
  EXPECT_GE(model.features.size(), 30u);
  EXPECT_EQ(model.FeatureNames().front(), "tenure_days");
  EXPECT_NE(model.Describe("unresolved_tickets").find("not closed"), std::string::npos);
  EXPECT_FALSE(model.description.empty());
}

TEST(FeatureModelTest, RenderFillsTheParametersAndChecksThem) {
  ASSERT_OK_AND_ASSIGN(FeatureModel model, ParseFeatureModel(
      "-- model: m\n-- feature a: the a\n--   continued\nSELECT {{ cutoffs }} AS c, {{ horizon_days }} AS h\n", "m.sql"));
  EXPECT_EQ(model.Describe("a"), "the a continued");
  ASSERT_OK_AND_ASSIGN(RenderedFeatures sql, model.Render({"2025-09-30"}, 90));
  EXPECT_TRUE(sql.steps.empty());
  EXPECT_EQ(sql.select, "SELECT [DATE '2025-09-30'] AS c, 90 AS h\n");
  ASSERT_OK_AND_ASSIGN(sql, model.Render({"2025-08-31", "2025-09-30"}, 90));
  EXPECT_EQ(sql.select, "SELECT [DATE '2025-08-31', DATE '2025-09-30'] AS c, 90 AS h\n");
  EXPECT_NOT_OK(model.Render({"2025-02-30"}, 90));
  EXPECT_NOT_OK(model.Render({"2025-09-30", "2025-09-30'; DROP"}, 90));
  EXPECT_NOT_OK(model.Render({"2025-09-30"}, 0));
  EXPECT_NOT_OK(model.Render({}, 90));
  auto twice = model.Render({"2025-09-30", "2025-08-31", "2025-09-30"}, 90);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("2025-09-30 is given twice"), std::string::npos);
}

TEST(FeatureModelTest, StepsMakeTablesAndOneRunsPerShareOfTheCustomers) {
  ASSERT_OK_AND_ASSIGN(FeatureModel model, ParseFeatureModel(
      "-- model: m\n-- feature a: the a\n\n"
      "-- the cutoffs; a comment that ends like a statement;\n"
      "CREATE TABLE cutoffs AS SELECT unnest({{ cutoffs }}) AS cutoff;\n"
      "CREATE TABLE per_customer AS\n  SELECT customer_id, {{ horizon_days }} AS h FROM t WHERE {{ customers }}\n;\n"
      "-- the rows\nSELECT * FROM per_customer, cutoffs\n",
      "m.sql"));
  ASSERT_EQ(model.steps.size(), 2u);
  EXPECT_EQ(model.steps[0].table, "cutoffs");
  EXPECT_FALSE(model.steps[0].per_share);
  EXPECT_EQ(model.steps[0].line, 5);
  EXPECT_EQ(model.steps[1].table, "per_customer");
  EXPECT_TRUE(model.steps[1].per_share);
  EXPECT_EQ(model.steps[1].line, 6);
  ASSERT_OK_AND_ASSIGN(RenderedFeatures sql, model.Render({"2025-09-30"}, 30));
  EXPECT_EQ(sql.steps[0].sql, "\n-- the cutoffs; a comment that ends like a statement;\n"
                              "CREATE TABLE cutoffs AS SELECT unnest([DATE '2025-09-30']) AS cutoff\n");
  EXPECT_EQ(sql.steps[1].ForShare("hash(customer_id) % 8 = 0", false),
            "CREATE TABLE per_customer AS\n  SELECT customer_id, 30 AS h FROM t WHERE (hash(customer_id) % 8 = 0)\n\n");
  EXPECT_EQ(sql.steps[1].ForShare("hash(customer_id) % 8 = 7", true),
            "INSERT INTO per_customer\n  SELECT customer_id, 30 AS h FROM t WHERE (hash(customer_id) % 8 = 7)\n\n");
  EXPECT_EQ(sql.select, "-- the rows\nSELECT * FROM per_customer, cutoffs\n");
}

TEST(FeatureModelTest, StatementsBeforeTheLastAreSteps) {
  const std::string head = "-- feature a: x\n\n";
  auto not_a_step = ParseFeatureModel(head + "SELECT 1;\nSELECT {{ cutoffs }}, {{ horizon_days }}\n", "f.sql");
  ASSERT_FALSE(not_a_step.ok());
  EXPECT_NE(not_a_step.status().message().find("f.sql:3: a statement before the last must be a step"),
            std::string::npos) << not_a_step.status().message();
  auto share_in_last = ParseFeatureModel(head + "SELECT {{ cutoffs }}, {{ horizon_days }} WHERE {{ customers }}\n", "f.sql");
  ASSERT_FALSE(share_in_last.ok());
  EXPECT_NE(share_in_last.status().message().find("f.sql:3: the last statement"), std::string::npos)
      << share_in_last.status().message();
  auto no_select = ParseFeatureModel(head + "CREATE TABLE t AS SELECT {{ cutoffs }}, {{ horizon_days }};\n", "f.sql");
  ASSERT_FALSE(no_select.ok());
  EXPECT_NE(no_select.status().message().find("no SELECT after the last"), std::string::npos);
}

TEST(FeatureModelTest, ErrorsNameTheFileAndLine) {
  auto missing = ParseFeatureModel("-- feature a: x\nSELECT 1\n", "f.sql");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("{{ cutoffs }}"), std::string::npos);
  auto twice = ParseFeatureModel("-- feature a: x\n-- feature a: y\nSELECT {{ cutoffs }}, {{ horizon_days }}\n", "f.sql");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("f.sql:2"), std::string::npos);
}

TEST(FeatureModelTest, Days) {
  ASSERT_OK_AND_ASSIGN(auto day, ParseDay("2024-02-10", "x"));
  EXPECT_EQ(FormatDay(MonthEnd(day)), "2024-02-29");
  EXPECT_EQ(FormatDay(day + std::chrono::days{90}), "2024-05-10");
}

}  // namespace
}  // namespace custlake::churn
