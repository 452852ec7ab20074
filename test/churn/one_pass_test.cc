// The feature SQL computes every cutoff in one pass (the activity facts read
// once, each day joined to the cutoffs whose window holds it); a cutoff's rows
// must be exactly what the same SQL gives for that cutoff alone, whichever
// other cutoffs share the pass and in whatever order they are asked for.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "churn/dataset.h"
#include "churn_fixture.h"
#include "support/status_testing.h"

namespace custlake::churn {
namespace {

class ChurnOnePassTest : public testing::ChurnProject {
 protected:
  std::vector<Dataset> Features(const std::vector<std::string>& cutoffs) {
    auto model = LoadFeatureModel();
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    auto session = FeatureSession::Open(lake_root());
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    auto data = ComputeFeatures(session->get(), *model, cutoffs, 90);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : std::vector<Dataset>(cutoffs.size());
  }
};

/// Same customers, labels and feature values, bit for bit (NaN as NaN).
void ExpectSameRows(const Dataset& together, const Dataset& alone, const std::string& cutoff) {
  ASSERT_GT(alone.rows(), 100u) << cutoff;
  ASSERT_EQ(together.ids, alone.ids) << cutoff;
  ASSERT_EQ(together.y, alone.y) << cutoff;
  ASSERT_EQ(together.feature_names, alone.feature_names);
  ASSERT_EQ(together.x.size(), alone.x.size()) << cutoff;
  for (size_t i = 0; i < alone.x.size(); ++i) {
    const bool same = std::memcmp(&together.x[i], &alone.x[i], sizeof(float)) == 0 ||
                      (std::isnan(together.x[i]) && std::isnan(alone.x[i]));
    ASSERT_TRUE(same) << "cutoff " << cutoff << ", customer " << alone.ids[i / alone.cols()] << ", feature "
                      << alone.feature_names[i % alone.cols()] << ": " << alone.x[i] << " alone, "
                      << together.x[i] << " in one pass";
  }
}

TEST_F(ChurnOnePassTest, OnePassEqualsEachCutoffAlone) {
  BuildCompany("800", "9");  // 2025-01-01 .. 2025-09-30
  const std::vector<std::string> cutoffs{"2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30", "2025-07-31"};
  std::vector<Dataset> together = Features(cutoffs);
  ASSERT_EQ(together.size(), cutoffs.size());
  for (size_t i = 0; i < cutoffs.size(); ++i) {
    std::vector<Dataset> alone = Features({cutoffs[i]});
    ASSERT_EQ(alone.size(), 1u);
    ExpectSameRows(together[i], alone[0], cutoffs[i]);
  }
  // Another subset, in another order: each Dataset is its own cutoff's.
  std::vector<Dataset> reordered = Features({"2025-07-31", "2025-04-15"});
  ExpectSameRows(reordered[0], together[4], "2025-07-31");
  ExpectSameRows(reordered[1], Features({"2025-04-15"})[0], "2025-04-15");
  // The cutoffs differ (else the comparison proves little): the population grows and the usage moves.
  EXPECT_NE(together[0].rows(), together[4].rows());
}

TEST_F(ChurnOnePassTest, TheSharesOfTheCustomersGiveTheRowsOfAllCustomersAtOnce) {
  BuildCompany("800", "9");
  const std::vector<std::string> cutoffs{"2025-04-30", "2025-07-31"};
  std::vector<Dataset> shared = Features(cutoffs);
  // The same model with every customer in one share: its per-share step runs once, as a plain step.
  std::string text;
  for (const EmbeddedSqlFile& f : EmbeddedChurnSql()) {
    if (f.path == "models/churn/features.sql") text = f.text;
  }
  ASSERT_OK_AND_ASSIGN(FeatureModel model, ParseFeatureModel(text, "models/churn/features.sql"));
  ASSERT_TRUE(std::any_of(model.steps.begin(), model.steps.end(), [](const FeatureStep& s) { return s.per_share; }));
  for (size_t at = text.find("{{ customers }}"); at != std::string::npos; at = text.find("{{ customers }}")) {
    text.replace(at, std::string("{{ customers }}").size(), "true");
  }
  ASSERT_OK_AND_ASSIGN(FeatureModel all_at_once, ParseFeatureModel(text, "all_at_once.sql"));
  ASSERT_FALSE(std::any_of(all_at_once.steps.begin(), all_at_once.steps.end(),
                           [](const FeatureStep& s) { return s.per_share; }));
  ASSERT_OK_AND_ASSIGN(auto session, FeatureSession::Open(lake_root()));
  ASSERT_OK_AND_ASSIGN(std::vector<Dataset> whole, ComputeFeatures(session.get(), all_at_once, cutoffs, 90));
  for (size_t i = 0; i < cutoffs.size(); ++i) ExpectSameRows(shared[i], whole[i], cutoffs[i]);
}

TEST_F(ChurnOnePassTest, AMemoryLimitGivesTheSameRowsAndLeavesNoSpillFiles) {
  BuildCompany("300", "9");
  auto model = LoadFeatureModel();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const std::vector<std::string> cutoffs{"2025-05-31", "2025-07-31"};
  std::vector<Dataset> unlimited;
  {
    ASSERT_OK_AND_ASSIGN(auto session, FeatureSession::Open(lake_root(), ""));  // DuckDB's own limit
    EXPECT_EQ(session->spill_dir(), "");
    ASSERT_OK_AND_ASSIGN(unlimited, ComputeFeatures(session.get(), *model, cutoffs, 90));
  }
  std::filesystem::path spill;
  {
    ASSERT_OK_AND_ASSIGN(auto session, FeatureSession::Open(lake_root(), "256MB"));
    spill = session->spill_dir();
    EXPECT_EQ(spill.parent_path(), std::filesystem::temp_directory_path());
    ASSERT_OK_AND_ASSIGN(std::vector<Dataset> limited, ComputeFeatures(session.get(), *model, cutoffs, 90));
    for (size_t i = 0; i < cutoffs.size(); ++i) ExpectSameRows(limited[i], unlimited[i], cutoffs[i]);
    // What DuckDB leaves there when it spills (it makes the folder only then; 300 customers fit in 256MB).
    std::filesystem::create_directories(spill);
    std::ofstream(spill / "duckdb_temp_storage-0.tmp") << "spilled";
  }
  EXPECT_FALSE(std::filesystem::exists(spill)) << spill;  // removed with the session
  auto bad = FeatureSession::Open(lake_root(), "lots");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("lots"), std::string::npos) << bad.status().ToString();
}

TEST_F(ChurnOnePassTest, ACustomerWithTwoRowsAtACutoffIsAnError) {
  BuildCompany("300", "9");
  // Each customer twice: a join that fanned out.
  ASSERT_OK_AND_ASSIGN(FeatureModel model, ParseFeatureModel(
      "-- model: fanned\n-- feature f: a number\n"
      "SELECT customer_id, c AS cutoff, 0 AS label, 1.0 AS f FROM dim_customer, (VALUES (1), (2)) twice(k), "
      "(SELECT unnest({{ cutoffs }}) AS c) WHERE is_current AND {{ horizon_days }} > 0\n",
      "fanned.sql"));
  ASSERT_OK_AND_ASSIGN(auto session, FeatureSession::Open(lake_root()));
  auto rows = ComputeFeatures(session.get(), model, "2025-05-31", 90);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("fanned.sql at cutoff 2025-05-31: customer "), std::string::npos)
      << rows.status().ToString();
  EXPECT_NE(rows.status().message().find("has two rows at one cutoff"), std::string::npos);
}

}  // namespace
}  // namespace custlake::churn
