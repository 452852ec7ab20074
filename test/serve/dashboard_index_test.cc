// The dashboard's in-memory index (serve::DashboardIndex: GET /api/dashboard and /api/at-risk) against
// the dashboard's SQL on the scored demo lake: every filter pattern, values that match and one that
// matches nothing, and date ranges (none, open on either side, one month, one with no months, one reversed).
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "http_test_server.h"
#include "serve/dashboard_index.h"
#include "serve/dashboard_sql.h"
#include "serve/http_dashboard_query.h"
#include "serve/session_pool.h"
#include "support/status_testing.h"

namespace custlake::testing {
namespace {

using Params = std::vector<std::optional<std::string>>;

/// Where `a` (the index's) and `b` (the SQL's) differ: every value exactly, but for the two KPIs that
/// sum doubles over customers (DuckDB adds them in its threads' order), which may differ by 1e-9 relative.
void Differences(const nlohmann::json& a, const nlohmann::json& b, const std::string& path,
                 std::vector<std::string>& out) {
  const bool summed = path == "/kpis/avg_clv" || path == "/kpis/value_at_risk";
  if (summed && a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    if (std::abs(x - y) > 1e-9 * std::max(std::abs(x), std::abs(y))) out.push_back(path + ": " + a.dump() + " vs " + b.dump());
    return;
  }
  if (a.type() != b.type() && !(a.is_number() && b.is_number())) {
    out.push_back(path + ": " + a.dump() + " vs " + b.dump());
  } else if (a.is_object()) {
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key)) out.push_back(path + "/" + key + ": missing");
    }
    for (const auto& [key, value] : a.items()) {
      if (!b.contains(key)) out.push_back(path + "/" + key + ": not in the SQL's answer");
      else Differences(value, b[key], path + "/" + key, out);
    }
  } else if (a.is_array()) {
    if (a.size() != b.size()) {
      out.push_back(path + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " rows");
      return;
    }
    for (size_t i = 0; i < a.size(); i++) Differences(a[i], b[i], path + "/" + std::to_string(i), out);
  } else if (a.is_number() && b.is_number()) {
    // Integers and doubles alike exactly: the counts, the rates of integer sums, the CLV buckets' bounds.
    if (a.is_number_float() != b.is_number_float() || a.get<double>() != b.get<double>() ||
        (a.is_number_integer() && a.get<int64_t>() != b.get<int64_t>())) {
      out.push_back(path + ": " + a.dump() + " vs " + b.dump());
    }
  } else if (a != b) {
    out.push_back(path + ": " + a.dump() + " vs " + b.dump());
  }
}

class DashboardIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    project_ = new std::filesystem::path(SharedScoredProject());
    ASSERT_FALSE(project_->empty());
  }
  static void TearDownTestSuite() { delete project_; }
  static std::filesystem::path* project_;
};
std::filesystem::path* DashboardIndexTest::project_ = nullptr;

