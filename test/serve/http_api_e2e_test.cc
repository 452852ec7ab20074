// The web UI's JSON API against a real server (in this process, on an
// ephemeral loopback port) over small lakes built by the custlake binary,
// driven by a real HTTP client (cpp-httplib's).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include <fstream>

#include "auth/user_store.h"
#include "http_test_server.h"
#include "query/lake_session.h"
#include "serve/dashboard_sql.h"
#include "serve/http_auth.h"
#include "serve/session_pool.h"
#include "serve/web_assets.h"
#include "support/status_testing.h"

namespace custlake::testing {
namespace {

namespace fs = std::filesystem;

/// A demo project with churn and CLV scores, served.
class ScoredApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    project_ = new fs::path(SharedScoredProject());
    ASSERT_FALSE(project_->empty());
    server_ = new TestHttpServer((*project_ / "lake").string());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete project_;
  }
  std::unique_ptr<httplib::Client> client_ = server_->Client();

  nlohmann::json Get(const std::string& path, int expect_status = 200) {
    auto res = client_->Get(path.c_str());
    EXPECT_TRUE(res) << path;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, expect_status) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    return Json(res);
  }
  nlohmann::json Query(const nlohmann::json& body, int expect_status = 200) {
    auto res = PostJson(*client_, "/api/query", body);
    EXPECT_TRUE(res);
    if (!res) return nullptr;
    EXPECT_EQ(res->status, expect_status) << body.dump() << ": " << res->body;
    return Json(res);
  }

  static fs::path* project_;
  static TestHttpServer* server_;
};
fs::path* ScoredApiTest::project_ = nullptr;
TestHttpServer* ScoredApiTest::server_ = nullptr;

TEST_F(ScoredApiTest, HealthzNamesTheWarehouseVersion) {
  nlohmann::json health = Get("/healthz");
  EXPECT_EQ(health["status"], "ok");
  ASSERT_TRUE(health["warehouse_version"].is_number_integer()) << health;
  EXPECT_GT(health["warehouse_version"].get<int64_t>(), 0);
}

TEST_F(ScoredApiTest, QueryReturnsTypedColumnsAndPagesWithExactNumbers) {
  nlohmann::json all = Query({{"sql", "SELECT count(*) AS n FROM dim_customer WHERE is_current"}});
  EXPECT_EQ(all["rows"], nlohmann::json::parse("[[300]]"));
  EXPECT_EQ(all["columns"][0], (nlohmann::json{{"name", "n"}, {"type", "BIGINT"}}));

  nlohmann::json page = Query({{"sql", "SELECT customer_id, monthly_fee, 9007199254740993 AS big FROM dim_customer "
                                       "WHERE is_current ORDER BY customer_id"},
                               {"page", 2},
                               {"page_size", 7}});
  EXPECT_EQ(page["total_rows"], 300);
  EXPECT_EQ(page["truncated"], false);
  EXPECT_EQ(page["page"], 2);
  ASSERT_EQ(page["rows"].size(), 7u);
  EXPECT_EQ(page["rows"][0][0], 15) << "page 2 of 7 starts at the 15th customer";
  EXPECT_TRUE(page["rows"][0][1].is_string()) << "DECIMAL as an exact string: " << page["rows"][0];
  EXPECT_EQ(page["rows"][0][2], "9007199254740993") << "past 2^53 as a string";
  EXPECT_EQ(page["warehouse_version"], Get("/healthz")["warehouse_version"]);
  EXPECT_TRUE(page["elapsed_ms"].is_number());
}

TEST_F(ScoredApiTest, SqlErrorsAre400WithThePositionDuckDbReports) {
  nlohmann::json error = Query({{"sql", "SELECT 1 FRM dim_customer"}}, 400);
  EXPECT_NE(error["error"].get<std::string>().find("syntax error"), std::string::npos) << error;
  EXPECT_EQ(error["position"], 13);
  nlohmann::json unknown = Query({{"sql", "SELECT * FROM no_such_table"}}, 400);
  EXPECT_NE(unknown["error"].get<std::string>().find("no_such_table"), std::string::npos) << unknown;
  EXPECT_TRUE(Query({{"page", 0}}, 400)["error"].get<std::string>().find("sql") != std::string::npos);
  auto garbage = client_->Post("/api/query", "{not json", "application/json");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
  EXPECT_EQ(Query({{"sql", "SELECT 1"}, {"page_size", 0}}, 400)["error"].get<std::string>().find("page_size") !=
                std::string::npos,
            true);
}

TEST_F(ScoredApiTest, SandboxEscapesAreRefusedWith403AndTheSandboxsMessage) {
  const std::vector<std::string> escapes = {
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/passwd')",
      "SELECT * FROM glob('/etc/*')",
      "COPY (SELECT 1) TO '/tmp/custlake_http_escape.csv'",
      "ATTACH '/tmp/custlake_http_escape.duckdb' AS x",
      "INSTALL httpfs",
      "LOAD httpfs",
      "SET enable_external_access = true",
      "PRAGMA enable_profiling",
      "CREATE TABLE t (x INT)",
      "DROP VIEW dim_customer",
      "INSERT INTO dim_date (date_key) VALUES (1)",
      "DELETE FROM dim_customer",
  };
  for (const std::string& sql : escapes) {
    auto res = PostJson(*client_, "/api/query", {{"sql", sql}});
    ASSERT_TRUE(res) << sql;
    EXPECT_EQ(res->status, 403) << sql << ": " << res->body;
    const std::string error = Json(res)["error"].get<std::string>();
    EXPECT_TRUE(error.find("not a query") != std::string::npos ||
                error.find("disabled by configuration") != std::string::npos)
        << sql << ": " << error;
    EXPECT_EQ(res->body.find("root:"), std::string::npos) << "no file content may leak: " << sql;
  }
  EXPECT_FALSE(fs::exists("/tmp/custlake_http_escape.csv"));
  EXPECT_FALSE(fs::exists("/tmp/custlake_http_escape.duckdb"));
  EXPECT_EQ(Query({{"sql", "SELECT count(*) FROM dim_customer"}})["rows"][0][0].is_number(), true)
      << "the server goes on";
}

