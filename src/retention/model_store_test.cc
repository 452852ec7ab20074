#include "retention/model_store.h"

#include <gtest/gtest.h>

namespace custlake::retention {
namespace {

TEST(ModelWarningsTest, AModelThatDoesNotBeatRandomTargetingIsNamedSo) {
  const nlohmann::json weak{{"validation", {{"qini_coefficient", -0.00029}, {"rows", 5987}, {"treated", 481}}}};
  const std::vector<std::string> warnings = ModelWarnings(weak);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("does not beat random targeting"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("-0.00029"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("5987 rows: 481 treated"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("--train-months"), std::string::npos) << warnings[0];

  EXPECT_EQ(ModelWarnings({{"validation", {{"qini_coefficient", 0.0}}}}).size(), 1u);  // no better than chance
  EXPECT_TRUE(ModelWarnings({{"validation", {{"qini_coefficient", 0.00053}}}}).empty());
  EXPECT_TRUE(ModelWarnings({{"trained_at_data_day", "2025-12-31"}}).empty());  // no validation stored
}

}  // namespace
}  // namespace custlake::retention
