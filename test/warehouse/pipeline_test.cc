// The warehouse verbs through the real custlake binary, on the real pipeline:
// generate -> import -> ingest -> build, then more data in the operational
// database and the landing folder -> import -> ingest -> an incremental build
// that stays cheap (only the newest months recomputed, only the new rows
// appended) and equals --full; then `custlake check`, `custlake docs` and
// `custlake export-ddl` for each dialect, the DDL checked for DuckDB-only
// syntax and, where bootstrap installed it (test/warehouse/ddl_syntax), parsed
// by the Hive, Spark and Trino grammars.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "engine/engine.h"
#include "support/cli_runner.h"
#include "support/status_testing.h"
#include "warehouse/segments.h"

namespace {
namespace fs = std::filesystem;
using custlake::engine::QuoteLiteral;

using Outcome = custlake::testing::CliOutcome;
using custlake::testing::ReadWholeFile;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("custlake_wh_pipeline_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Outcome Run(const std::vector<std::string>& args, const std::string& program = CUSTLAKE_BIN) {
    return custlake::testing::RunCli(dir_, program, args);
  }
  /// custlake -C <project> --json ARGS, which must succeed; its JSON summary.
  nlohmann::json Custlake(std::vector<std::string> args) {
    args.insert(args.begin(), {"-C", (dir_ / "p").string(), "--json"});
    Outcome r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << args[3] << ":\n" << r.err;
    return r.Json();
  }

  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "p/data/sic.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message << "\n" << sql;
  }

  static std::string Mode(const nlohmann::json& build, const std::string& model) {
    for (const auto& m : build["models"]) {
      if (m["model"] == model) return m["mode"];
    }
    return "(missing)";
  }
  static int64_t Changed(const nlohmann::json& build, const std::string& model) {
    for (const auto& m : build["models"]) {
      if (m["model"] == model) return m["changed"];
    }
    return -1;
  }

  fs::path dir_;
};