TEST_F(ScoredApiTest, AHugeResultIsCutAtTheRowLimit) {
  nlohmann::json huge = Query({{"sql", "SELECT * FROM range(1000000000)"}, {"page_size", 10}});
  EXPECT_EQ(huge["truncated"], true);
  EXPECT_EQ(huge["total_rows"], 1000) << "the test server's row limit";
  EXPECT_EQ(huge["rows"].size(), 10u);
}

TEST_F(ScoredApiTest, AQueryThatNeverEndsTimesOutWhileAnotherClientsQuerySucceeds) {
  auto slow = std::async(std::launch::async, [] {
    auto client = server_->Client();
    return PostJson(*client, "/api/query",
                    {{"sql", "SELECT count(*) FROM range(100000000000) a, range(100000000000) b WHERE a.range + b.range = -1"}});
  });
  // Another client meanwhile: its query is answered whatever the slow one does.
  nlohmann::json quick = Query({{"sql", "SELECT 42 AS answer"}});
  EXPECT_EQ(quick["rows"], nlohmann::json::parse("[[42]]"));
  auto res = slow.get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 408) << res->body;
  EXPECT_NE(Json(res)["error"].get<std::string>().find("time limit"), std::string::npos) << res->body;
}

TEST_F(ScoredApiTest, ARunningQueryIsCancelledByItsQueryId) {
  auto slow = std::async(std::launch::async, [] {
    auto client = server_->Client();
    return PostJson(*client, "/api/query",
                    {{"sql", "SELECT count(*) FROM range(100000000000) a, range(100000000000) b WHERE a.range + b.range = -1"},
                     {"query_id", "editor-tab-1"}});
  });
  bool cancelled = false;
  while (slow.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    nlohmann::json answer = Json(PostJson(*client_, "/api/query/cancel", {{"query_id", "editor-tab-1"}}));
    cancelled = cancelled || answer["cancelled"] == true;
  }
  auto res = slow.get();
  ASSERT_TRUE(res);
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(res->status, 409) << res->body;
  EXPECT_EQ(Json(res)["error"], "cancelled");
  EXPECT_EQ(Json(PostJson(*client_, "/api/query/cancel", {{"query_id", "no-such-query"}}))["cancelled"], false);
}

