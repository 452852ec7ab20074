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
  ASSERT_OK_AND_ASSIGN(std::string sql, model.Render({"2025-09-30"}, 90));
  EXPECT_EQ(sql, "SELECT [DATE '2025-09-30'] AS c, 90 AS h\n");
  ASSERT_OK_AND_ASSIGN(sql, model.Render({"2025-08-31", "2025-09-30"}, 90));
  EXPECT_EQ(sql, "SELECT [DATE '2025-08-31', DATE '2025-09-30'] AS c, 90 AS h\n");
  EXPECT_NOT_OK(model.Render({"2025-02-30"}, 90));
  EXPECT_NOT_OK(model.Render({"2025-09-30", "2025-09-30'; DROP"}, 90));
  EXPECT_NOT_OK(model.Render({"2025-09-30"}, 0));
  EXPECT_NOT_OK(model.Render({}, 90));
  auto twice = model.Render({"2025-09-30", "2025-08-31", "2025-09-30"}, 90);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("2025-09-30 is given twice"), std::string::npos);
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