TEST_F(PipelineTest, IncrementalOnTheRealPipelineIsCheapAndEqualsFull) {
  fs::path p = dir_ / "p";
  ASSERT_EQ(Run({"init", p.string()}).exit_code, 0);
  Custlake({"generate", "--customers", "150", "--months", "2"});  // 2025-01-01 .. 2025-02-28
  Custlake({"import", "sic"});
  Custlake({"ingest"});
  nlohmann::json first = Custlake({"build"});
  ASSERT_EQ(first["checks"]["failed"], 0);
  EXPECT_FALSE(first["incremental"].get<bool>());

  // A day of new data in March: a plan change, a new customer, a purchase, an
  // offer sent, and a landing file of usage events.
  Sql("UPDATE customers SET plan = 'max', monthly_fee = '49.00', updated_at = '2025-03-02 10:00:00' WHERE "
      "customer_id = 5;"
      "INSERT INTO customers SELECT 100001, first_name, last_name, 'new@example.com', gender, birth_date, "
      "city, region, "
      "country, segment, plan, contract, monthly_fee, '2025-03-01', 'active', NULL, '2025-03-01 09:00:00', "
      "'2025-03-01 09:00:00' FROM customers WHERE customer_id = 5;"
      "INSERT INTO transactions SELECT max(transaction_id) + 1, 5, '2025-03-02 11:00:00', '12.34', 'EUR', "
      "'purchase', "
      "'card', NULL, '2025-03-02 11:00:00' FROM transactions;"
      "INSERT INTO offer_assignments SELECT max(assignment_id) + 1, (SELECT min(offer_id) FROM offers), "
      "100001, "
      "'2025-03-02 12:00:00', NULL, 0, '2025-03-02 12:00:00' FROM offer_assignments;"
      // ... and the answer to an offer sent in February: a new version of its row.
      "UPDATE offer_assignments SET responded_at = '2025-03-02 13:00:00', redeemed = 1, "
      "updated_at = '2025-03-02 13:00:00' WHERE assignment_id = (SELECT max(assignment_id) FROM offer_assignments "
      "WHERE responded_at IS NULL AND sent_at >= '2025-02-01' AND sent_at < '2025-03-01');");
  {
    std::ofstream usage(p / "landing/usage/2025-03-02.ndjson");
    usage
        << R"({"event_id":"new-1","customer_id":5,"ts":"2025-03-02T08:00:00Z","event_type":"feature_use","feature":"reports","device":"desktop","duration_s":30,"bytes":100,"app_version":"9.9"})"
        << "\n"
        << R"({"event_id":"new-2","customer_id":100001,"ts":"2025-03-02T09:00:00Z","event_type":"login","feature":"home","device":"mobile","duration_s":5,"bytes":10,"app_version":"9.9"})"
        << "\n";
  }
  Custlake({"import", "sic"});
  Custlake({"ingest"});
  nlohmann::json inc = Custlake({"build"});
  ASSERT_TRUE(inc["incremental"].get<bool>());
  EXPECT_EQ(inc["checks"]["failed"], 0);
  // Cheap: only the new rows are appended (offer assignments import incrementally now), and the
  // monthly metrics are recomputed from the newest month, not from the first offer or signup.
  EXPECT_EQ(Mode(inc, "fact_customer_activity"), "appended");
  // 2 usage events, 1 transaction, 1 offer sent; the answered offer's sent and redeemed rows (its
  // older version's sent row gives way).
  EXPECT_EQ(Changed(inc, "fact_customer_activity"), 6);
  EXPECT_EQ(Mode(inc, "fact_customer_metrics"), "recomputed from 2025-02-01");
  // The dashboard's marts follow the facts' recomputed months (the customers' runs: their quarter).
  EXPECT_EQ(Mode(inc, "mart_dashboard_months"), "recomputed from 2025-02-01");
  EXPECT_EQ(Mode(inc, "mart_dashboard_cohorts"), "recomputed from 2025-02-01");
  EXPECT_EQ(Mode(inc, "mart_dashboard_customers"), "recomputed from 2025-01-01");
  // The spans join runs across quarters, so they are rebuilt whole when the runs changed.
  EXPECT_EQ(Mode(inc, "mart_dashboard_spans"), "rebuilt");
  EXPECT_EQ(Mode(inc, "dim_offer"), "rebuilt");  // offers: a full import each time (small)
  nlohmann::json full = Custlake({"build", "--full"});
  EXPECT_FALSE(full["incremental"].get<bool>());

  custlake::engine::DatabaseOptions o;
  ASSERT_OK_AND_ASSIGN(auto db, custlake::engine::Database::Open(o));
  ASSERT_OK_AND_ASSIGN(auto s, db->Connect());
  ASSERT_OK_AND_ASSIGN(auto inc_files, custlake::warehouse::AttachVersion(s.get(), inc["path"], "inc"));
  ASSERT_OK_AND_ASSIGN(auto full_files, custlake::warehouse::AttachVersion(s.get(), full["path"], "full_"));
  // A customer's new version re-keyed settled facts: they moved to the tail, the segment stayed shared.
  EXPECT_EQ(inc["segments"]["fact_customer_activity"], "linked") << inc.dump();
  for (const auto& m : inc["models"]) {
    if (m["model"] == "fact_customer_activity") {
      EXPECT_GT(m["moved"].get<int64_t>(), 0) << inc.dump();
    }
  }
  EXPECT_EQ(inc_files.size(), 2u);
  for (const auto& m : full["models"]) {
    std::string t = m["model"];
    ASSERT_OK_AND_ASSIGN(
        auto r, s->Query("SELECT (SELECT count(*) FROM (FROM inc." + t + " EXCEPT ALL FROM full_." + t +
                         ")) + (SELECT count(*) FROM (FROM full_." + t + " EXCEPT ALL FROM inc." + t + "))"));
    EXPECT_EQ(r.Scalar(), "0") << t << " differs between the incremental and the full build";
  }
  ASSERT_OK_AND_ASSIGN(auto answered,
                       s->Query("SELECT string_agg(activity_type, ',' ORDER BY activity_type) FROM "
                                "inc.fact_customer_activity WHERE activity_type LIKE 'offer%' AND source_id IN "
                                "(SELECT source_id FROM inc.fact_customer_activity WHERE activity_type = "
                                "'offer_redeemed' AND occurred_at = TIMESTAMPTZ '2025-03-02 13:00:00+00') "
                                "GROUP BY source_id"));
  ASSERT_EQ(answered.rows.size(), 1u) << "one assignment was answered in March";
  EXPECT_EQ(answered.Scalar(), "offer_redeemed,offer_sent");
  ASSERT_OK_AND_ASSIGN(
      auto march, s->Query("SELECT plan, m.revenue, m.usage_events FROM inc.fact_customer_metrics m JOIN "
                           "inc.dim_customer d USING (customer_key) WHERE m.customer_id = 5 AND "
                           "m.month_start = DATE '2025-03-01'"));
  ASSERT_EQ(march.rows.size(), 1u);
  EXPECT_EQ(march.rows[0][0], "max");
  EXPECT_EQ(march.rows[0][1], "12.34");
  EXPECT_EQ(march.rows[0][2], "1");

  // custlake check on the published version.
  nlohmann::json check = Custlake({"check", "--freshness", "off"});
  EXPECT_EQ(check["failed"], 0);
  EXPECT_GT(check["passed"].get<int>(), 50);
  Outcome strict = Run({"-C", p.string(), "check", "--freshness", "error"});  // the 2025 data is stale today
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("freshness(occurred_at)"), std::string::npos) << strict.err;

  // custlake docs: lineage from the operational source and the landing folder to the facts.
  nlohmann::json docs = Custlake({"docs", "--out", (dir_ / "docs").string()});
  std::string md = ReadWholeFile(dir_ / "docs/data_dictionary.md"), html = ReadWholeFile(dir_ / "docs/data_dictionary.html");
  EXPECT_NE(md.find("## fact_customer_metrics"), std::string::npos);
  EXPECT_NE(md.find("sqlite:"), std::string::npos) << "the operational source";
  EXPECT_NE(md.find("landing/usage"), std::string::npos) << "the landing folder";
  EXPECT_NE(md.find("raw/sic/customers -> stg_customers"), std::string::npos);
  EXPECT_NE(md.find("stg_customers -> dim_customer"), std::string::npos);
  EXPECT_NE(md.find("freshness(occurred_at)"), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"dim_customer\">"), std::string::npos);

  // custlake export-ddl: every model, in each dialect, with no DuckDB-only syntax left.
  const std::vector<std::string> duckdb_only = {
      "QUALIFY", "GROUP BY ALL", "ANTI JOIN",   " -> ",     "list_",    "epoch_us(",         "range(",
      "::",      "{{",           "TIMESTAMPTZ", "FILTER (", "strftime", "regexp_full_match", "isodow"};
  for (const std::string dialect : {"hive", "trino", "spark"}) {
    fs::path file = dir_ / ("ddl_" + dialect + ".sql");
    nlohmann::json ddl =
        Custlake({"export-ddl", "--dialect", dialect, "--location", "s3://bucket/lake", "-o", file.string()});
    EXPECT_EQ(ddl["models"], 17);  // the star schema's seven tables, the dashboard's four marts, six staging views
    std::string text = ReadWholeFile(file);
    for (const auto& m : full["models"]) {
      std::string t = m["model"];
      std::string q = dialect == "trino" ? "\"" + t + "\"" : "`" + t + "`";
      EXPECT_NE(text.find("CREATE TABLE " + q), std::string::npos) << dialect << ": model " << t;
      EXPECT_NE(text.find("s3://bucket/lake/warehouse/" + t + "/"), std::string::npos)
          << dialect << ": " << t;
    }
    EXPECT_NE(text.find("s3://bucket/lake/raw/usage/"), std::string::npos) << dialect;
    // DuckDB-only syntax outside comments.
    std::stringstream lines(text);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      ++n;
      std::string code = line.substr(0, line.find("--"));
      for (const std::string& bad : duckdb_only) {
        EXPECT_EQ(code.find(bad), std::string::npos)
            << dialect << " line " << n << " has '" << bad << "': " << line;
      }
    }
    if (dialect != "trino") {
      EXPECT_EQ(text.find("AT TIME ZONE"), std::string::npos) << dialect;
    }
    // The grammars of the three engines, when bootstrap --test installed the parser.
    fs::path checker = fs::path(CUSTLAKE_SOURCE_DIR) / "test/warehouse/ddl_syntax";
    if (fs::exists(checker / "node_modules/dt-sql-parser")) {
      Outcome parsed = Run({"--import", (checker / "register.mjs").string(), (checker / "check.mjs").string(),
                            dialect, file.string()},
                           "node");
      EXPECT_EQ(parsed.exit_code, 0) << parsed.out << parsed.err;
      EXPECT_NE(parsed.out.find("0 with syntax errors"), std::string::npos) << parsed.out;
    } else if (std::getenv("CUSTLAKE_REQUIRE_SERVERS")) {
      ADD_FAILURE() << "test/warehouse/ddl_syntax/node_modules is missing: run scripts/bootstrap.sh --test";
    }
  }
  // A bad dialect is a usage error that says what to use.
  Outcome bad = Run({"-C", p.string(), "export-ddl", "--dialect", "oracle"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("hive"), std::string::npos) << bad.err;
}

}  // namespace
