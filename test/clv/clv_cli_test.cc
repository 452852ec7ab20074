// `custlake clv` as a user runs it, on the CDNOW fixture.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/cli_runner.h"

namespace {
namespace fs = std::filesystem;
using custlake::testing::CliOutcome;
using custlake::testing::ReadWholeFile;

class ClvCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("custlake_clv_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliOutcome Clv(const std::string& verb, std::vector<std::string> extra,
                 const std::string& log = CdnowLog()) {
    std::vector<std::string> args = {"-C",
                                     dir_.string(),
                                     "--json",
                                     "clv",
                                     verb,
                                     "--transactions",
                                     log,
                                     "--delimiter",
                                     "whitespace",
                                     "--no-header",
                                     "--customer-col",
                                     "2",
                                     "--date-col",
                                     "3",
                                     "--amount-col",
                                     "5",
                                     "--unit",
                                     "week",
                                     "--calibration-end",
                                     "1997-09-30"};
    args.insert(args.end(), extra.begin(), extra.end());
    return custlake::testing::RunCli(dir_, CUSTLAKE_BIN, args);
  }
  static std::string CdnowLog() { return std::string(CLV_DATA_DIR) + "/CDNOW_sample.txt"; }
  std::string WriteLog(const std::string& text) {
    const fs::path p = dir_ / "log.txt";
    std::ofstream(p) << text;
    return p.string();
  }

  fs::path dir_;
};

TEST_F(ClvCli, FitJsonHasTheLiteratureParameters) {
  const CliOutcome r = Clv("fit", {"--model", "bgnbd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = r.Json();
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["model"], "bgnbd");
  EXPECT_NEAR(j["params"]["r"].get<double>(), 0.2425945, 0.0003);
  EXPECT_NEAR(j["params"]["alpha"].get<double>(), 4.4136019, 0.004);
  EXPECT_NEAR(j["params"]["a"].get<double>(), 0.7929199, 0.0008);
  EXPECT_NEAR(j["params"]["b"].get<double>(), 2.4258881, 0.0024);
  EXPECT_NEAR(j["log_likelihood"].get<double>(), -9582.429, 0.01);
  EXPECT_NEAR(j["std_errors"]["r"].get<double>(), 0.012557, 0.0002);
  EXPECT_EQ(j["customers"], 2357);
  EXPECT_TRUE(j["converged"].get<bool>());
  EXPECT_GT(j["fit_seconds"].get<double>(), 0);
  EXPECT_NEAR(j["spend"]["params"]["p"].get<double>(), 6.25, 0.005);
  EXPECT_EQ(j["unit"], "week");
}

TEST_F(ClvCli, ParetoNbdNamesItsParameters) {
  const CliOutcome r = Clv("fit", {"--model", "pnbd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = r.Json();
  for (const char* name : {"r", "alpha", "s", "beta"}) EXPECT_TRUE(j["params"].contains(name)) << name;
  EXPECT_NEAR(j["params"]["beta"].get<double>(), 11.669, 0.0005);
}

TEST_F(ClvCli, PredictWritesTheHorizonIntoTheColumns) {
  const CliOutcome r = Clv("predict", {"--horizon", "52", "--discount-rate", "0.002", "--out", "p.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Json()["horizon"], 52);
  const std::string csv = ReadWholeFile(dir_ / "p.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "customer,x,t_x,T,p_alive,expected_purchases_52w,p_no_purchase_52w,expected_spend,clv_52w");
  EXPECT_NE(csv.find("\n1516,26,30.8571,31,0.96885"), std::string::npos);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2358);
}

TEST_F(ClvCli, PredictFromASummaryFileWithASavedFit) {
  ASSERT_EQ(Clv("fit", {"--out", "fit.json"}).exit_code, 0);
  const CliOutcome r =
      custlake::testing::RunCli(dir_, CUSTLAKE_BIN,
                                {"-C", dir_.string(), "--json", "clv", "predict", "--summary",
                                 std::string(CLV_DATA_DIR) + "/cdnow_summary_with_monetary.csv", "--params",
                                 "fit.json", "--out", "s.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Json()["horizon"], 52);  // one year of weeks by default
  const std::string csv = ReadWholeFile(dir_ / "s.csv");
  EXPECT_NE(csv.find("\n1,2,30.43,38.86,"), std::string::npos) << csv.substr(0, 300);
  EXPECT_NE(csv.find(",clv_52w\n"), std::string::npos);
  // The same fit on data summarised in days is refused, not silently mis-scaled.
  const CliOutcome days = custlake::testing::RunCli(
      dir_, CUSTLAKE_BIN,
      {"-C", dir_.string(), "clv", "predict", "--unit", "day", "--summary",
       std::string(CLV_DATA_DIR) + "/cdnow_summary_with_monetary.csv", "--params", "fit.json"});
  EXPECT_EQ(days.exit_code, 2);
  EXPECT_NE(days.err.find("fit.json was fitted in weeks, but the data are in days"), std::string::npos)
      << days.err;
}

TEST_F(ClvCli, EvaluateWritesJsonAndASelfContainedReport) {
  const CliOutcome r = Clv("evaluate", {"--holdout-end", "1998-06-30", "--report", "r.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto v = r.Json()["validation"];
  EXPECT_EQ(v["metrics"]["holdout_actual"], 4339 - 2457);
  EXPECT_EQ(v["tracking"].size(), 78u);
  EXPECT_EQ(v["by_frequency"].size(), 8u);
  const std::string html = ReadWholeFile(dir_ / "r.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no links out
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST_F(ClvCli, BadInputIsAClearUsageError) {
  const std::string bad_date = WriteLog("1 1 19970101 1 10.00\n1 1 19970231 1 5.00\n");
  CliOutcome r = Clv("fit", {}, bad_date);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad_date + ":2: column 3: '19970231' is not a date"), std::string::npos) << r.err;
  const std::string negative = WriteLog("1 1 19970101 1 10.00\n1 1 19970301 1 -5.00\n");
  r = Clv("fit", {}, negative);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(negative + ":2: column 5: amount -5.00 is negative"), std::string::npos) << r.err;
  const std::string early = WriteLog("1 1 19980101 1 10.00\n2 2 19971215 1 5.00\n");
  r = Clv("fit", {}, early);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("before the first purchase (" + early + ":2, 1997-12-15)"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.Json()["ok"], false);
}

TEST_F(ClvCli, NoProjectAndNoFileSaysWhatToGive) {
  const CliOutcome r = custlake::testing::RunCli(dir_, CUSTLAKE_BIN, {"-C", dir_.string(), "clv", "fit"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no --transactions or --summary, and no project"), std::string::npos) << r.err;
}

}  // namespace