TEST_F(DashboardIndexTest, TheIndexAnswersEveryFilterAsTheSqlDoes) {
  serve::SessionPool pool((*project_ / "lake").string(), serve::DashboardSandbox({}), 1);
  ASSERT_OK_AND_ASSIGN(auto lease, pool.Acquire());
  serve::DashboardRun run(std::move(lease));
  ASSERT_TRUE(run.has_marts() && run.has_clv() && run.has_churn());
  ASSERT_OK_AND_ASSIGN(auto index, serve::DashboardIndex::Build(*run.session()));
  ASSERT_TRUE(index->has_at_risk());
  ASSERT_GT(index->customers(), 100u);
  EXPECT_GT(index->spans(), index->customers()) << "the demo should have customers whose attributes changed";
  EXPECT_GT(index->MemoryBytes(), index->spans() * 16);

  // Filter values: none, the first and the last of each, and one no row has.
  Params values[3];
  const char* columns[3] = {"segment", "region", "plan"};
  for (int d = 0; d < 3; d++) {
    ASSERT_OK_AND_ASSIGN(auto distinct, run.session()->Run(std::string("SELECT min(") + columns[d] + "), max(" +
                                                            columns[d] + ") FROM dashboard.customer_attributes"));
    values[d] = {std::nullopt, distinct.rows[0][0], "no such value"};
    if (d == 0) values[d].push_back(distinct.rows[0][1]);
  }
  ASSERT_OK_AND_ASSIGN(
      auto dates,
      run.session()->Run("SELECT strftime(min(month_start), '%Y-%m-%d'), strftime(max(month_start), '%Y-%m-%d'), "
                         "strftime(min(month_start) + INTERVAL 5 MONTH + INTERVAL 14 DAY, '%Y-%m-%d'), "
                         "strftime(min(month_start) + INTERVAL 5 MONTH, '%Y-%m-%d'), "
                         "strftime(last_day(min(month_start) + INTERVAL 5 MONTH), '%Y-%m-%d'), "
                         "strftime(max(month_start) + INTERVAL 2 YEAR, '%Y-%m-%d') FROM mart_dashboard_months"));
  const auto& d = dates.rows[0];
  const std::string first = d[0], last = d[1], mid = d[2], mid_first = d[3], mid_last = d[4], after = d[5];
  const std::vector<std::pair<std::optional<std::string>, std::optional<std::string>>> ranges{
      {std::nullopt, std::nullopt}, {mid, std::nullopt}, {std::nullopt, mid}, {first, last},
      {mid_first, mid_last} /* one month */, {mid, mid} /* one day */, {after, std::nullopt} /* no months */,
      {mid, first} /* reversed */};
  size_t compared = 0, with_clv = 0, listed = 0;
  auto compare = [&](const Params& filters) {
    auto sql = serve::DashboardFromSql(run, filters);
    ASSERT_TRUE(sql.ok()) << sql.status().ToString();
    sql->erase("missing");
    auto answer = index->Answer(filters, true, true);
    ASSERT_TRUE(answer.has_value()) << ::testing::PrintToString(filters);
    std::vector<std::string> differences;
    Differences(*answer, *sql, "", differences);
    EXPECT_EQ(differences, std::vector<std::string>{}) << ::testing::PrintToString(filters);
    compared++;
    with_clv += !(*sql)["clv_distribution"].empty();
    // The at-risk list: all of it, and the page's 25.
    for (const char* limit : {"9999", "25"}) {
      Params with_limit = filters;
      with_limit.push_back(limit);
      auto list = serve::AtRiskFromSql(run, with_limit);
      ASSERT_TRUE(list.ok()) << list.status().ToString();
      list->erase("missing");
      auto rows = index->AtRisk(filters, std::stoll(limit));
      ASSERT_TRUE(rows.has_value()) << ::testing::PrintToString(filters);
      std::vector<std::string> list_differences;
      Differences(*rows, *list, "at-risk " + std::string(limit), list_differences);
      EXPECT_EQ(list_differences, std::vector<std::string>{}) << ::testing::PrintToString(filters);
      listed += (*list)["rows"].size();
    }
  };
  for (const auto& segment : values[0])
    for (const auto& region : values[1])
      for (const auto& plan : values[2])
        for (const auto& [from, to] : ranges) compare({segment, region, plan, from, to});
  EXPECT_EQ(compared, 4u * 3 * 3 * ranges.size());
  // Two thirds of the filters name a value no row has, and two ranges in eight hold no month: of the 72
  // left, 56 select customers with CLV on the demo (the first or last value of two filters may not meet).
  EXPECT_GE(with_clv, 40u) << "too few filters select customers with CLV to compare the buckets";
  EXPECT_GT(listed, 1000u) << "too few customers on the at-risk lists to compare them";

  // Every month as a range of its own and as the start of an open one, with each filter alone: the
  // spans that end or begin at a range's edge (a customer whose segment changed that month).
  ASSERT_OK_AND_ASSIGN(auto months, run.session()->Run("SELECT DISTINCT strftime(month_start, '%Y-%m-%d'), "
                                                       "strftime(last_day(month_start), '%Y-%m-%d') "
                                                       "FROM mart_dashboard_months ORDER BY 1"));
  ASSERT_GE(months.rows.size(), 6u);
  for (const auto& month : months.rows) {
    for (int dim = 0; dim < 3; dim++) {
      for (size_t v = 1; v < values[dim].size(); v++) {
        Params filters(5);
        filters[dim] = values[dim][v];
        filters[3] = month[0];
        compare(filters);
        filters[4] = month[1];
        compare(filters);
        filters[3] = std::nullopt;
        compare(filters);
      }
    }
  }
  EXPECT_EQ(compared, 4u * 3 * 3 * ranges.size() + months.rows.size() * 7 * 3);

  // A date DuckDB would refuse is left to the SQL path (which says why); without scores, no CLV figures.
  EXPECT_FALSE(index->Answer({std::nullopt, std::nullopt, std::nullopt, "2025-02-30", std::nullopt}, true, true));
  auto unscored = index->Answer(Params(5), false, false);
  ASSERT_TRUE(unscored.has_value());
  EXPECT_TRUE((*unscored)["clv_distribution"].is_null());
  EXPECT_TRUE((*unscored)["kpis"]["avg_clv"].is_null());
  EXPECT_TRUE((*unscored)["kpis"]["value_at_risk"].is_null());
  EXPECT_TRUE((*unscored)["kpis"]["active_customers"].is_number_integer());
}

}  // namespace
}  // namespace custlake::testing
