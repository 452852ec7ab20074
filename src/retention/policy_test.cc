#include "retention/policy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace custlake::retention {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()) + ".csv");
  std::ofstream(path) << text;
  return path.string();
}

TEST(Policy, TableCountsSavedCustomersFromTheTrueEffects) {
  // 10 customers; offer_effect -0.1 x (customer id) for ids 1..10 in 2025-09 (customer 10 saved most).
  std::string csv = "customer_id,month,p_churn,p_churn_without_offer,churned,offer_sent,offer_effect\n";
  for (int id = 1; id <= 10; ++id) csv += std::to_string(id) + ",2025-09,0.1,0.1,0,0," + std::to_string(-0.01 * id) + "\n";
  csv += "1,2025-08,0.1,0.1,0,0,-0.5\n";  // another month: not read
  const std::string file = WriteTemp("policy_truth", csv);
  auto effects = ReadOfferEffects(file, {"2025-09"});
  ASSERT_TRUE(effects.ok()) << effects.status().ToString();
  ASSERT_EQ(effects->at("2025-09").size(), 10u);
  EXPECT_EQ(effects->count("2025-08"), 0u);

  PolicyInputs in{"2025-09", {}, {}, {}, {}};
  for (int id = 1; id <= 10; ++id) {
    in.ids.push_back(id);
    in.uplift.push_back(static_cast<float>(id));            // the right order
    in.churn_probability.push_back(static_cast<float>(-id));  // the wrong order
    in.value_at_risk.push_back(id == 5 ? 100.0f : 0.0f);     // customer 5 first, then ties by id
  }
  const nlohmann::json table = PolicyTable({in}, *effects, {0.2});
  const nlohmann::json& row = table["budgets"][0];
  EXPECT_EQ(row["targeted"], 2);
  EXPECT_NEAR(row["saved"]["oracle"].get<double>(), 0.19, 1e-6);           // ids 10 and 9
  EXPECT_NEAR(row["saved"]["uplift"].get<double>(), 0.19, 1e-6);
  EXPECT_NEAR(row["saved"]["churn_probability"].get<double>(), 0.03, 1e-6);  // ids 1 and 2
  EXPECT_NEAR(row["saved"]["value_at_risk"].get<double>(), 0.06, 1e-6);      // ids 5 and 1
  EXPECT_NEAR(row["saved"]["random"].get<double>(), 2 * 0.055, 1e-6);        // 2 x the mean
  EXPECT_NEAR(row["share_of_oracle"]["uplift"].get<double>(), 1, 1e-6);
  EXPECT_TRUE(table["goal_met"].get<bool>());
  EXPECT_EQ(table["matched_in_truth"], 10);
  std::filesystem::remove(file);
}

TEST(Policy, TruthWithoutOfferEffectsSaysSo) {
  const std::string file = WriteTemp("policy_old_truth", "customer_id,month,p_churn,p_churn_without_offer,churned\n1,2025-09,0.1,0.1,0\n");
  auto effects = ReadOfferEffects(file, {"2025-09"});
  ASSERT_FALSE(effects.ok());
  EXPECT_NE(effects.status().message().find(":1: the header"), std::string::npos) << effects.status().message();
  EXPECT_NE(effects.status().message().find("offer_effect"), std::string::npos);
  std::filesystem::remove(file);
}

TEST(Policy, ShortLineNamesTheLine) {
  const std::string file = WriteTemp("policy_bad_truth", "customer_id,month,offer_effect\n1,2025-09,-0.1\n2,2025-09\n");
  auto effects = ReadOfferEffects(file, {"2025-09"});
  ASSERT_FALSE(effects.ok());
  EXPECT_NE(effects.status().message().find(":3:"), std::string::npos) << effects.status().message();
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace custlake::retention
