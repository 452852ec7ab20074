// The shop: a company's own project for the CLI tests. A SQLite database and a
// landing folder whose source, dataset, table and column names and types
// differ from the demo's, staging models edited to map them onto the data
// contract, and a project model of its own; the fixture runs the custlake
// binary in a scratch project folder of its own per test process.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_runner.h"

namespace custlake::testing {
namespace fs = std::filesystem;
namespace shop {

// The shop's operational database: its own names and types (cents as
// integers, days and instants as text, the fee as REAL), an extra table.
inline const char* kShopSchema = R"sql(
CREATE TABLE clients (client_id INTEGER PRIMARY KEY, given_name TEXT, family_name TEXT, mail TEXT, town TEXT,
                      tier TEXT, plan_name TEXT, fee REAL, joined TEXT, left_on TEXT, modified TEXT);
CREATE TABLE orders (order_id INTEGER PRIMARY KEY, client_id INTEGER, ordered_at TEXT, total_cents INTEGER,
                     order_kind TEXT, paid_with TEXT, promo_id INTEGER);
CREATE TABLE promos (promo_id INTEGER PRIMARY KEY, title TEXT, campaign TEXT, via TEXT, pct REAL,
                     starts TEXT, ends TEXT);
CREATE TABLE promo_sends (send_id INTEGER PRIMARY KEY, promo_id INTEGER, client_id INTEGER, sent TEXT,
                          answered TEXT, used INTEGER, modified TEXT);
CREATE TABLE app_events (event_no INTEGER PRIMARY KEY, client_id INTEGER, happened TEXT, what TEXT, screen TEXT,
                         platform TEXT, seconds INTEGER, kb INTEGER);
CREATE TABLE helpdesk (case_no INTEGER PRIMARY KEY, client_id INTEGER, opened TEXT, closed TEXT, via TEXT,
                       topic TEXT, urgency TEXT, state TEXT, stars INTEGER);
CREATE TABLE stores (store_id INTEGER PRIMARY KEY, city TEXT);
INSERT INTO clients VALUES
  (1, 'Ada', 'Lovelace', 'ada@example.com', 'Berlin', 'consumer', 'basic', 9.99, '2025-01-03', NULL, '2025-01-03 10:00:00'),
  (2, 'Bo', 'Chen', 'bo@example.com', 'Hamburg', 'smb', 'pro', 29.5, '2025-01-10', '2025-03-20', '2025-03-20 09:00:00'),
  (3, 'Cy', 'Diaz', 'cy@example.com', 'Munich', 'enterprise', 'team', 99.0, '2025-02-01', NULL, '2025-02-01 08:30:00');
INSERT INTO orders VALUES
  (101, 1, '2025-01-03 10:05:00', 999, 'subscription', 'card', NULL),
  (102, 2, '2025-01-10 12:00:00', 2950, 'subscription', 'sepa', 7),
  (103, 1, '2025-02-03 10:05:00', 999, 'subscription', 'card', NULL),
  (104, 3, '2025-02-01 09:00:00', 9900, 'subscription', 'invoice', NULL),
  (105, 2, '2025-02-15 16:20:00', -500, 'refund', 'sepa', NULL);
INSERT INTO promos VALUES (7, 'Spring 10', 'spring', 'email', 10.0, '2025-01-01', '2025-03-31'),
                          (8, 'Stay', 'winback', 'call', 25.0, '2025-02-01', '2025-04-30');
INSERT INTO promo_sends VALUES (1, 7, 2, '2025-01-05 08:00:00', '2025-01-09 19:00:00', 1, '2025-01-09 19:00:00'),
                               (2, 8, 2, '2025-03-01 08:00:00', NULL, 0, '2025-03-01 08:00:00');
INSERT INTO app_events VALUES
  (1, 1, '2025-01-03 10:10:00', 'session_start', 'home', 'web', 0, 12),
  (2, 1, '2025-01-03 10:12:00', 'feature_use', 'reports', 'web', 120, 300),
  (3, 2, '2025-01-11 07:00:00', 'session_start', 'home', 'ios', 0, 8),
  (4, 3, '2025-02-02 14:00:00', 'feature_use', 'export', 'android', 60, 2048);
INSERT INTO helpdesk VALUES (501, 2, '2025-02-14 09:00:00', '2025-02-14 17:30:00', 'mail', 'billing', 'high', 'closed', 2);
INSERT INTO stores VALUES (1, 'Berlin');
)sql";

// custlake.toml of the shop: source `shop`, no demo sections.
inline const char* kShopToml = R"toml([project]
name = "shop"

[lake]
root = "lake"

[sources.shop]
url = "sqlite:data/shop.db"
tables = ["clients", "orders", "promos", "promo_sends", "app_events", "helpdesk", "stores"]

[sources.shop.table.orders]
incremental = "append"
check_column = "order_id"

[sources.shop.table.app_events]
incremental = "append"
check_column = "event_no"
)toml";

