// Generic mode on files a user brings: the errors the issue asks for, and a
// randomised experiment whose effect depends on a feature, which the
// DR-learner must rank better than chance.
#include "retention/generic.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>
#include <algorithm>

namespace custlake::retention {
namespace {

class GenericTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("custlake_uplift_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  Result<nlohmann::json> Train(const std::string& file, const std::string& treatment = "treated",
                               const std::string& outcome = "churned") {
    GenericOptions o;
    o.input = file;
    o.treatment = treatment;
    o.outcome = outcome;
    o.id = "id";
    o.learner.nuisance.threads = o.learner.uplift.threads = o.learner.shift.threads = 1;
    return TrainGeneric(o);
  }
  /// A randomised experiment: the offer halves churn for x1 > 0 and does nothing otherwise.
  std::string Experiment(int rows, const std::string& treated_text = "", const std::string& churned_text = "") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1), x(-1, 1);
    std::string csv = "id,x1,x2,segment,treated,churned\n";
    for (int i = 0; i < rows; ++i) {
      const double x1 = x(rng), x2 = x(rng);
      const bool t = u(rng) < 0.5;
      const double p = 0.3 + 0.1 * x2 - (t && x1 > 0 ? 0.2 : 0);
      const bool y = u(rng) < p;
      csv += std::to_string(i) + "," + std::to_string(x1) + "," + std::to_string(x2) + "," + (i % 2 ? "a" : "b") +
             "," + (treated_text.empty() ? std::to_string(t) : treated_text) + "," +
             (churned_text.empty() ? std::to_string(y) : (i % 3 ? churned_text : "0")) + "\n";
    }
    return csv;
  }
  std::filesystem::path dir_;
};

TEST_F(GenericTest, TreatmentWithOneValueIsAClearError) {
  auto r = Train(Write("one.csv", Experiment(50, "1")));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("treatment column 'treated' has one value ('1')"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("one.csv"), std::string::npos);
}

TEST_F(GenericTest, OutcomeThatIsNotBinaryIsAClearError) {
  auto r = Train(Write("counts.csv", Experiment(50, "", "3")));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("outcome column 'churned' is not binary"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("'3'"), std::string::npos);
}

TEST_F(GenericTest, MissingColumnAndEmptyFileAreClearErrors) {
  const std::string file = Write("ok.csv", Experiment(50));
  auto missing = Train(file, "offer");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no treatment column 'offer' (columns: id, x1, x2, segment, treated, churned)"),
            std::string::npos) << missing.status().message();
  auto empty = Train(Write("empty.csv", ""));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty.csv: the file is empty"), std::string::npos) << empty.status().message();
  auto absent = Train((dir_ / "absent.csv").string());
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.status().message().find("no such file"), std::string::npos);
}

TEST_F(GenericTest, LearnerRanksTheRespondersFirst) {
  auto r = Train(Write("experiment.csv", Experiment(6000)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["features"], nlohmann::json({"x1", "x2"}));
  EXPECT_EQ((*r)["ignored_columns"], nlohmann::json({"segment"}));
  EXPECT_NEAR((*r)["validation_rows"].get<double>(), 1800, 150);
  // A perfect ranking's Qini coefficient here is about 0.025 (half the rows gain 0.2, areas of a triangle);
  // chance is 0. The learner must be clearly on the right side.
  EXPECT_GT((*r)["qini_coefficient"].get<double>(), 0.01) << r->dump();
  const auto& deciles = (*r)["validation"]["deciles"];
  EXPECT_GT(deciles[0]["predicted_uplift"].get<double>(), deciles[9]["predicted_uplift"].get<double>());
}

TEST_F(GenericTest, BoostersSideBySideWithoutRefitsStillRankTheResponders) {
  // Two boosters at a time (one thread each), and generic mode's learner without the refits: the
  // validation rows' mu0 from the folds' mean, every step timed.
  GenericOptions o;
  o.input = Write("side_by_side.csv", Experiment(6000));
  o.treatment = "treated";
  o.outcome = "churned";
  o.id = "id";
  o.learner.nuisance.threads = o.learner.uplift.threads = o.learner.shift.threads = 2;
  auto r = TrainGeneric(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["learner"]["refit"], false);
  EXPECT_EQ((*r)["training"]["boosters_at_once"], 2);
  // 2 folds x (propensity, control outcome, shift), the shift on every treated overlap row, the uplift.
  ASSERT_EQ((*r)["training"]["steps"].size(), 8u) << (*r)["training"].dump();
  EXPECT_GT((*r)["qini_coefficient"].get<double>(), 0.01) << r->dump();
}

TEST_F(GenericTest, TheRowsOrderInTheFileDoesNotChangeTheModel) {
  // The same rows in another order (as DuckDB's parallel reader may give a large file's rows): the same
  // folds, subsamples and sketches, so the same model and Qini, with and without --id.
  const std::string csv = Experiment(4000);
  std::vector<std::string> lines;
  std::string header, line;
  std::istringstream in(csv);
  std::getline(in, header);
  while (std::getline(in, line)) lines.push_back(line);
  std::shuffle(lines.begin(), lines.end(), std::mt19937_64(11));
  std::string shuffled = header + "\n";
  for (const auto& l : lines) shuffled += l + "\n";
  for (const bool with_id : {true, false}) {
    GenericOptions o;
    o.treatment = "treated";
    o.outcome = "churned";
    if (with_id) o.id = "id";
    o.learner.nuisance.threads = o.learner.uplift.threads = o.learner.shift.threads = 2;
    o.input = Write("in_order.csv", csv);
    auto a = TrainGeneric(o);
    o.input = Write("shuffled.csv", shuffled);
    auto b = TrainGeneric(o);
    ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
    EXPECT_EQ((*a)["qini_coefficient"], (*b)["qini_coefficient"]) << "with id: " << with_id;
    EXPECT_EQ((*a)["training"]["propensity_rounds"], (*b)["training"]["propensity_rounds"]);
    EXPECT_EQ((*a)["validation"]["deciles"], (*b)["validation"]["deciles"]);
  }
}

}  // namespace
}  // namespace custlake::retention
