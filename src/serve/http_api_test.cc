// Unit tests of the HTTP API's pure helpers: error positions, JSON values,
// listen addresses, the embedded dashboard SQL and the dashboard's answer cache.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "serve/dashboard_sql.h"
#include "serve/http_api.h"
#include "serve/http_server.h"

namespace custlake::serve {
namespace {

TEST(ErrorPosition, PointsAtTheCaretOfDuckDbsMessage) {
  const std::string sql = "SELECT 1 FRM dim_customer";
  const std::string message =
      "Parser Error: syntax error at or near \"dim_customer\"\n\nLINE 1: SELECT 1 FRM dim_customer\n"
      "                     ^";
  ASSERT_TRUE(ErrorPosition(sql, message).has_value());
  EXPECT_EQ(*ErrorPosition(sql, message), 13);
  EXPECT_EQ(sql.substr(13, 12), "dim_customer");
}

TEST(ErrorPosition, CountsEarlierLinesAndNoneWithoutACaret) {
  const std::string sql = "SELECT 1,\n  nosuch FROM t";
  const std::string message = "Binder Error: no column\n\nLINE 2:   nosuch FROM t\n          ^";
  ASSERT_TRUE(ErrorPosition(sql, message).has_value());
  EXPECT_EQ(sql.substr(static_cast<size_t>(*ErrorPosition(sql, message)), 6), "nosuch");
  EXPECT_FALSE(ErrorPosition(sql, "Catalog Error: Table with name t does not exist!").has_value());
}

TEST(ResultJson, KeepsNumbersExactForJavaScript) {
  engine::QueryResult r;
  r.columns = {"small", "big", "money", "name"};
  r.types = {"BIGINT", "BIGINT", "DECIMAL(18,2)", "VARCHAR"};
  r.kinds = {engine::ValueKind::kInteger, engine::ValueKind::kInteger, engine::ValueKind::kFloat,
             engine::ValueKind::kText};
  r.rows = {{"42", "9007199254740993", "12.30", "x"}, {"", "", "", ""}};
  r.nulls = {{false, false, false, false}, {true, true, true, true}};
  nlohmann::json j = ResultJson(r);
  EXPECT_EQ(j["columns"][2], (nlohmann::json{{"name", "money"}, {"type", "DECIMAL(18,2)"}}));
  EXPECT_EQ(j["rows"][0], (nlohmann::json{42, "9007199254740993", "12.30", "x"}));
  EXPECT_EQ(j["rows"][1], (nlohmann::json{nullptr, nullptr, nullptr, nullptr}));
  EXPECT_EQ(ResultJson(r, 1, 5)["rows"].size(), 1u);
}

TEST(ParseHttpAddress, TakesHostAndPortAndRefusesGarbage) {
  HttpOptions options;
  ASSERT_TRUE(ParseHttpAddress("0.0.0.0:9000", &options).ok());
  EXPECT_EQ(options.host, "0.0.0.0");
  EXPECT_EQ(options.port, 9000);
  ASSERT_TRUE(ParseHttpAddress("127.0.0.1:0", &options).ok());
  EXPECT_EQ(options.port, 0);
  Status bad = ParseHttpAddress("127.0.0.1:http", &options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("--http: expected ADDRESS:PORT"), std::string::npos) << bad.message();
}

TEST(DashboardSql, ExpandsItsMarkersIntoEveryQuery) {
  for (const auto& [name, text] : DashboardSqlFiles()) {
    auto sql = DashboardSql(name);
    ASSERT_TRUE(sql.ok()) << name;
    // The partitions Customer 360 reads are written in per request (http_api_explore.cc).
    std::string rest = *sql;
    for (const std::string marker : {"{{usage_days}}", "{{ticket_days}}"}) {
      for (size_t at = rest.find(marker); name == "customer_source_lines" && at != std::string::npos;
           at = rest.find(marker)) {
        rest.erase(at, marker.size());
      }
    }
    EXPECT_EQ(rest.find("{{"), std::string::npos) << name;
  }
  auto kpis = DashboardSql("kpis");
  ASSERT_TRUE(kpis.ok());
  EXPECT_NE(kpis->find("FROM mart_dashboard_months"), std::string::npos);
  EXPECT_NE(kpis->find("FROM dashboard.customer_attributes"), std::string::npos);
  // DashboardSqlFor: a request without a date range reads the customers with no DISTINCT.
  const std::vector<std::optional<std::string>> any_time(5), dated{std::nullopt, std::nullopt, std::nullopt,
                                                                   "2025-01-01", std::nullopt};
  auto kpis_any_time = DashboardSqlFor("kpis", any_time), kpis_dated = DashboardSqlFor("kpis", dated);
  ASSERT_TRUE(kpis_any_time.ok() && kpis_dated.ok());
  EXPECT_EQ(kpis_any_time->find("SELECT DISTINCT customer_id"), std::string::npos);
  EXPECT_NE(kpis_any_time->find("firsts"), std::string::npos);
  // ... and the KPIs' CLV figures from the per-generation sums (kpis_any_time.sql).
  EXPECT_NE(kpis_any_time->find("FROM dashboard.customer_values"), std::string::npos);
  EXPECT_EQ(kpis->find("dashboard.customer_values"), std::string::npos);
  auto clv_any_time = DashboardSqlFor("clv_distribution", any_time);
  ASSERT_TRUE(clv_any_time.ok());
  EXPECT_NE(clv_any_time->find("FROM dashboard.customer_attributes"), std::string::npos);
  EXPECT_EQ(*kpis_dated, *kpis);
  auto from_facts = DashboardSql("kpis_from_facts");
  ASSERT_TRUE(from_facts.ok());
  EXPECT_NE(from_facts->find("FROM fact_customer_metrics m"), std::string::npos);
  EXPECT_FALSE(DashboardSql("no_such_query").ok());
}

TEST(ResponseCache, ComputesAnAnswerOnceForTheCallersAskingWhileItRuns) {
  ResponseCache cache;
  std::atomic<int> computed{0};
  std::atomic<bool> follower_computed{false};
  CachedReply follower_reply;
  std::thread follower;
  const CachedReply leader_reply = cache.GetOrCompute(7, "dashboard", [&] {
    computed++;
    // A second caller asks for the same answer while this one computes it.
    follower = std::thread([&] {
      follower_reply = cache.GetOrCompute(7, "dashboard", [&] {
        computed++;
        follower_computed = true;
        return CachedReply{200, {{"by", "follower"}}, 7};
      });
    });
    // Answer once it waits (or, were there no single-flight, once it has computed its own).
    while (cache.Waiting() == 0 && !follower_computed) std::this_thread::yield();
    return CachedReply{200, {{"by", "leader"}}, 7};
  });
  follower.join();
  EXPECT_EQ(computed, 1);
  EXPECT_EQ(leader_reply.body, (nlohmann::json{{"by", "leader"}}));
  EXPECT_EQ(follower_reply.body, leader_reply.body);
  EXPECT_EQ(follower_reply.status, 200);
  // Kept for its generation: asked again, nothing is computed.
  const CachedReply again = cache.GetOrCompute(7, "dashboard", [&] {
    computed++;
    return CachedReply{200, {{"by", "again"}}, 7};
  });
  EXPECT_EQ(again.body, leader_reply.body);
  EXPECT_EQ(computed, 1);
  EXPECT_EQ(cache.Waiting(), 0u);
}

TEST(ResponseCache, KeepsNoErrorsAndNothingAcrossGenerations) {
  ResponseCache cache;
  int computed = 0;
  auto failing = [&] {
    computed++;
    return CachedReply{503, {{"error", "no warehouse version is published yet"}}, 3};
  };
  EXPECT_EQ(cache.GetOrCompute(3, "filters", failing).status, 503);
  EXPECT_EQ(cache.GetOrCompute(3, "filters", failing).status, 503);
  EXPECT_EQ(computed, 2);  // an error is computed again at the next request
  auto answer = [&] {
    computed++;
    return CachedReply{200, {{"generation", computed}}, 4};
  };
  EXPECT_EQ(cache.GetOrCompute(4, "filters", answer).body["generation"], 3);
  EXPECT_EQ(cache.GetOrCompute(4, "filters", answer).body["generation"], 3);
  EXPECT_EQ(cache.GetOrCompute(5, "filters", answer).body["generation"], 4);  // a new generation computes anew
}

}  // namespace
}  // namespace custlake::serve