// The staging models, edited: rename, cast, pass _batch_id through.
inline const std::vector<std::pair<std::string, std::string>> kShopStaging = {
    {"stg_customers", R"sql(-- model: stg_customers
-- materialized: view
SELECT client_id AS customer_id, given_name AS first_name, family_name AS last_name, mail AS email,
       CAST(NULL AS VARCHAR) AS gender, CAST(NULL AS DATE) AS birth_date, town AS city,
       CAST(NULL AS VARCHAR) AS region, 'DE' AS country, tier AS segment, plan_name AS plan,
       'monthly' AS contract, CAST(fee AS DECIMAL(10,2)) AS monthly_fee, CAST(joined AS DATE) AS signup_date,
       CASE WHEN left_on IS NULL THEN 'active' ELSE 'churned' END AS status, CAST(left_on AS DATE) AS churn_date,
       CAST(joined AS TIMESTAMPTZ) AS created_at, CAST(modified AS TIMESTAMPTZ) AS updated_at, _batch_id
FROM raw.shop_clients
)sql"},
    {"stg_transactions", R"sql(-- model: stg_transactions
-- materialized: view
SELECT order_id AS transaction_id, client_id AS customer_id, CAST(ordered_at AS TIMESTAMPTZ) AS ts,
       CAST(total_cents / 100.0 AS DECIMAL(12,2)) AS amount, 'EUR' AS currency, order_kind AS kind,
       paid_with AS payment_method, promo_id AS offer_id, CAST(ordered_at AS TIMESTAMPTZ) AS updated_at, _batch_id
FROM raw.shop_orders
)sql"},
    {"stg_offers", R"sql(-- model: stg_offers
-- materialized: view
SELECT promo_id AS offer_id, title AS name, campaign, via AS channel, 'discount' AS offer_type,
       CAST(pct AS DECIMAL(5,2)) AS discount_pct, CAST(starts AS DATE) AS start_date, CAST(ends AS DATE) AS end_date,
       CAST(NULL AS VARCHAR) AS target_segment, _batch_id
FROM raw.shop_promos
)sql"},
    {"stg_offer_assignments", R"sql(-- model: stg_offer_assignments
-- materialized: view
SELECT send_id AS assignment_id, promo_id AS offer_id, client_id AS customer_id, CAST(sent AS TIMESTAMPTZ) AS sent_at,
       CAST(answered AS TIMESTAMPTZ) AS responded_at, used = 1 AS redeemed, CAST(modified AS TIMESTAMPTZ) AS updated_at,
       _batch_id
FROM raw.shop_promo_sends
)sql"},
    {"stg_usage", R"sql(-- model: stg_usage
-- materialized: view
SELECT CAST(click_id AS VARCHAR) AS event_id, uid AS customer_id, clicked_at AS ts, kind AS event_type, screen AS feature,
       CAST(NULL AS VARCHAR) AS device, secs AS duration_s, kb * 1024 AS bytes, CAST(NULL AS VARCHAR) AS app_version,
       _batch_id
FROM raw.clicks
)sql"},
    {"stg_tickets", R"sql(-- model: stg_tickets
-- materialized: view
SELECT case_no AS ticket_id, client_id AS customer_id, CAST(opened AS TIMESTAMPTZ) AS opened_at,
       CAST(closed AS TIMESTAMPTZ) AS closed_at, via AS channel, topic AS category, urgency AS priority,
       state AS status, stars AS satisfaction,
       CAST([] AS STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]) AS messages, _batch_id
FROM raw.shop_helpdesk
)sql"},
};

// A project model of its own: revenue per client, beside the star schema.
inline const char* kMart = R"sql(-- model: mart_client_revenue
-- description: Revenue per client over all months (a project model).
-- materialized: table
-- column customer_id: the client
-- column revenue: sum of the monthly revenue
-- check unique: customer_id
SELECT customer_id, sum(revenue) AS revenue FROM fact_customer_metrics GROUP BY customer_id
)sql";

}  // namespace shop

