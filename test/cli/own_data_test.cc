// A company's own data through the warehouse: a SQLite database and a landing
// folder whose source, dataset, table and column names and types differ from
// the demo's, mapped onto the
// data contract by edited staging models (models/staging/*.sql in the
// project), then built, checked, reconciled with the source, built again
// incrementally; plus the errors of the staging contract, each with its message.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shop_project.h"

namespace {
namespace fs = std::filesystem;

using Outcome = custlake::testing::CliOutcome;
using custlake::testing::shop::kMart;

class OwnDataTest : public custlake::testing::ShopProject {};

TEST_F(OwnDataTest, InitWritesTheStagingModelsOfTheDemo) {
  fs::path fresh = dir_ / "fresh";
  ASSERT_EQ(Custlake({"init", fresh.string()}).exit_code, 0);
  for (const char* name : {"stg_customers", "stg_transactions", "stg_offers", "stg_offer_assignments",
                           "stg_usage", "stg_tickets"}) {
    std::string text =
        custlake::testing::ReadWholeFile(fresh / "models" / "staging" / (std::string(name) + ".sql"));
    EXPECT_NE(text.find("-- materialized: view"), std::string::npos) << name;
  }
  EXPECT_NE(custlake::testing::ReadWholeFile(fresh / "models" / "staging" / "stg_customers.sql")
                .find("raw.sic_customers"),
            std::string::npos);
}

TEST_F(OwnDataTest, StagingModelsMapTheShopOntoTheStarSchemaAndIncrementalBuildsFollowIt) {
  Write(dir_ / "models" / "marts" / "mart_client_revenue.sql", kMart);
  Load();
  Outcome build = Custlake({"--json", "build"});
  ASSERT_EQ(build.exit_code, 0) << build.err;
  nlohmann::json j = build.Json();
  EXPECT_EQ(j["checks"]["failed"], 0) << build.out;
  EXPECT_TRUE(j["warnings"].empty()) << build.out;
  EXPECT_NE(build.err.find("project model stg_customers"), std::string::npos) << build.err;
  EXPECT_NE(build.err.find("overrides the built-in one"), std::string::npos) << build.err;
  EXPECT_NE(build.err.find("project models: mart_client_revenue"), std::string::npos) << build.err;
  ExpectCountsMatchTheSource(3, 5, "143.48", 4);
  // The project's own model: built in the same version, checked, listed by docs.
  EXPECT_EQ(Query("SELECT sum(revenue) FROM mart_client_revenue"), "143.48");
  Outcome check = Custlake({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("mart_client_revenue"), std::string::npos) << check.out;
  ASSERT_EQ(Custlake({"docs"}).exit_code, 0);
  std::string dictionary = custlake::testing::ReadWholeFile(dir_ / "docs" / "data_dictionary.md");
  EXPECT_NE(dictionary.find("mart_client_revenue"), std::string::npos);
  EXPECT_NE(dictionary.find("stg_usage -> fact_customer_activity"), std::string::npos);

  // New orders and events in the shop, a changed client: the next build is incremental.
  Sql("INSERT INTO orders VALUES (106, 3, '2025-03-01 09:00:00', 9900, 'subscription', 'invoice', NULL);"
      "INSERT INTO clients VALUES (4, 'Di', 'Eze', 'di@example.com', 'Bonn', 'consumer', 'basic', 9.99, "
      "'2025-03-05', NULL, '2025-03-05 12:00:00');"
      "INSERT INTO orders VALUES (107, 4, '2025-03-05 12:05:00', 999, 'subscription', 'card', NULL);");
  Write(
      dir_ / "landing" / "clicks" / "day2.ndjson",
      "{\"click_id\": 5, \"uid\": 3, \"clicked_at\": \"2025-03-02T10:00:00Z\", \"kind\": \"session_start\", "
      "\"screen\": \"home\", \"secs\": 0, \"kb\": 4}\n");
  Load();
  Outcome again = Custlake({"--json", "build"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(again.Json()["incremental"].get<bool>()) << again.out;
  EXPECT_EQ(again.Json()["checks"]["failed"], 0) << again.out;
  ExpectCountsMatchTheSource(4, 7, "252.47", 5);
  std::string incremental = Query(
      "SELECT md5(string_agg(CAST(f AS VARCHAR), '|' ORDER BY activity_type, source_id)) FROM "
      "fact_customer_activity f");
  ASSERT_EQ(Custlake({"build", "--full"}).exit_code, 0);
  EXPECT_EQ(Query("SELECT md5(string_agg(CAST(f AS VARCHAR), '|' ORDER BY activity_type, source_id)) FROM "
                  "fact_customer_activity f"),
            incremental);
  ExpectCountsMatchTheSource(4, 7, "252.47", 5);
}

TEST_F(OwnDataTest, AStagingModelMissingAContractColumnIsAnErrorNamingIt) {
  Load();
  Stage("stg_usage",
        "SELECT CAST(event_no AS VARCHAR) AS event_id, client_id AS customer_id, CAST(happened AS "
        "TIMESTAMPTZ) AS ts,\n"
        "       what AS event_type, screen AS feature, platform AS device, seconds AS duration_s, kb AS "
        "bytes, _batch_id\n"
        "FROM raw.shop_app_events\n");
  Outcome r = Custlake({"build"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("staging model stg_usage"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("needs column app_version (VARCHAR)"), std::string::npos) << r.err;
}

TEST_F(OwnDataTest, AStagingColumnOfAWrongTypeIsAnErrorNamingTheExpectedType) {
  Load();
  Stage(
      "stg_transactions",
      "SELECT order_id AS transaction_id, client_id AS customer_id, CAST(ordered_at AS TIMESTAMPTZ) AS ts,\n"
      "       CAST(total_cents AS VARCHAR) AS amount, 'EUR' AS currency, order_kind AS kind, paid_with AS "
      "payment_method,\n"
      "       promo_id AS offer_id, CAST(ordered_at AS TIMESTAMPTZ) AS updated_at, _batch_id\n"
      "FROM raw.shop_orders\n");
  Outcome r = Custlake({"build"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("staging model stg_transactions"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("column amount is VARCHAR, the data contract expects DECIMAL(12,2)"),
            std::string::npos)
      << r.err;
}

TEST_F(OwnDataTest, ARepeatedKeyInAStagingModelIsAnErrorNamingTheKey) {
  Load();
  Stage("stg_usage",
        "SELECT CAST(client_id AS VARCHAR) AS event_id, client_id AS customer_id, CAST(happened AS "
        "TIMESTAMPTZ) AS ts,\n"
        "       what AS event_type, screen AS feature, platform AS device, seconds AS duration_s, kb AS "
        "bytes,\n"
        "       CAST(NULL AS VARCHAR) AS app_version, _batch_id\n"
        "FROM raw.shop_app_events\n");
  Outcome r = Custlake({"build"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("staging model stg_usage"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("column \"event_id\" must be unique"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 (2 rows)"), std::string::npos) << r.err;
}

TEST_F(OwnDataTest, AStagingModelWithoutRowsIsAnErrorUnlessAllowEmpty) {
  // A shop without a helpdesk: its staging model selects no rows.
  Load();
  Stage("stg_tickets",
        "SELECT case_no AS ticket_id, client_id AS customer_id, CAST(opened AS TIMESTAMPTZ) AS opened_at,\n"
        "       CAST(closed AS TIMESTAMPTZ) AS closed_at, via AS channel, topic AS category, urgency AS "
        "priority,\n"
        "       state AS status, stars AS satisfaction,\n"
        "       CAST([] AS STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]) AS messages, _batch_id\n"
        "FROM raw.shop_helpdesk WHERE false\n");
  Outcome r = Custlake({"build"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("staging model stg_tickets"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("has no rows"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("raw.shop_helpdesk"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--allow-empty"), std::string::npos) << r.err;

  Outcome allowed = Custlake({"--json", "build", "--allow-empty"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.err;
  ASSERT_EQ(allowed.Json()["warnings"].size(), 1u) << allowed.out;
  EXPECT_NE(allowed.Json()["warnings"][0].get<std::string>().find("stg_tickets"), std::string::npos);
}

TEST_F(OwnDataTest, AStagingModelReadingADatasetNotInTheLakeSaysToImportIt) {
  Outcome r = Custlake({"build"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("models read raw.clicks but the lake has no such raw dataset"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("import or ingest it first"), std::string::npos) << r.err;
}

}  // namespace