TEST_F(ScoredApiTest, CsvDownloadIsAnAttachmentOfTheWholeResult) {
  auto res = PostJson(*client_, "/api/query.csv",
                      {{"sql", "SELECT customer_id, first_name FROM dim_customer WHERE is_current AND customer_id <= 3 "
                               "ORDER BY customer_id"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_NE(res->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(res->get_header_value("Content-Type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(res->body.substr(0, 23), "customer_id,first_name\n");
  EXPECT_EQ(std::count(res->body.begin(), res->body.end(), '\n'), 4);
  auto refused = PostJson(*client_, "/api/query.csv", {{"sql", "SELECT * FROM read_text('/etc/passwd')"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
}

TEST_F(ScoredApiTest, FiltersListTheValuesAndTheDateRange) {
  nlohmann::json filters = Get("/api/filters");
  EXPECT_EQ(filters["segments"], nlohmann::json::parse(R"(["consumer","enterprise","smb"])"));
  EXPECT_FALSE(filters["regions"].empty());
  EXPECT_FALSE(filters["plans"].empty());
  EXPECT_LT(filters["date_min"].get<std::string>(), filters["date_max"].get<std::string>());
}

TEST_F(ScoredApiTest, DashboardHasEveryKpiAndSeriesAndFiltersChangeThem) {
  nlohmann::json all = Get("/api/dashboard");
  for (const char* kpi : {"active_customers", "monthly_churn_rate", "revenue", "avg_clv", "value_at_risk"}) {
    EXPECT_FALSE(all["kpis"][kpi].is_null()) << kpi << ": " << all["kpis"];
  }
  for (const char* series : {"churn_by_month", "cohort_retention", "clv_distribution", "usage_trend", "tickets_vs_churn"}) {
    EXPECT_FALSE(all[series].empty()) << series;
  }
  EXPECT_EQ(all["missing"], nlohmann::json::array());
  // The KPIs agree with the same numbers asked in SQL.
  nlohmann::json revenue = Query({{"sql", "SELECT CAST(sum(revenue) AS VARCHAR) FROM fact_customer_metrics"}});
  EXPECT_EQ(all["kpis"]["revenue"], revenue["rows"][0][0]);
  nlohmann::json smb = Get("/api/dashboard?segment=smb&from=2024-01-01&to=2024-12-31");
  EXPECT_LT(std::stod(smb["kpis"]["revenue"].get<std::string>()), std::stod(all["kpis"]["revenue"].get<std::string>()));
  std::set<std::string> segments, months;
  for (const auto& row : smb["churn_by_month"]) {
    segments.insert(row["segment"].get<std::string>());
    months.insert(row["month"].get<std::string>());
  }
  EXPECT_EQ(segments, std::set<std::string>{"smb"});
  EXPECT_EQ(*months.begin(), "2024-01");
  EXPECT_EQ(*months.rbegin(), "2024-12");
  // A value that would break spliced SQL is only a value that matches nothing.
  nlohmann::json hostile = Get("/api/dashboard?segment=smb%27%20OR%20%271%27%3D%271");
  EXPECT_EQ(hostile["kpis"]["active_customers"], 0);
  EXPECT_TRUE(Get("/api/dashboard?from=2024-13", 400)["error"].get<std::string>().find("YYYY-MM-DD") !=
              std::string::npos);
}

/// The cells of `a` and `b` that differ: every cell equal as text, except DOUBLE sums and means, which
/// DuckDB adds up in whatever order its threads and hash tables give, so they may differ in the last
/// digit (2e-16 relative) between any two plans; those within 1e-12 relative count as equal.
std::vector<std::string> DifferentCells(const engine::QueryResult& a, const engine::QueryResult& b) {
  std::vector<std::string> out;
  if (a.rows.size() != b.rows.size() || a.columns != b.columns || a.types != b.types || a.nulls != b.nulls) {
    return {"shape: " + std::to_string(a.rows.size()) + " vs " + std::to_string(b.rows.size()) + " rows"};
  }
  for (size_t r = 0; r < a.rows.size(); r++) {
    for (size_t c = 0; c < a.columns.size(); c++) {
      const std::string &x = a.rows[r][c], &y = b.rows[r][c];
      if (x == y) continue;
      if (a.types[c] == "DOUBLE" && !a.nulls[r][c]) {
        const double dx = std::stod(x), dy = std::stod(y);
        if (std::abs(dx - dy) <= 1e-12 * std::max(std::abs(dx), std::abs(dy))) continue;
      }
      out.push_back("row " + std::to_string(r) + " " + a.columns[c] + ": " + x + " vs " + y);
    }
  }
  return out;
}

// The dashboard reads the warehouse's marts (mart_dashboard_months, _cohorts, _customers) and the scores
// held in memory; each query's answer equals the same query computed from the facts and the published
// scores (NAME_from_facts.sql), cell for cell, with and without filters.
TEST_F(ScoredApiTest, TheMartsAnswerExactlyAsTheFactsDo) {
  // The dashboard's own sandbox: its SQL joins the scores it copies into memory per generation
  // (dashboard.clv_scores, dashboard.churn_scores), the _from_facts twins raw.clv_scores and raw.churn_scores.
  ASSERT_OK_AND_ASSIGN(auto session,
                       query::LakeSession::Open((*project_ / "lake").string(), serve::DashboardSandbox({})));
  using Params = std::vector<std::optional<std::string>>;
  ASSERT_OK_AND_ASSIGN(auto values, session->Run("SELECT (SELECT min(segment) FROM dim_customer), "
                                                 "(SELECT max(region) FROM dim_customer), "
                                                 "(SELECT min(plan) FROM dim_customer)"));
  const std::string segment = values.rows[0][0], region = values.rows[0][1], plan = values.rows[0][2];
  const std::vector<Params> filters = {
      {std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {segment, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {std::nullopt, region, plan, std::nullopt, std::nullopt},
      {segment, std::nullopt, std::nullopt, "2024-03-15", "2025-02-01"},
      {std::nullopt, std::nullopt, plan, "2025-06-01", std::nullopt},
      {std::nullopt, std::nullopt, std::nullopt, std::nullopt, "2023-12-31"},
      {"no such segment", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
  };
  for (const char* name : {"kpis", "churn_by_month", "cohort_retention", "clv_distribution", "usage_trend",
                           "tickets_vs_churn", "at_risk"}) {
    ASSERT_OK_AND_ASSIGN(const std::string mart_sql, serve::DashboardSql(name));
    ASSERT_OK_AND_ASSIGN(const std::string facts_sql, serve::DashboardSql(std::string(name) + "_from_facts"));
    ASSERT_TRUE(mart_sql.find("mart_dashboard_") != std::string::npos ||
                mart_sql.find("dashboard.customer_attributes") != std::string::npos)
        << name;
    ASSERT_EQ(facts_sql.find("mart_dashboard_"), std::string::npos) << name;
    if (std::set<std::string>{"kpis", "clv_distribution", "at_risk"}.count(name)) {
      ASSERT_NE(mart_sql.find("dashboard.clv_scores"), std::string::npos) << name;
      ASSERT_EQ(facts_sql.find("dashboard.clv_scores"), std::string::npos) << name;
    }
    size_t rows = 0;
    for (Params params : filters) {
      if (std::string(name) == "at_risk") params.push_back("9999");
      // As the server runs it: without a date range, the customers from dashboard.customer_attributes.
      ASSERT_OK_AND_ASSIGN(const std::string request_sql, serve::DashboardSqlFor(name, params));
      ASSERT_OK_AND_ASSIGN(auto mart, session->RunWithParams(request_sql, params));
      ASSERT_OK_AND_ASSIGN(auto facts, session->RunWithParams(facts_sql, params));
      const std::string what = std::string(name) + " with " + ::testing::PrintToString(params);
      EXPECT_EQ(DifferentCells(mart, facts), std::vector<std::string>{}) << what;
      rows += facts.rows.size();
    }
    EXPECT_GT(rows, 0u) << name;
  }
}

// The dashboard finds its customers in dashboard.customer_attributes (each customer's spans of months
// with unchanged segment, region and plan, with a bit per filter pattern marking one row per customer):
// for every pattern, every value of each filter (and one that matches nothing), and date ranges, both
// ways of reading it (filtered_customers, and filtered_customers_any_time without a date range) give
// the same customers, each once, as SELECT DISTINCT over mart_dashboard_customers' runs.
TEST_F(ScoredApiTest, TheCustomerAttributesSelectEachCustomerOnceAsTheRunsDo) {
  ASSERT_OK_AND_ASSIGN(auto session,
                       query::LakeSession::Open((*project_ / "lake").string(), serve::DashboardSandbox({})));
  ASSERT_OK_AND_ASSIGN(auto changed, session->Run("SELECT count(*) FROM (SELECT customer_id FROM dashboard.customer_attributes "
                                                  "GROUP BY customer_id HAVING count(*) > 1)"));
  EXPECT_GT(std::stoll(changed.rows[0][0]), 0) << "the demo should have customers whose attributes changed";
  std::vector<std::optional<std::string>> segments{std::nullopt, "no such value"}, regions{std::nullopt},
      plans{std::nullopt};
  for (auto [column, values] : {std::pair{"segment", &segments}, {"region", &regions}, {"plan", &plans}}) {
    ASSERT_OK_AND_ASSIGN(auto distinct, session->Run(std::string("SELECT DISTINCT ") + column +
                                                     " FROM mart_dashboard_customers ORDER BY 1"));
    ASSERT_FALSE(distinct.rows.empty()) << column;
    // Two values of each (the first and the last) keep the test to about a hundred combinations.
    for (const auto& row : {distinct.rows.front(), distinct.rows.back()}) values->push_back(row[0]);
  }
  ASSERT_OK_AND_ASSIGN(auto spans, session->Run("SELECT (SELECT count(*) FROM dashboard.customer_attributes), "
                                                "(SELECT count(*) FROM mart_dashboard_customers)"));
  EXPECT_LT(std::stoll(spans.rows[0][0]), std::stoll(spans.rows[0][1])) << "runs joined into spans";
  ASSERT_OK_AND_ASSIGN(const std::string runs_sql, serve::DashboardSql("filtered_customers_from_runs"));
  ASSERT_OK_AND_ASSIGN(const std::string spans_sql, serve::DashboardSql("filtered_customers"));
  ASSERT_OK_AND_ASSIGN(const std::string any_time_sql, serve::DashboardSql("filtered_customers_any_time"));
  const std::vector<std::pair<std::optional<std::string>, std::optional<std::string>>> ranges{
      {std::nullopt, std::nullopt}, {"2025-03-15", "2025-06-30"}, {std::nullopt, "2024-12-31"}};
  const std::string sorted = "SELECT customer_id FROM (", order = ") ORDER BY customer_id";
  size_t compared = 0;
  for (const auto& segment : segments)
    for (const auto& region : regions)
      for (const auto& plan : plans)
        for (const auto& [from, to] : ranges) {
          const std::vector<std::optional<std::string>> params{segment, region, plan, from, to};
          ASSERT_OK_AND_ASSIGN(auto runs, session->RunWithParams(sorted + runs_sql + order, params));
          ASSERT_OK_AND_ASSIGN(auto by_spans, session->RunWithParams(sorted + spans_sql + order, params));
          EXPECT_EQ(by_spans.rows, runs.rows) << ::testing::PrintToString(params);
          if (!from && !to) {
            ASSERT_OK_AND_ASSIGN(auto any_time, session->RunWithParams(sorted + any_time_sql + order, params));
            EXPECT_EQ(any_time.rows, runs.rows) << ::testing::PrintToString(params);
          }
          compared += runs.rows.size();
        }
  EXPECT_GT(compared, 0u);
}

// The warehouse's mart_dashboard_spans (built by `custlake build`) holds exactly the rows the dashboard's
// database computed from mart_dashboard_customers' runs when it opened before that mart existed
// (customer_spans_from_runs.sql, still the stand-in for older versions), and the in-memory copy the
// dashboard reads holds them too: every row and every bit of `firsts`.
TEST_F(ScoredApiTest, TheSpansMartHoldsExactlyWhatTheRunsGive) {
  ASSERT_OK_AND_ASSIGN(auto session,
                       query::LakeSession::Open((*project_ / "lake").string(), serve::DashboardSandbox({})));
  ASSERT_TRUE(session->HasView("mart_dashboard_spans")) << "the build should have made the mart, not the stand-in";
  ASSERT_OK_AND_ASSIGN(const std::string runs_sql, serve::DashboardSql("customer_spans_from_runs"));
  const std::string columns = "customer_id, segment, region, plan, first_month, last_month, firsts";
  const std::string order = " ORDER BY customer_id, segment, region, plan, first_month";
  ASSERT_OK_AND_ASSIGN(auto mart, session->Run("SELECT " + columns + " FROM mart_dashboard_spans" + order));
  ASSERT_OK_AND_ASSIGN(auto runs, session->Run("SELECT " + columns + " FROM (" + runs_sql + ")" + order));
  ASSERT_OK_AND_ASSIGN(auto copy,
                       session->Run("SELECT " + columns + " FROM dashboard.customer_attributes" + order));
  ASSERT_GT(runs.rows.size(), 0u);
  EXPECT_EQ(mart.rows.size(), runs.rows.size());
  EXPECT_EQ(mart.rows, runs.rows);
  EXPECT_EQ(copy.rows, runs.rows);
  // Not a table of one row per customer: some customers changed attributes, so the bits matter.
  ASSERT_OK_AND_ASSIGN(auto customers, session->Run("SELECT count(DISTINCT customer_id) FROM mart_dashboard_spans"));
  EXPECT_LT(std::stoll(customers.rows[0][0]), static_cast<long long>(mart.rows.size()));
}

// dashboard.customer_values (the KPIs' CLV figures summed per generation for requests without a date
// range) holds, per group of attributes and filter-pattern bits, the sums over the customers' spans of
// that group joined to the published scores as kpis_from_facts.sql joins them (the text customer of
// raw.clv_scores, raw.churn_scores): every group, every sum.
TEST_F(ScoredApiTest, TheCustomerValuesSumEachGroupsScoresAsTheFactsJoinThem) {
  ASSERT_OK_AND_ASSIGN(auto session,
                       query::LakeSession::Open((*project_ / "lake").string(), serve::DashboardSandbox({})));
  const std::string keys = "segment, region, plan, firsts";
  ASSERT_OK_AND_ASSIGN(auto table, session->Run("SELECT " + keys + ", clv_count, clv_sum, value_at_risk "
                                                "FROM dashboard.customer_values ORDER BY " + keys));
  ASSERT_OK_AND_ASSIGN(
      auto expected,
      session->Run("SELECT a.segment, a.region, a.plan, CAST(a.firsts AS UTINYINT) AS firsts, "
                   "count(v.clv_12m) AS clv_count, sum(v.clv_12m) AS clv_sum, "
                   "sum(v.clv_12m * s.churn_probability) AS value_at_risk "
                   "FROM mart_dashboard_spans a "
                   "JOIN raw.clv_scores v ON v.customer = CAST(a.customer_id AS VARCHAR) "
                   "LEFT JOIN raw.churn_scores s ON s.customer_id = a.customer_id "
                   "WHERE a.firsts <> 0 GROUP BY ALL ORDER BY " + keys));
  ASSERT_GT(expected.rows.size(), 8u);
  EXPECT_EQ(DifferentCells(table, expected), std::vector<std::string>{});
}

TEST_F(ScoredApiTest, AtRiskListsCustomersByValueAtRiskWithReasons) {
  nlohmann::json risk = Get("/api/at-risk?limit=5");
  ASSERT_EQ(risk["rows"].size(), 5u);
  double previous = 1e300;
  for (const auto& row : risk["rows"]) {
    const double var = row["value_at_risk"].get<double>();
    EXPECT_LE(var, previous);
    previous = var;
    EXPECT_NEAR(var, row["clv"].get<double>() * row["p_churn"].get<double>(), 1e-6);
    EXPECT_FALSE(row["reasons"].empty());
    EXPECT_TRUE(row["name"].is_string());
  }
  EXPECT_EQ(Get("/api/at-risk?limit=5&segment=enterprise")["rows"][0]["segment"], "enterprise");
  Get("/api/at-risk?limit=ten", 400);
}

TEST_F(ScoredApiTest, DrilldownGivesTheRowsBehindAKpiWithTheirLineage) {
  nlohmann::json revenue = Get("/api/drilldown?metric=revenue&from=2025-12-01&to=2025-12-31");
  std::set<std::string> columns;
  for (const auto& c : revenue["columns"]) columns.insert(c["name"].get<std::string>());
  EXPECT_TRUE(columns.count("_source_table") && columns.count("_source_key")) << revenue["columns"];
  ASSERT_FALSE(revenue["rows"].empty());
  EXPECT_FALSE(revenue["rows"][0][1].get<std::string>().empty()) << "timestamps render: " << revenue["rows"][0];
  nlohmann::json active = Get("/api/drilldown?metric=active_customers");
  EXPECT_EQ(active["rows"].size(), Get("/api/dashboard")["kpis"]["active_customers"].get<size_t>());
  Get("/api/drilldown?metric=drop_table", 400);
}

TEST_F(ScoredApiTest, RevenueRowsNameTheirSourceDatabaseTableAndKey) {
  nlohmann::json revenue = Get("/api/drilldown?metric=revenue&from=2025-12-01&to=2025-12-31");
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < revenue["columns"].size(); i++) at[revenue["columns"][i]["name"].get<std::string>()] = i;
  ASSERT_TRUE(at.count("_source") && at.count("_source_table") && at.count("_source_key") && at.count("_source_batch"));
  ASSERT_FALSE(revenue["rows"].empty());
  for (const auto& row : revenue["rows"]) {
    EXPECT_TRUE(row[at["_source"]].get<std::string>().ends_with("sic.db")) << row;
    EXPECT_EQ(row[at["_source_table"]], "transactions") << "the imported table, not the staging model: " << row;
    EXPECT_TRUE(row[at["_source_key"]].get<std::string>().starts_with("transaction_id = ")) << row;
  }
}

TEST_F(ScoredApiTest, RetentionServesThePlanTheDemoPublished) {
  nlohmann::json plan = Get("/api/retention?limit=5");
  ASSERT_TRUE(plan["summary"].is_object()) << plan;
  EXPECT_TRUE(plan["missing"].is_null() || plan["missing"].empty()) << plan["missing"];
  const auto& summary = plan["summary"];
  const int64_t targeted = summary["targeted"].get<int64_t>();
  EXPECT_GT(targeted, 0) << summary;
  EXPECT_LE(targeted, summary["budget"].get<int64_t>());
  EXPECT_LE(summary["saved_value_low"].get<double>(), summary["expected_saved_value"].get<double>());
  EXPECT_GE(summary["saved_value_high"].get<double>(), summary["expected_saved_value"].get<double>());
  ASSERT_EQ(plan["rows"].size(), static_cast<size_t>(std::min<int64_t>(targeted, 5)));
  double previous = std::numeric_limits<double>::infinity();
  for (const auto& row : plan["rows"]) {  // best first, by expected saved value
    EXPECT_LE(row["expected_saved_value"].get<double>(), previous) << row;
    previous = row["expected_saved_value"].get<double>();
  }
  nlohmann::json count = Query({{"sql", "SELECT count(*) AS n FROM raw.retention_plan"}});
  EXPECT_EQ(count["rows"][0][0].get<int64_t>(), targeted) << count;
  EXPECT_NE(Get("/api/retention?limit=ten", 400)["error"].get<std::string>().find("limit=ten"), std::string::npos);
}

TEST_F(ScoredApiTest, InfluencersSayHowMuchMoreLikelyAGroupChurns) {
  nlohmann::json influencers = Get("/api/influencers");
  ASSERT_FALSE(influencers["factors"].empty());
  const auto& top = influencers["factors"][0];
  EXPECT_GT(top["ratio"].get<double>(), 1.2);
  EXPECT_NE(top["text"].get<std::string>().find("× as likely to churn"), std::string::npos) << top;
  EXPECT_FALSE(influencers["model_reasons"].empty());
}

TEST_F(ScoredApiTest, Customer360HasVersionsTimelineAndScores) {
  const int64_t id = Get("/api/at-risk?limit=1")["rows"][0]["customer_id"].get<int64_t>();
  nlohmann::json customer = Get("/api/customer/" + std::to_string(id));
  EXPECT_EQ(customer["attributes"]["customer_id"], id);
  EXPECT_FALSE(customer["versions"].empty());
  EXPECT_FALSE(customer["timeline"].empty());
  std::set<std::string> kinds;
  for (const auto& event : customer["timeline"]) kinds.insert(event["kind"].get<std::string>());
  EXPECT_TRUE(kinds.count("transaction")) << customer["timeline"][0];
  for (const auto& event : customer["timeline"]) {  // each event traced to its source, not a staging model
    ASSERT_TRUE(event["_source"].is_string()) << event;
    const std::string key = event["_source_key"].get<std::string>();
    if (event["kind"] == "transaction") {
      EXPECT_EQ(event["_source_table"], "transactions") << event;
      EXPECT_TRUE(key.starts_with("transaction_id = ")) << event;
    } else if (event["kind"] == "usage") {
      EXPECT_TRUE(event["_source"].get<std::string>().ends_with("usage (ndjson)")) << event;
      EXPECT_TRUE(event["_source_table"].is_null()) << event;
      EXPECT_TRUE(key.starts_with("event_id = ")) << event;
    }
  }
  // Usage events and tickets also name the landing file and line the raw zone kept, and that line is
  // the record: it holds the event's or the ticket's id.
  std::map<std::string, int> traced_to_a_line;
  for (const auto& event : customer["timeline"]) {
    const std::string kind = event["kind"].get<std::string>();
    if (kind != "usage" && kind != "ticket") {
      EXPECT_TRUE(event["_source_file"].is_null()) << event;
      continue;
    }
    ASSERT_TRUE(event["_source_file"].is_string()) << event;
    ASSERT_TRUE(event["_source_line"].is_number_integer()) << event;
    const std::string file = event["_source_file"].get<std::string>();
    EXPECT_NE(file.find(kind == "usage" ? "/landing/usage/" : "/landing/tickets/"), std::string::npos) << event;
    std::ifstream in(file);
    ASSERT_TRUE(in) << file;
    std::string line;
    for (int64_t n = event["_source_line"].get<int64_t>(); n > 0 && std::getline(in, line); n--) {
    }
    const std::string key = event["_source_key"].get<std::string>();
    const std::string record_id = key.substr(key.find(" = ") + 3);
    const std::string expected = kind == "usage" ? "\"event_id\":\"" + record_id + "\"" : "\"ticket_id\":" + record_id + ",";
    EXPECT_NE(line.find(expected), std::string::npos) << event << "\nline: " << line;
    traced_to_a_line[kind]++;
  }
  EXPECT_GT(traced_to_a_line["usage"], 0);
  EXPECT_TRUE(customer["churn"]["p_churn"].is_number());
  EXPECT_FALSE(customer["churn"]["reasons"].empty());
  EXPECT_TRUE(customer["clv"]["p_alive"].is_number());
  EXPECT_NE(Get("/api/customer/987654", 404)["error"].get<std::string>().find("987654"), std::string::npos);
  Get("/api/customer/1;DROP", 400);
}

TEST_F(ScoredApiTest, CatalogAndTableDescribeEveryTable) {
  nlohmann::json catalog = Get("/api/catalog");
  std::map<std::string, nlohmann::json> tables;
  for (const auto& t : catalog["tables"]) tables[t["schema"].get<std::string>() + "." + t["name"].get<std::string>()] = t;
  ASSERT_TRUE(tables.count("warehouse.dim_customer") && tables.count("raw.usage") && tables.count("quarantine.usage"));
  const auto& dim = tables["warehouse.dim_customer"];
  EXPECT_GT(dim["rows"].get<int64_t>(), 300);
  EXPECT_NE(dim["description"].get<std::string>().find("slowly changing"), std::string::npos);
  bool described = false;
  for (const auto& c : dim["columns"]) described = described || (c["name"] == "segment" && !c["description"].get<std::string>().empty());
  EXPECT_TRUE(described);

  nlohmann::json table = Get("/api/table/warehouse.dim_customer");
  EXPECT_EQ(table["sample"]["rows"].size(), 20u);
  bool has_stats = false;
  for (const auto& s : table["stats"]) has_stats = has_stats || (s["column"] == "customer_id" && s["nulls"] == 0);
  EXPECT_TRUE(has_stats) << table["stats"];
  Get("/api/table/raw.usage");
  Get("/api/table/main.pg_settings", 404);
  Get("/api/table/warehouse.dim_customer%22%3B", 404);
}

TEST_F(ScoredApiTest, LineageRunsFromSourcesThroughRawAndStagingToModels) {
  nlohmann::json lineage = Get("/api/lineage");
  std::map<std::string, std::string> kinds;
  for (const auto& n : lineage["nodes"]) kinds[n["id"].get<std::string>()] = n["kind"].get<std::string>();
  std::set<std::pair<std::string, std::string>> edges;
  for (const auto& e : lineage["edges"]) edges.insert({e["from"].get<std::string>(), e["to"].get<std::string>()});
  EXPECT_EQ(kinds["raw.usage"], "raw");
  EXPECT_EQ(kinds["stg_usage"], "staging");
  EXPECT_EQ(kinds["fact_customer_activity"], "model");
  EXPECT_TRUE(edges.count({"raw.usage", "stg_usage"}));
  EXPECT_TRUE(edges.count({"dim_customer", "fact_customer_metrics"}));
  bool source_to_raw = false;
  for (const auto& [from, to] : edges) source_to_raw = source_to_raw || (kinds[from] == "source" && to == "raw.usage");
  EXPECT_TRUE(source_to_raw);
  for (const auto& [from, to] : edges) EXPECT_TRUE(kinds.count(from) && kinds.count(to)) << from << " -> " << to;
}

TEST_F(ScoredApiTest, PipelineShowsRunsBatchesQuarantineChecksAndFreshness) {
  nlohmann::json pipeline = Get("/api/pipeline");
  EXPECT_FALSE(pipeline["runs"].empty());
  EXPECT_FALSE(pipeline["batches"].empty());
  EXPECT_FALSE(pipeline["checks"].empty());
  EXPECT_FALSE(pipeline["freshness"].empty());
  ASSERT_FALSE(pipeline["quarantine"].empty());
  const auto& q = pipeline["quarantine"][0];
  EXPECT_GT(q["count"].get<int64_t>(), 0);
  EXPECT_FALSE(q["samples"].empty()) << q;
}

TEST_F(ScoredApiTest, UnknownApiPathsAreJson404AndTheRootServesThePage) {
  EXPECT_NE(Get("/api/no-such-thing", 404)["error"].get<std::string>().find("/api/no-such-thing"), std::string::npos);
  auto root = client_->Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->get_header_value("Content-Type").rfind("text/html", 0), 0u);
  if (serve::WebAssets().empty()) {
    EXPECT_NE(root->body.find("built without the web front end"), std::string::npos) << root->body;
  } else {
    auto page = client_->Get("/customer/42");  // a route of the single-page app: index.html
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->body, root->body);
  }
}

/// A lake with a warehouse but no churn or CLV scores yet.
class BareApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir("custlake_http_bare");
    ASSERT_TRUE(MakeBareProject(dir_->path()));
  }
  static void TearDownTestSuite() { delete dir_; }
  static ScratchDir* dir_;
};
ScratchDir* BareApiTest::dir_ = nullptr;

/// `fetch()`'s answer once `done` holds for it: the server opens a new lake generation off the request
/// path and answers from the previous one until it is open, so a test that publishes one waits for the
/// switch (up to two minutes; then the last answer, which the test's expectations then show).
nlohmann::json Until(const std::function<nlohmann::json()>& fetch, const std::function<bool(const nlohmann::json&)>& done) {
  nlohmann::json answer = fetch();
  for (int i = 0; i < 1200 && !done(answer); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    answer = fetch();
  }
  return answer;
}

TEST_F(BareApiTest, BeforeChurnAndClvTheDashboardSaysWhatToRunAndPicksUpNewScoresAndVersions) {
  TestHttpServer server((dir_->path() / "bare" / "lake").string());
  auto client = server.Client();
  nlohmann::json before = Json(client->Get("/api/dashboard"));
  ASSERT_TRUE(before.is_object()) << before;
  EXPECT_TRUE(before["kpis"]["avg_clv"].is_null());
  EXPECT_TRUE(before["kpis"]["value_at_risk"].is_null());
  EXPECT_TRUE(before["kpis"]["revenue"].is_string());
  EXPECT_TRUE(before["clv_distribution"].is_null());
  std::set<std::string> missing;
  for (const auto& m : before["missing"]) missing.insert(m["what"].get<std::string>());
  EXPECT_EQ(missing, (std::set<std::string>{"churn", "clv"}));
  nlohmann::json risk = Json(client->Get("/api/at-risk"));
  EXPECT_EQ(risk["rows"], nlohmann::json::array());
  EXPECT_EQ(risk["missing"].size(), 2u);
  auto customer = Json(client->Get("/api/customer/1"));
  EXPECT_TRUE(customer["churn"].is_null());
  EXPECT_TRUE(customer["clv"].is_null());
  const int64_t version = Json(client->Get("/healthz"))["warehouse_version"].get<int64_t>();
  // A pool of the server's kind beside it, to see the switch happen.
  serve::SessionPool pool((dir_->path() / "bare" / "lake").string(), serve::DashboardSandbox({}), 2);
  ASSERT_OK_AND_ASSIGN(const int64_t first, pool.Generation());
  {
    ASSERT_OK_AND_ASSIGN(auto lease, pool.Acquire());
    EXPECT_EQ(lease.generation(), first);
  }

  // CLV scores published while serving: the server opens the new generation off the request path and
  // answers from it once open, no restart.
  const std::string project = (dir_->path() / "bare").string();
  ASSERT_TRUE(Custlake(dir_->path(), {"-C", project, "clv", "fit"}));
  ASSERT_OK_AND_ASSIGN(const int64_t scored, pool.Generation());
  EXPECT_GT(scored, first);
  {  // the pool still answers from the generation it serves while the new one opens...
    ASSERT_OK_AND_ASSIGN(auto lease, pool.Acquire());
    EXPECT_EQ(lease.generation(), first);
  }
  ASSERT_OK(pool.Prepare());  // ... and from the new one once it is open
  {
    ASSERT_OK_AND_ASSIGN(auto lease, pool.Acquire());
    EXPECT_EQ(lease.generation(), scored);
    ASSERT_OK_AND_ASSIGN(auto clv, lease->Run("SELECT count(*) FROM dashboard.clv_scores"));
    EXPECT_GT(std::stoll(clv.rows[0][0]), 0);
  }
  nlohmann::json after = Until([&] { return Json(client->Get("/api/dashboard")); },
                               [](const nlohmann::json& a) { return a["kpis"]["avg_clv"].is_number(); });
  EXPECT_TRUE(after["kpis"]["avg_clv"].is_number()) << after["kpis"];
  EXPECT_EQ(after["missing"].size(), 1u);
  EXPECT_EQ(after["missing"][0]["what"], "churn");

  // A new warehouse version published while serving is picked up too.
  ASSERT_TRUE(Custlake(dir_->path(), {"-C", project, "build", "--full"}));
  const int64_t rebuilt = Json(client->Get("/healthz"))["warehouse_version"].get<int64_t>();
  EXPECT_GT(rebuilt, version);
  const auto is_rebuilt = [&](const nlohmann::json& a) { return a["warehouse_version"] == rebuilt; };
  EXPECT_EQ(Until([&] { return Json(client->Get("/api/dashboard")); }, is_rebuilt)["warehouse_version"], rebuilt);
  EXPECT_EQ(Until([&] { return Json(PostJson(*client, "/api/query", {{"sql", "SELECT 1"}})); },
                  is_rebuilt)["warehouse_version"],
            rebuilt);
}

TEST_F(BareApiTest, RetentionSaysWhatToRunBeforeAPlanIsPublished) {
  TestHttpServer server((dir_->path() / "bare" / "lake").string());
  auto client = server.Client();
  nlohmann::json plan = Json(client->Get("/api/retention"));
  ASSERT_TRUE(plan.is_object()) << plan;
  EXPECT_TRUE(plan["summary"].is_null());
  EXPECT_TRUE(plan["rows"].empty());
  ASSERT_EQ(plan["missing"].size(), 1u);
  EXPECT_EQ(plan["missing"][0]["what"], "retention");
  EXPECT_NE(plan["missing"][0]["run"].get<std::string>().find("custlake retention plan"), std::string::npos);
  EXPECT_TRUE(plan["warehouse_version"].is_number());
}

TEST_F(BareApiTest, OnLoopbackNoLoginIsNeededButEveryPostCarriesTheCsrfToken) {
  TestHttpServer server((dir_->path() / "bare" / "lake").string());
  auto bare = server.BareClient();
  auto me = bare->Get("/api/me");
  ASSERT_TRUE(me);
  nlohmann::json who = Json(me);
  EXPECT_TRUE(who["user"].is_null());
  EXPECT_EQ(who["auth_required"], false);
  EXPECT_EQ(who["csrf"].get<std::string>().size(), 64u);
  const std::string cookie = me->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_EQ(bare->Get("/api/filters")->status, 200) << "GETs need no session on loopback";

  auto no_token = PostJson(*bare, "/api/query", {{"sql", "SELECT 1"}});
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403) << no_token->body;
  httplib::Headers wrong{{"Cookie", SessionCookie(me)}, {"X-CSRF-Token", std::string(64, '0')}};
  auto wrong_token = bare->Post("/api/query", wrong, R"({"sql": "SELECT 1"})", "application/json");
  ASSERT_TRUE(wrong_token);
  EXPECT_EQ(wrong_token->status, 403);
  httplib::Headers right{{"Cookie", SessionCookie(me)}, {"X-CSRF-Token", who["csrf"].get<std::string>()}};
  auto ok = bare->Post("/api/query", right, R"({"sql": "SELECT 1"})", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_F(BareApiTest, BeyondLoopbackUsersMustLogInAndFailedLoginsAreRateLimited) {
  const std::string lake = (dir_->path() / "bare" / "lake").string();
  {
    TestHttpServer refused(lake, 1000, 4000, "0.0.0.0");
    EXPECT_FALSE(refused.serving());
    EXPECT_NE(refused.bind_status().message().find("custlake user add"), std::string::npos)
        << refused.bind_status().message();
  }
  ASSERT_TRUE(auth::UserStore::AddUser(lake, "analyst", "correct horse", 4096).ok());
  TestHttpServer server(lake, 1000, 4000, "0.0.0.0");
  ASSERT_TRUE(server.serving()) << server.bind_status().message();
  auto client = server.BareClient();
  EXPECT_EQ(client->Get("/api/dashboard")->status, 401);
  EXPECT_EQ(client->Get("/healthz")->status, 200) << "health checks need no login";
  auto me = client->Get("/api/me");
  ASSERT_TRUE(me);
  EXPECT_EQ(Json(me)["auth_required"], true);
  httplib::Headers session{{"Cookie", SessionCookie(me)}, {"X-CSRF-Token", Json(me)["csrf"].get<std::string>()}};
  EXPECT_EQ(client->Get("/api/dashboard", session)->status, 401) << "a session that has not logged in";
  auto no_csrf = PostJson(*client, "/api/login", {{"user", "analyst"}, {"password", "correct horse"}});
  EXPECT_EQ(no_csrf->status, 403);

  auto login = client->Post("/api/login", session, R"({"user": "analyst", "password": "correct horse"})",
                            "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  EXPECT_EQ(Json(login)["user"], "analyst");
  httplib::Headers logged_in{{"Cookie", SessionCookie(login)}, {"X-CSRF-Token", Json(login)["csrf"].get<std::string>()}};
  EXPECT_EQ(client->Get("/api/filters", logged_in)->status, 200);
  EXPECT_EQ(client->Get("/api/filters", session)->status, 401) << "the pre-login session ended";
  EXPECT_EQ(client->Post("/api/query", logged_in, R"({"sql": "SELECT 1"})", "application/json")->status, 200);
  EXPECT_EQ(client->Post("/api/logout", logged_in, "{}", "application/json")->status, 200);
  EXPECT_EQ(client->Get("/api/filters", logged_in)->status, 401);

  // Failed logins: five get 401, then even the right password waits (429).
  auto fresh = client->Get("/api/me");
  httplib::Headers anonymous{{"Cookie", SessionCookie(fresh)}, {"X-CSRF-Token", Json(fresh)["csrf"].get<std::string>()}};
  for (int i = 0; i < serve::WebAuth::kMaxFailures; i++) {
    auto wrong = client->Post("/api/login", anonymous, R"({"user": "analyst", "password": "guess"})", "application/json");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401) << i;
  }
  auto limited = client->Post("/api/login", anonymous, R"({"user": "analyst", "password": "correct horse"})",
                              "application/json");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429) << limited->body;
  EXPECT_FALSE(limited->get_header_value("Retry-After").empty());
}

}  // namespace
}  // namespace custlake::testing
