// fact_customer_scores end to end, through the custlake binary on a generated
// company: the view answers before any score exists (NULL scores, no error),
// takes the CLV scores when `clv fit` publishes them and the churn scores when
// `churn score` does (value_at_risk = clv_12m x churn_probability), follows a
// new publish without a rebuild, and says which warehouse version each score
// came from; `custlake status` shows the churn model and the CLV fit in service.
#include "churn_fixture.h"
#include "support/cli_runner.h"

namespace custlake::churn {
namespace {

class CustomerScoresTest : public testing::ChurnProject {
 protected:
  /// The single row of a query's result.
  nlohmann::json Row(const std::string& sql) {
    nlohmann::json r = Custlake({"query", sql});
    EXPECT_EQ(r["rows"].size(), 1u) << r.dump();
    return r["rows"].empty() ? nlohmann::json::object() : r["rows"][0];
  }
};

constexpr const char* kCounts =
    "SELECT count(*) AS customers, count(churn_probability) AS churn, count(clv_12m) AS clv, "
    "count(value_at_risk) AS var, max(warehouse_version) AS wh, max(churn_warehouse_version) AS churn_wh, "
    "max(clv_warehouse_version) AS clv_wh, max(churn_cutoff) AS cutoff FROM fact_customer_scores";

TEST_F(CustomerScoresTest, ScoresJoinTheCustomersAsTheyArePublished) {
  BuildCompany("2000", "12");
  const nlohmann::json customers = Row("SELECT count(*) AS n FROM dim_customer WHERE is_current");
  nlohmann::json status = Custlake({"status"});
  EXPECT_TRUE(status["churn_model"].is_null()) << status.dump();
  EXPECT_TRUE(status["clv_fit"].is_null());

  // Before any score: every customer, all scores NULL.
  nlohmann::json before = Row(kCounts);
  EXPECT_EQ(before["customers"], customers["n"]);
  EXPECT_EQ(before["churn"], 0);
  EXPECT_EQ(before["clv"], 0);
  EXPECT_EQ(before["var"], 0);
  const int64_t warehouse = before["wh"].get<int64_t>();

  nlohmann::json clv = Custlake({"clv", "fit"});
  nlohmann::json with_clv = Row(kCounts);
  EXPECT_EQ(with_clv["clv"], clv["published"]["rows"]);
  EXPECT_EQ(with_clv["clv_wh"], warehouse);
  EXPECT_EQ(with_clv["var"], 0);  // no churn scores yet

  nlohmann::json train = Custlake({"churn", "train"});
  nlohmann::json score = Custlake({"churn", "score"});
  nlohmann::json scored = Row(kCounts);
  EXPECT_EQ(scored["customers"], customers["n"]);
  EXPECT_EQ(scored["churn"], score["customers"]);
  EXPECT_EQ(scored["churn_wh"], warehouse);
  EXPECT_EQ(scored["cutoff"], "2025-12-31");
  EXPECT_GT(scored["var"].get<int64_t>(), 0);
  // value_at_risk is the product wherever both scores exist, NULL elsewhere.
  nlohmann::json check = Row(
      "SELECT count(*) FILTER (WHERE abs(value_at_risk - clv_12m * churn_probability) > 1e-9) AS wrong, "
      "count(*) FILTER (WHERE (value_at_risk IS NULL) <> (clv_12m IS NULL OR churn_probability IS NULL)) AS misplaced, "
      "count(*) FILTER (WHERE churn_probability IS NOT NULL AND status <> 'active') AS churned_scored "
      "FROM fact_customer_scores");
  EXPECT_EQ(check["wrong"], 0);
  EXPECT_EQ(check["misplaced"], 0);
  EXPECT_EQ(check["churned_scored"], 0);

  // A new publish shows at once, with no rebuild.
  Custlake({"churn", "score", "--cutoff", "2025-11-30"});
  EXPECT_EQ(Row(kCounts)["cutoff"], "2025-11-30");

  // The models in service.
  status = Custlake({"status"});
  const nlohmann::json& model = status["churn_model"];
  EXPECT_EQ(model["version"], train["model_version"]);
  EXPECT_EQ(model["warehouse_version"], warehouse);
  EXPECT_EQ(model["train_cutoffs"], train["train_cutoffs"]);
  EXPECT_EQ(model["validation_cutoff"], train["validation_cutoff"]);
  EXPECT_NEAR(model["roc_auc"].get<double>(), train["metrics"]["xgboost"]["roc_auc"].get<double>(), 1e-12);
  EXPECT_FALSE(model["trained_at"].get<std::string>().empty());
  const nlohmann::json& fit = status["clv_fit"];
  EXPECT_EQ(fit["model"], "bgnbd");
  EXPECT_EQ(fit["params"], clv["params"]);
  EXPECT_NEAR(fit["log_likelihood"].get<double>(), clv["log_likelihood"].get<double>(), 1e-9);
  EXPECT_EQ(fit["warehouse_version"], warehouse);
  EXPECT_EQ(fit["scored_customers"], clv["published"]["rows"]);
  EXPECT_FALSE(fit["scored_at"].get<std::string>().empty());
  testing::CliOutcome text = testing::RunCli(dir_, CUSTLAKE_BIN, {"-C", project().string(), "status"});
  EXPECT_NE(text.out.find("churn model  v" + train["model_version"].dump()), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("clv fit      bgnbd r="), std::string::npos) << text.out;
}

}  // namespace
}  // namespace custlake::churn
