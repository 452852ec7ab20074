// The churn features read nothing past their cutoff: on a generated company,
// data added after the cutoff (a customer's new plan and fee, a churn, new
// transactions, offers and usage events) leaves every feature of every
// customer as it was, while one usage event before the cutoff moves them
// (so the comparison can fail). The features are computed in one pass with a
// later cutoff, whose window does hold the new data.
#include <fstream>

#include "churn/dataset.h"
#include "churn_fixture.h"
#include "support/status_testing.h"

namespace custlake::churn {
namespace {

constexpr const char* kCutoff = "2025-04-30";  // the company's window: 2025-01-01 .. 2025-06-30
// Computed in one pass with kCutoff: its window holds the data added after kCutoff, which kCutoff's
// rows must still not see.
constexpr const char* kLaterCutoff = "2025-07-31";

class ChurnLeakageTest : public testing::ChurnProject {
 protected:
  Dataset Features() {
    auto model = LoadFeatureModel();
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    auto session = FeatureSession::Open(lake_root());
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    auto data = ComputeFeatures(session->get(), *model, std::vector<std::string>{kCutoff, kLaterCutoff}, 90);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? data->front() : Dataset{};
  }
  /// An active customer at the cutoff who has not churned by the window's end.
  int64_t Survivor(const Dataset& d) {
    for (size_t r = 0; r < d.rows(); ++r) {
      if (d.y[r] == 0) return d.ids[r];
    }
    ADD_FAILURE() << "no survivor";
    return 0;
  }
  void AddUsage(const std::string& file, int64_t customer, const std::string& ts) {
    std::ofstream usage(project() / "landing/usage" / file);
    usage << R"({"event_id":")" << file << R"(","customer_id":)" << customer << R"(,"ts":")" << ts
          << R"(","event_type":"feature_use","feature":"reports","device":"desktop","duration_s":30,"bytes":100,"app_version":"9.9"})"
          << "\n";
  }
};

TEST_F(ChurnLeakageTest, DataAfterTheCutoffDoesNotMoveTheFeatures) {
  BuildCompany("300", "6");
  Dataset before = Features();
  ASSERT_GT(before.rows(), 100u);
  const int64_t a = Survivor(before);
  const std::string id = std::to_string(a);
  // After the cutoff: a new plan and fee (a new SCD2 version), a churn, a purchase, a refund, an
  // offer sent and redeemed, and usage.
  Sql("UPDATE customers SET plan = 'premium', monthly_fee = '99.00', status = 'churned', churn_date = '2025-07-03', "
      "updated_at = '2025-07-03 10:00:00' WHERE customer_id = " + id + ";"
      "INSERT INTO transactions SELECT max(transaction_id) + 1, " + id + ", '2025-07-02 11:00:00', '500.00', 'EUR', "
      "'purchase', 'card', NULL, '2025-07-02 11:00:00' FROM transactions;"
      "INSERT INTO transactions SELECT max(transaction_id) + 1, " + id + ", '2025-07-03 11:00:00', '-500.00', 'EUR', "
      "'refund', 'card', NULL, '2025-07-03 11:00:00' FROM transactions;"
      "INSERT INTO offer_assignments SELECT max(assignment_id) + 1, (SELECT min(offer_id) FROM offers), " + id + ", "
      "'2025-07-01 12:00:00', '2025-07-02 12:00:00', 1, '2025-07-02 12:00:00' FROM offer_assignments;");
  AddUsage("2025-07-01.ndjson", a, "2025-07-01T08:00:00Z");
  Rebuild();
  Dataset after = Features();
  EXPECT_EQ(after.ids, before.ids);
  EXPECT_EQ(after.feature_names, before.feature_names);
  ASSERT_EQ(after.x.size(), before.x.size());
  for (size_t i = 0; i < after.x.size(); ++i) {
    const bool same = after.x[i] == before.x[i] || (std::isnan(after.x[i]) && std::isnan(before.x[i]));
    ASSERT_TRUE(same) << "customer " << after.ids[i / after.cols()] << " feature "
                      << after.feature_names[i % after.cols()] << ": " << before.x[i] << " -> " << after.x[i];
  }
  // The label did see the churn: it is the only thing that may look ahead.
  EXPECT_EQ(after.y[static_cast<size_t>(std::find(after.ids.begin(), after.ids.end(), a) - after.ids.begin())], 1.0f);

  // The control: one usage event on the cutoff day moves the customer's usage features.
  AddUsage("2025-04-30.ndjson", a, "2025-04-30T23:59:00Z");
  Rebuild();
  Dataset control = Features();
  const size_t row = static_cast<size_t>(std::find(control.ids.begin(), control.ids.end(), a) - control.ids.begin());
  EXPECT_EQ(control.At(row, "usage_events_30d"), after.At(row, "usage_events_30d") + 1);
}

}  // namespace
}  // namespace custlake::churn

namespace custlake::churn {
namespace {

class ChurnUsageTest : public testing::ChurnProject {};

TEST_F(ChurnUsageTest, ClearErrorsBeforeThereIsAnythingToLearnFrom) {
  ASSERT_EQ(testing::RunCli(dir_, CUSTLAKE_BIN, {"init", project().string()}).exit_code, 0);
  testing::CliOutcome bad_cutoff = Run({"churn", "train", "--cutoff", "2025-02-30"});
  EXPECT_EQ(bad_cutoff.exit_code, 2);
  EXPECT_NE(bad_cutoff.err.find("--cutoff must be a date YYYY-MM-DD, got '2025-02-30'"), std::string::npos)
      << bad_cutoff.err;
  testing::CliOutcome no_warehouse = Run({"churn", "train"});
  EXPECT_EQ(no_warehouse.exit_code, 1);
  EXPECT_NE(no_warehouse.err.find("run `custlake build` first"), std::string::npos) << no_warehouse.err;
  testing::CliOutcome no_model = Run({"churn", "score"});
  EXPECT_EQ(no_model.exit_code, 1);
  EXPECT_NE(no_model.err.find("run `custlake churn train` first"), std::string::npos) << no_model.err;
}

}  // namespace
}  // namespace custlake::churn
