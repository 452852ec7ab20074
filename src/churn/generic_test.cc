#include "churn/generic.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "support/status_testing.h"

namespace custlake::churn {
namespace {

namespace fs = std::filesystem;

/// A telecom-shaped customer table: an id, categoricals, a numeric column with blanks and stray
/// text, a Yes/No label drawn from a known logistic rule.
std::vector<std::string> TelcoRows(int n) {
  std::mt19937 rng(7);
  auto uniform = [&] { return static_cast<double>(rng()) / 4294967296.0; };
  const char* contracts[] = {"Month-to-month", "One year", "Two year"};
  const char* payments[] = {"Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"};
  std::vector<std::string> rows;
  for (int i = 0; i < n; ++i) {
    const int contract = static_cast<int>(uniform() * 3), payment = static_cast<int>(uniform() * 4);
    const int tenure = static_cast<int>(uniform() * 72);
    const double monthly = 20 + uniform() * 100;
    const double z = -1.2 + (contract == 0 ? 1.6 : contract == 2 ? -1.2 : 0) - 0.035 * tenure + 0.015 * (monthly - 65) +
                     (payment == 0 ? 0.6 : 0);
    const bool churn = uniform() < 1 / (1 + std::exp(-z));
    std::string total = tenure == 0 ? " " : i % 97 == 0 ? "n/a" : std::to_string(tenure * monthly);
    rows.push_back(std::to_string(1000 + i) + "-CUST," + (uniform() < 0.5 ? "Female" : "Male") + "," +
                   (uniform() < 0.5 ? "Yes" : "No") + "," + std::to_string(tenure) + "," + contracts[contract] + ",\"" +
                   payments[payment] + "\"," + std::to_string(monthly) + "," + total + "," + (churn ? "Yes" : "No"));
  }
  return rows;
}

class GenericTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("custlake_generic_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::vector<std::string>& rows,
                    const std::string& header = "customerID,gender,Partner,tenure,Contract,PaymentMethod,"
                                                "MonthlyCharges,TotalCharges,Churn") {
    std::ofstream out(dir_ / name);
    if (!header.empty()) out << header << "\n";
    for (const std::string& r : rows) out << r << "\n";
    return (dir_ / name).string();
  }
  GenericOptions Options(const std::string& input, int cv = 0) {
    GenericOptions o;
    o.input = input;
    o.label = "Churn";
    o.id = "customerID";
    o.cv = cv;
    o.gbm.threads = 1;
    return o;
  }
  fs::path dir_;
};

TEST_F(GenericTest, LearnsFromARawTableWithoutPreprocessing) {
  ASSERT_OK_AND_ASSIGN(nlohmann::json s, TrainGeneric(Options(Write("telco.csv", TelcoRows(1500)), 5)));
  EXPECT_EQ(s["positive_label"], "Yes");
  EXPECT_EQ(s["columns"]["TotalCharges"], "numeric");  // blanks and "n/a" are missing values
  EXPECT_EQ(s["columns"]["Contract"], "categorical");
  EXPECT_FALSE(s["columns"].contains("customerID"));
  EXPECT_FALSE(s["columns"].contains("Churn"));
  EXPECT_GT(s["roc_auc"].get<double>(), 0.72) << s.dump();
  EXPECT_GT(s["cv_roc_auc_mean"].get<double>(), 0.72);
  EXPECT_LT(s["cv_roc_auc_std"].get<double>(), 0.05);
}

TEST_F(GenericTest, ShuffledRowsGiveTheSameCrossValidation) {
  std::vector<std::string> rows = TelcoRows(800);
  ASSERT_OK_AND_ASSIGN(nlohmann::json a, TrainGeneric(Options(Write("a.csv", rows), 4)));
  std::shuffle(rows.begin(), rows.end(), std::mt19937(3));
  ASSERT_OK_AND_ASSIGN(nlohmann::json b, TrainGeneric(Options(Write("b.csv", rows), 4)));
  EXPECT_NEAR(a["cv_roc_auc_mean"].get<double>(), b["cv_roc_auc_mean"].get<double>(), 5e-4);
  EXPECT_EQ(a["roc_auc"], b["roc_auc"]);
}

TEST_F(GenericTest, BadInputSaysWhatAndWhere) {
  std::string empty = Write("empty.csv", {}, "");
  auto r = TrainGeneric(Options(empty));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("empty"), std::string::npos) << r.status().message();

  GenericOptions missing = Options(Write("t.csv", TelcoRows(50)));
  missing.label = "Churned";
  r = TrainGeneric(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no label column 'Churned'"), std::string::npos) << r.status().message();

  std::vector<std::string> three = TelcoRows(50);
  three[10].replace(three[10].rfind(',') + 1, std::string::npos, "Maybe");
  r = TrainGeneric(Options(Write("three.csv", three)));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("3 values"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("'Maybe'"), std::string::npos);

  std::vector<std::string> blank = TelcoRows(50);
  blank[4].replace(blank[4].rfind(',') + 1, std::string::npos, "");
  r = TrainGeneric(Options(Write("blank.csv", blank)));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("blank.csv:6"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace custlake::churn
