#include "churn/churn.h"

#include <gtest/gtest.h>

#include "churn/report.h"
#include "support/status_testing.h"

namespace custlake::churn {
namespace {

TEST(PlanCutoffsTest, ValidationAHorizonBeforeTheEndAndTrainingAHorizonBeforeIt) {
  DataRange range{"2025-01-01", "2025-12-31"};
  TrainOptions options;
  ASSERT_OK_AND_ASSIGN(CutoffPlan plan, PlanCutoffs(range, options));
  EXPECT_EQ(plan.validation, "2025-09-30");  // 2025-12-31 - 90 days = 2025-10-02
  EXPECT_EQ(plan.train, (std::vector<std::string>{"2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30"}));

  options.train_cutoffs = 2;
  options.horizon_days = 30;
  ASSERT_OK_AND_ASSIGN(plan, PlanCutoffs(range, options));
  EXPECT_EQ(plan.validation, "2025-11-30");
  EXPECT_EQ(plan.train, (std::vector<std::string>{"2025-09-30", "2025-10-31"}));
}

TEST(PlanCutoffsTest, ErrorsSayWhatToChange) {
  TrainOptions options;
  options.validation_cutoff = "2025-11-30";
  auto late = PlanCutoffs({"2025-01-01", "2025-12-31"}, options);
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.status().message().find("on or before 2025-10-02"), std::string::npos) << late.status().message();

  auto short_data = PlanCutoffs({"2025-01-01", "2025-06-30"}, TrainOptions{});
  ASSERT_FALSE(short_data.ok());
  EXPECT_NE(short_data.status().message().find("no training cutoff"), std::string::npos);

  EXPECT_NOT_OK(PlanCutoffs({"", ""}, TrainOptions{}));
}

nlohmann::json FakeReport() {
  nlohmann::json metrics{{"rows", 10}, {"positives", 2}, {"roc_auc", 0.8}, {"pr_auc", 0.5}, {"log_loss", 0.4},
                         {"brier", 0.1},
                         {"calibration", {{{"low", 0.0}, {"high", 0.1}, {"count", 8}, {"mean_predicted", 0.05}, {"observed_rate", 0.1}}}},
                         {"deciles", {{{"decile", 1}, {"count", 1}, {"positives", 1}, {"churn_rate", 1.0}, {"lift", 5.0}, {"cumulative_gain", 0.5}}}},
                         {"confusion", {{"threshold", 0.5}, {"true_positives", 1}, {"false_positives", 0}, {"true_negatives", 8},
                                        {"false_negatives", 1}, {"precision", 1.0}, {"recall", 0.5}}}};
  return {{"cutoff", "2025-09-30"}, {"horizon_days", 90}, {"model_version", 3}, {"model_warehouse_version", 2},
          {"warehouse_version", 2}, {"train_cutoffs", {"2025-06-30"}}, {"validation_cutoff", "2025-09-30"},
          {"metrics", {{"xgboost", metrics}, {"logistic", metrics}}},
          {"roc_curves", {{"xgboost", {{0, 0}, {1, 1}}}, {"logistic", {{0, 0}, {1, 1}}}}},
          {"importance", {{{"feature", "tenure_days"}, {"mean_abs_shap", 0.3}, {"description", "days <since> signup"}}}},
          {"oracle", {{"month", "2025-10"}, {"oracle_roc_auc", 0.81}, {"model_roc_auc", 0.8}, {"matched", 10}, {"customers", 10}}}};
}

TEST(ReportTest, SelfContainedHtmlWithThreeChartsAndTheOracle) {
  const std::string html = RenderHtml(FakeReport());
  size_t charts = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++charts;
  EXPECT_EQ(charts, 3u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("oracle (true hazard, 2025-10)"), std::string::npos);
  EXPECT_NE(html.find("days &lt;since&gt; signup"), std::string::npos);  // escaped
}

}  // namespace
}  // namespace custlake::churn
