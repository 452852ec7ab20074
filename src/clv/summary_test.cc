#include "clv/summary.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "clv/triples.h"
#include "support/status_testing.h"

namespace custlake::clv {
namespace {

class SummaryTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() / ("clv_summary_" + std::to_string(::getpid()) + ".csv");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  Result<TransactionLog> Read(const std::string& text) {
    TransactionFileOptions o;
    o.path = Write(text);
    o.customer_col = "customer";
    o.date_col = "date";
    o.amount_col = "amount";
    return ReadTransactionLog(o);
  }
  std::filesystem::path path_;
};

TEST_F(SummaryTest, SameDayPurchasesAreOneTransactionAndTheFirstIsNotARepeat) {
  ASSERT_OK_AND_ASSIGN(TransactionLog log, Read("customer,date,amount\n"
                                                "a,2020-01-01,10\n"
                                                "a,2020-01-08,5\n"
                                                "a,2020-01-08,7\n"  // same day: one transaction of 12
                                                "a,2020-01-15,20\n"
                                                "a,2020-02-05,99\n"  // holdout
                                                "a,2020-03-05,99\n"  // after the holdout
                                                "b,2020-01-10,3\n"
                                                "c,2020-02-01,4\n"));  // first purchase after calibration
  SummaryOptions o;
  o.unit = TimeUnit::kWeek;
  o.calibration_end = *ParseDay("2020-01-29");
  o.holdout_end = *ParseDay("2020-02-26");
  ASSERT_OK_AND_ASSIGN(SummaryTable t, BuildSummaries(log, o));
  ASSERT_EQ(t.customers.size(), 2u);
  EXPECT_EQ(t.customers_after_calibration, 1);
  const CustomerSummary& a = t.customers[0];
  EXPECT_EQ(a.x, 2);
  EXPECT_DOUBLE_EQ(a.t_x, 2);
  EXPECT_DOUBLE_EQ(a.T, 4);
  EXPECT_DOUBLE_EQ(a.spend, 16);
  EXPECT_EQ(a.x_holdout, 1);
  EXPECT_DOUBLE_EQ(*t.holdout_length, 4);
  EXPECT_EQ(t.customers[1].x, 0);
  EXPECT_DOUBLE_EQ(t.customers[1].T, 19.0 / 7);
  EXPECT_DOUBLE_EQ(t.customers[1].first, 9.0 / 7);
}

TEST_F(SummaryTest, BadRowsNameTheirLine) {
  auto bad_date = Read("customer,date,amount\na,2020-01-01,1\na,2020-02-30,1\n");
  ASSERT_FALSE(bad_date.ok());
  EXPECT_NE(bad_date.status().message().find(":3: column 2: '2020-02-30' is not a date"), std::string::npos)
      << bad_date.status().message();
  auto negative = Read("customer,date,amount\na,2020-01-01,-5\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find(":2: column 3: amount -5 is negative"), std::string::npos);
  auto no_column = Read("id,date,amount\na,2020-01-01,5\n");
  ASSERT_FALSE(no_column.ok());
  EXPECT_NE(no_column.status().message().find(":1: no customer column 'customer'"), std::string::npos);
}

TEST_F(SummaryTest, CalibrationEndBeforeTheFirstPurchaseIsAnError) {
  ASSERT_OK_AND_ASSIGN(TransactionLog log, Read("customer,date,amount\na,2020-01-05,1\nb,2020-01-02,1\n"));
  SummaryOptions o;
  o.calibration_end = *ParseDay("2019-12-31");
  auto t = BuildSummaries(log, o);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("before the first purchase (" + path_.string() + ":3, 2020-01-02)"),
            std::string::npos)
      << t.status().message();
}

TEST_F(SummaryTest, TriplesCountCustomersSharingAHistory) {
  std::vector<CustomerSummary> cs = {{0, 0, 5}, {2, 3, 5}, {0, 0, 5}, {2, 3, 5, 10}, {1, 1, 4}};
  const Triples t = CompressTriples(cs);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.x[0], 0);
  EXPECT_EQ(t.count[0], 2);
  EXPECT_EQ(t.customers(), 5);
  const SpendPairs s = CompressSpend(cs);
  EXPECT_EQ(s.size(), 1u);  // only x > 0 with a positive spend
}

TEST_F(SummaryTest, SummaryCsvIsChecked) {
  ASSERT_OK_AND_ASSIGN(SummaryTable t,
                       ReadSummaryCsv(Write("ID,x,t_x,T,zbar\n1,2,30.43,38.86,22.35\n"), TimeUnit::kWeek));
  EXPECT_TRUE(t.has_spend);
  EXPECT_EQ(t.ids[0], "1");
  auto bad = ReadSummaryCsv(Write("x,t_x,T\n1,40,38\n"), TimeUnit::kWeek);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":2: t_x must be between 0 and T"), std::string::npos);
}

}  // namespace
}  // namespace custlake::clv