class ShopProject : public ::testing::Test {
 protected:
  using CliOutcome = custlake::testing::CliOutcome;
  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("custlake_" + std::string(test->test_suite_name()) + "_" +
                                        std::to_string(::getpid()) + "_" + test->name());
    fs::remove_all(dir_);
    ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
    Write(dir_ / "custlake.toml", shop::kShopToml);
    fs::create_directories(dir_ / "data");
    Sql(shop::kShopSchema);
    for (const auto& [name, text] : shop::kShopStaging)
      Write(dir_ / "models" / "staging" / (name + ".sql"), text);
    // The shop's click log: its own landing folder and field names, numbers as text, two time-zone formats.
    Write(
        dir_ / "landing" / "clicks" / "day1.ndjson",
        "{\"click_id\": 1, \"uid\": 1, \"clicked_at\": \"2025-01-03T10:10:00Z\", \"kind\": "
        "\"session_start\", "
        "\"screen\": \"home\", \"secs\": 0, \"kb\": 12}\n"
        "{\"click_id\": 2, \"uid\": 1, \"clicked_at\": \"2025-01-03T11:12:00+01:00\", \"kind\": "
        "\"feature_use\", "
        "\"screen\": \"reports\", \"secs\": \"120\", \"kb\": 300}\n"
        "{\"click_id\": 3, \"uid\": 2, \"clicked_at\": \"2025-01-11T07:00:00Z\", \"kind\": "
        "\"session_start\", "
        "\"screen\": \"home\", \"secs\": 0, \"kb\": 8}\n"
        "{\"click_id\": 4, \"uid\": 3, \"clicked_at\": \"2025-02-02T14:00:00Z\", \"kind\": \"feature_use\", "
        "\"screen\": \"export\", \"secs\": 60, \"kb\": 2048}\n");
  }
  /// Imports the shop's database and ingests its click log.
  void Load() {
    CliOutcome import = Custlake({"import", "shop"});
    ASSERT_EQ(import.exit_code, 0) << import.err;
    CliOutcome ingest = Custlake({"ingest", "--from", (dir_ / "landing" / "clicks").string(), "--format",
                                  "ndjson", "--dataset", "clicks", "--key", "click_id"});
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  }
  void TearDown() override {
    fs::remove_all(dir_);
    fs::remove_all(dir_.string() + "_io");
  }

  CliOutcome Custlake(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"-C", dir_.string()};
    all.insert(all.end(), args.begin(), args.end());
    // A scratch folder of this test's own for the captured output (tests run side by side).
    const fs::path scratch = dir_.string() + "_io";
    fs::create_directories(scratch);
    return custlake::testing::RunCli(scratch, CUSTLAKE_BIN, all);
  }
  static void Write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "data" / "shop.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }
  /// The one value of a one-row, one-column query, as text.
  std::string Query(const std::string& sql) {
    CliOutcome r = Custlake({"query", "--format", "csv", sql});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    size_t nl = r.out.find('\n');
    std::string value = nl == std::string::npos ? "" : r.out.substr(nl + 1);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
  }
  /// Facts and dimensions reconcile with the shop's tables.
  void ExpectCountsMatchTheSource(int clients, int orders, const std::string& revenue, int events) {
    EXPECT_EQ(Query("SELECT count(DISTINCT customer_id) FROM dim_customer"), std::to_string(clients));
    EXPECT_EQ(Query("SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'transaction'"),
              std::to_string(orders));
    EXPECT_EQ(Query("SELECT sum(amount) FROM fact_customer_activity WHERE activity_type = 'transaction'"),
              revenue);
    EXPECT_EQ(Query("SELECT sum(revenue) FROM fact_customer_metrics"), revenue);
    EXPECT_EQ(Query("SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"),
              std::to_string(events));
    EXPECT_EQ(Query("SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'ticket'"), "1");
    EXPECT_EQ(Query("SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'offer_sent'"), "2");
    EXPECT_EQ(Query("SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'offer_redeemed'"),
              "1");
    EXPECT_EQ(Query("SELECT count(*) FROM dim_offer"), "2");
    EXPECT_EQ(Query("SELECT count(*) FROM dim_customer WHERE customer_key IS NULL"), "0");
  }
  /// Replaces one staging model of the project.
  void Stage(const std::string& name, const std::string& text) {
    Write(dir_ / "models" / "staging" / (name + ".sql"),
          "-- model: " + name + "\n-- materialized: view\n" + text);
  }

  std::filesystem::path dir_;
};

}  // namespace custlake::testing
