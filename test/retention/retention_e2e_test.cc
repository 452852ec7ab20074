// Issue 19 end to end, through the custlake binary on a small generated
// company: plan before train is a clear error; train publishes the uplift
// model with its validation Qini; evaluate reports the deciles and, where
// the generator's truth holds the offer effects, the policy table; plan
// publishes exactly the budget's customers as raw.retention_plan with one
// summary row; export-dataset writes the learner's rows; --effect auto serves
// the uplift with the higher validation Qini.
#include <algorithm>
#include <fstream>

#include "churn/churn_fixture.h"
#include "support/cli_runner.h"

namespace custlake::retention {
namespace {

class RetentionE2eTest : public testing::ChurnProject {};

bool TruthHasOfferEffects(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string header;
  std::getline(in, header);
  return header.find("offer_effect") != std::string::npos;
}

TEST_F(RetentionE2eTest, TrainEvaluatePlanAndExport) {
  BuildCompany("2000", "12");  // window 2025-01 .. 2025-12

  testing::CliOutcome early = Run({"retention", "plan", "--budget", "50"});
  EXPECT_NE(early.exit_code, 0);
  EXPECT_NE(early.err.find("no retention model in the lake yet; run `custlake retention train` first"),
            std::string::npos) << early.err;

  nlohmann::json train = Custlake({"retention", "train"});
  ASSERT_TRUE(train.value("ok", false)) << train.dump();
  EXPECT_GT(train["model_version"].get<int64_t>(), 0);
  ASSERT_FALSE(train["train_months"].empty());
  ASSERT_FALSE(train["validation_months"].empty());
  // No training label reads into the validation period: the newest training month's 90 days end by then.
  EXPECT_LT(train["train_months"].back().get<std::string>(), train["validation_months"][0].get<std::string>());
  EXPECT_TRUE(train.contains("qini_coefficient"));
  EXPECT_GT(train["validation"]["treated"].get<int64_t>(), 0);
  std::cerr << "retention: validation Qini " << train["qini_coefficient"] << ", AUUC " << train["auuc"] << " on "
            << train["rows"] << "\n";

  nlohmann::json eval = Custlake({"retention", "evaluate"});
  EXPECT_EQ(eval["model_version"], train["model_version"]);
  EXPECT_EQ(eval["metrics"]["deciles"].size(), 10u);
  EXPECT_DOUBLE_EQ(eval["qini_coefficient"].get<double>(), train["qini_coefficient"].get<double>());
  const auto truth = project() / "truth" / "churn_probability.csv";
  if (TruthHasOfferEffects(truth)) {
    ASSERT_TRUE(eval.contains("policy_table")) << eval.dump();
    const nlohmann::json& budgets = eval["policy_table"]["budgets"];
    ASSERT_EQ(budgets.size(), 3u);
    for (const auto& b : budgets) {
      EXPECT_GE(b["saved"]["oracle"].get<double>(), b["saved"]["uplift"].get<double>() - 1e-9);
      std::cerr << "budget " << b["budget_share"] << ": " << b["saved"].dump() << "\n";
    }
  } else {
    // The generator predates the offer effects: the report says why it has no table, and naming the
    // file explicitly makes it an error.
    EXPECT_NE(eval["policy_table_skipped"].get<std::string>().find("offer_effect"), std::string::npos) << eval.dump();
    testing::CliOutcome strict = Run({"retention", "evaluate", "--truth", truth.string()});
    EXPECT_NE(strict.exit_code, 0);
    EXPECT_NE(strict.err.find("offer_effect"), std::string::npos) << strict.err;
  }

  nlohmann::json plan = Custlake({"retention", "plan", "--budget", "50", "--offer-cost", "1"});
  EXPECT_EQ(plan["targeted"], 50) << plan.dump();
  EXPECT_EQ(plan["plan_date"], "2025-12-31");
  EXPECT_LE(plan["saved_value_low"].get<double>(), plan["expected_saved_value"].get<double>());
  EXPECT_GE(plan["saved_value_high"].get<double>(), plan["expected_saved_value"].get<double>());
  nlohmann::json count = Custlake({"query", "SELECT count(*) AS n, min(rank) AS first, max(rank) AS last, "
                                            "count(DISTINCT customer_id) AS customers FROM raw.retention_plan"});
  ASSERT_EQ(count["rows"].size(), 1u) << count.dump();
  EXPECT_EQ(count["rows"][0]["n"], 50);
  EXPECT_EQ(count["rows"][0]["first"], 1);
  EXPECT_EQ(count["rows"][0]["last"], 50);
  EXPECT_EQ(count["rows"][0]["customers"], 50);
  // An offer keeps at most those who would have left: uplift <= p_churn (and >= p_churn - 1).
  nlohmann::json bounded = Custlake({"query", "SELECT count(*) AS n FROM raw.retention_plan "
                                              "WHERE uplift > p_churn + 1e-6 OR uplift < p_churn - 1 - 1e-6"});
  EXPECT_EQ(bounded["rows"][0]["n"], 0) << bounded.dump();
  nlohmann::json summary = Custlake({"query", "SELECT budget, targeted, offer_cost, model_version, plan_date "
                                              "FROM raw.retention_plan_summary"});
  ASSERT_EQ(summary["rows"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["rows"][0]["budget"], 50);
  EXPECT_EQ(summary["rows"][0]["targeted"], 50);
  EXPECT_EQ(summary["rows"][0]["model_version"], std::to_string(train["model_version"].get<int64_t>()));
  EXPECT_DOUBLE_EQ(summary["rows"][0]["offer_cost"].get<double>(), 1.0);
  EXPECT_EQ(plan["offer_cost_from"], "--offer-cost");

  // A second plan replaces the first.
  nlohmann::json share = Custlake({"retention", "plan", "--budget", "1%"});
  nlohmann::json again = Custlake({"query", "SELECT count(*) AS n FROM raw.retention_plan"});
  EXPECT_EQ(again["rows"][0]["n"], share["targeted"]);
  // ... and its summary, in the same batch.
  nlohmann::json summary_again = Custlake({"query", "SELECT targeted FROM raw.retention_plan_summary"});
  ASSERT_EQ(summary_again["rows"].size(), 1u) << summary_again.dump();
  EXPECT_EQ(summary_again["rows"][0]["targeted"], share["targeted"]);
  EXPECT_EQ(share["batch"].get<int64_t>(), plan["batch"].get<int64_t>() + 1) << "one batch per plan";
  // Without --offer-cost each customer's cost is its segment's retention offer from the warehouse:
  // positive (the generator's offers are discounts that some redeem), and taken off the value.
  EXPECT_NE(share["offer_cost_from"].get<std::string>().find("retention offer"), std::string::npos) << share.dump();
  EXPECT_TRUE(share["offers"].contains("consumer")) << share.dump();
  nlohmann::json costs = Custlake({"query", "SELECT count(*) FILTER (WHERE offer_cost <= 0) AS free, count(*) FILTER "
                                            "(WHERE abs(uplift * clv - offer_cost - expected_saved_value) > 1e-6) AS off "
                                            "FROM raw.retention_plan"});
  EXPECT_EQ(costs["rows"][0]["free"], 0) << costs.dump();
  EXPECT_EQ(costs["rows"][0]["off"], 0) << costs.dump();

  testing::CliOutcome bad_budget = Run({"retention", "plan", "--budget", "lots"});
  EXPECT_NE(bad_budget.exit_code, 0);
  EXPECT_NE(bad_budget.err.find("--budget 'lots'"), std::string::npos) << bad_budget.err;

  const std::string out = (dir_ / "rows.csv").string();
  nlohmann::json exported = Custlake({"retention", "export-dataset", "--out", out});
  EXPECT_EQ(exported["rows"]["train"], train["rows"]["train"]);
  std::ifstream csv(out);
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("customer_id,send_date,period,treated,churned,", 0), 0u) << header;

  // --effect auto serves whichever uplift, the trees' or the effect model's, has the higher validation Qini.
  nlohmann::json chosen = Custlake({"retention", "train", "--effect", "auto"});
  ASSERT_TRUE(chosen.value("ok", false)) << chosen.dump();
  const nlohmann::json& choice = chosen["uplift_choice"];
  EXPECT_EQ(choice["effect"], "auto") << chosen.dump();
  if (choice.contains("validation_qini")) {
    const double trees = choice["validation_qini"]["trees"].get<double>();
    const double drivers = choice["validation_qini"]["effect_model"].get<double>();
    EXPECT_EQ(chosen["uplift_from"], drivers >= trees ? "effect_model" : "trees") << chosen.dump();
    EXPECT_DOUBLE_EQ(chosen["qini_coefficient"].get<double>(), std::max(trees, drivers)) << chosen.dump();
  } else {
    EXPECT_FALSE(choice["effect_model_not_fitted"].get<std::string>().empty()) << chosen.dump();
    EXPECT_EQ(chosen["uplift_from"], "trees") << chosen.dump();
  }
  EXPECT_NE(Run({"retention", "train", "--effect", "best"}).exit_code, 0);
}

// The must-show of issue 19 on a company large enough for its experiment to teach whom an offer keeps
// (30,000 customers, default seed, October 2025: about 17,900 active customers, 895 / 1,790 / 3,580
// targeted): the uplift ranking saves at least 80 % of what the oracle (the generator's true effects)
// saves, and more than the churn-probability ranking, at 5, 10 and 20 %. Measured (2026-12-06): this
// test 85 / 90 / 95 %; `custlake demo` at 30,000 customers 84 / 89 / 95 % (seed 42), 88 / 89 / 93 %
// (seed 7). At 10,000 customers the experiment is too small (53-65 %, or worse than chance on seed 7,
// which train and plan then warn about; docs/retention.md), so the goal is checked at 30,000.
TEST_F(RetentionE2eTest, UpliftRankingSavesMostOfWhatTheOracleSaves) {
  BuildCompany("30000", "12");
  nlohmann::json train = Custlake({"retention", "train"});
  ASSERT_TRUE(train.value("ok", false)) << train.dump();
  nlohmann::json eval = Custlake({"retention", "evaluate"});
  ASSERT_TRUE(eval.contains("policy_table")) << eval.dump();
  const nlohmann::json& budgets = eval["policy_table"]["budgets"];
  ASSERT_EQ(budgets.size(), 3u);
  for (const auto& b : budgets) {
    const nlohmann::json& saved = b["saved"];
    std::cerr << "budget " << b["budget_share"] << ": " << saved.dump() << "\n";
    EXPECT_GT(saved["oracle"].get<double>(), 0) << saved.dump();
    EXPECT_GE(saved["uplift"].get<double>(), 0.8 * saved["oracle"].get<double>()) << saved.dump();
    EXPECT_GT(saved["uplift"].get<double>(), saved["churn_probability"].get<double>()) << saved.dump();
  }
}

}  // namespace
}  // namespace custlake::retention
