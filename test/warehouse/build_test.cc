// Warehouse fixtures with known answers: a tiny raw lake written with DuckDB
// and committed through lake::BatchWriter, built with warehouse::Build, and
// checked model by model: SCD2 versions (a plan changed twice in one month),
// point-in-time keys, refunds, a customer with no activity, late-arriving
// events, incremental == --full, a failed check and a killed build leaving the
// previous version serving.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "engine/engine.h"
#include "lake/lake.h"
#include "query/lake_session.h"
#include "support/status_testing.h"
#include "warehouse/builder.h"
#include "warehouse/publisher.h"

namespace custlake::warehouse {
namespace {
namespace fs = std::filesystem;

class WarehouseFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("wh_test_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    ASSERT_OK_AND_ASSIGN(lake_, lake::Lake::Init(root_.string()));
    engine::DatabaseOptions o;
    ASSERT_OK_AND_ASSIGN(db_, engine::Database::Open(o));
    ASSERT_OK_AND_ASSIGN(session_, db_->Connect());
    ASSERT_OK(session_->Execute("SET TimeZone = 'UTC'"));
  }
  void TearDown() override {
    session_.reset();
    db_.reset();
    lake_.reset();
    fs::remove_all(root_);
  }

  /// Commits one raw batch of `dataset` holding the rows of `select`.
  void Commit(const std::string& dataset, const std::string& select) {
    ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(lake::DatasetId::Raw(dataset)));
    ASSERT_OK_AND_ASSIGN(auto part, batch.NewPart({{"ingest_date", "2025-03-01"}}));
    ASSERT_OK_AND_ASSIGN(auto r, session_->Query("COPY (" + select + ") TO " + engine::QuoteLiteral(part.staging_path) +
                                                 " (FORMAT parquet)"));
    ASSERT_OK(batch.AddFile(part, r.rows_changed));
    ASSERT_OK(batch.Commit());
  }

  static std::string Customer(int id, const std::string& plan, const std::string& city, const std::string& signup,
                              const std::string& updated, const std::string& churn = "NULL") {
    return "SELECT " + std::to_string(id) + "::BIGINT AS customer_id, 'F' AS first_name, 'L' AS last_name, "
           "'e@x' AS email, 'F' AS gender, DATE '1990-01-01' AS birth_date, '" + city + "' AS city, 'R' AS region, "
           "'DE' AS country, 'consumer' AS segment, '" + plan + "' AS plan, 'monthly' AS contract, "
           "9.99::DECIMAL(10,2) AS monthly_fee, DATE '" + signup + "' AS signup_date, "
           "CASE WHEN " + churn + " IS NULL THEN 'active' ELSE 'churned' END AS status, " +
           (churn == "NULL" ? "NULL::DATE" : "DATE '" + churn + "'") + " AS churn_date, "
           "TIMESTAMPTZ '" + signup + " 00:00:00+00' AS created_at, TIMESTAMPTZ '" + updated + "+00' AS updated_at";
  }
  static std::string Txn(int id, int customer, const std::string& ts, const std::string& amount, const std::string& kind) {
    return "SELECT " + std::to_string(id) + "::BIGINT AS transaction_id, " + std::to_string(customer) +
           "::BIGINT AS customer_id, TIMESTAMPTZ '" + ts + "+00' AS ts, " + amount +
           "::DECIMAL(12,2) AS amount, 'EUR' AS currency, '" + kind + "' AS kind, 'card' AS payment_method, "
           "NULL::BIGINT AS offer_id, TIMESTAMPTZ '" + ts + "+00' AS updated_at";
  }
  static std::string Event(const std::string& id, int customer, const std::string& ts, const std::string& type = "feature_use") {
    return "SELECT '" + id + "' AS event_id, " + std::to_string(customer) + "::BIGINT AS customer_id, TIMESTAMPTZ '" + ts +
           "+00' AS ts, '" + type + "' AS event_type, 'dashboard' AS feature, 'desktop' AS device, 60::BIGINT AS duration_s, "
           "1000::BIGINT AS bytes, '1.0' AS app_version";
  }

  /// The base fixture: customer 1 changes plan twice in February; customer 2 has no activity.
  void WriteBase() {
    Commit("sic/customers", Customer(1, "basic", "Berlin", "2025-01-01", "2025-01-01 00:00:00") + " UNION ALL " +
                                Customer(2, "basic", "Paris", "2025-01-15", "2025-01-15 00:00:00"));
    Commit("sic/customers", Customer(1, "pro", "Berlin", "2025-01-01", "2025-02-10 00:00:00") + " UNION ALL " +
                                Customer(1, "max", "Berlin", "2025-01-01", "2025-02-20 00:00:00"));
    Commit("sic/transactions", Txn(1, 1, "2025-01-05 10:00:00", "10.00", "subscription") + " UNION ALL " +
                                   Txn(2, 1, "2025-02-15 10:00:00", "25.50", "purchase") + " UNION ALL " +
                                   Txn(3, 1, "2025-02-25 10:00:00", "-5.25", "refund"));
    Commit("usage", Event("e1", 1, "2025-01-05 09:00:00") + " UNION ALL " + Event("e2", 1, "2025-02-15 09:00:00") +
                        " UNION ALL " + Event("e3", 1, "2025-02-25 09:00:00") + " UNION ALL " +
                        Event("e3b", 1, "2025-02-25 18:00:00", "session_start"));
    Commit("tickets",
           "SELECT 1::BIGINT AS ticket_id, 1::BIGINT AS customer_id, TIMESTAMPTZ '2025-02-12 08:00:00+00' AS opened_at, "
           "TIMESTAMPTZ '2025-02-12 11:00:00+00' AS closed_at, 'chat' AS channel, 'billing' AS category, 'low' AS priority, "
           "'closed' AS status, 4::BIGINT AS satisfaction, "
           "[{'ts': '2025-02-12T08:00:00Z', 'author': 'customer', 'body': 'hi'}, "
           " {'ts': '2025-02-12T09:00:00Z', 'author': 'agent', 'body': 'hello'}] AS messages");
    Commit("sic/offers", "SELECT 7::BIGINT AS offer_id, 'Spring' AS name, 'spring25' AS campaign, 'email' AS channel, "
                         "'discount' AS offer_type, 10.00::DECIMAL(5,2) AS discount_pct, DATE '2025-02-01' AS start_date, "
                         "DATE '2025-02-28' AS end_date, 'consumer' AS target_segment");
    Commit("sic/offer_assignments",
           "SELECT 70::BIGINT AS assignment_id, 7::BIGINT AS offer_id, 1::BIGINT AS customer_id, "
           "TIMESTAMPTZ '2025-02-01 12:00:00+00' AS sent_at, TIMESTAMPTZ '2025-02-03 12:00:00+00' AS responded_at, "
           "true AS redeemed");
  }

  Result<BuildReport> RunBuild(bool full = false, lake::FailPointHook hook = nullptr) {
    BuildOptions o;
    o.lake_root = root_.string();
    o.full = full;
    o.threads = 2;
    o.fail_point = std::move(hook);
    return Build(o);
  }

  /// Runs `sql` against the published version file at `path`.
  std::string Ask(const std::string& path, const std::string& sql) {
    engine::DatabaseOptions o;
    o.path = path;
    o.read_only = true;
    auto db = engine::Database::Open(o);
    EXPECT_TRUE(db.ok()) << db.status().message();
    auto s = (*db)->Connect();
    EXPECT_OK((*s)->Execute("SET TimeZone = 'UTC'"));
    auto r = (*s)->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
    if (!r.ok()) return "";
    std::string out;
    for (const auto& row : r->rows) {
      for (size_t c = 0; c < row.size(); ++c) out += (c ? "|" : "") + (r->nulls[&row - &r->rows[0]][c] ? "NULL" : row[c]);
      out += ";";
    }
    return out;
  }

  /// Identical tables: no row of one is missing from the other, for every model.
  void ExpectSameTables(const std::string& inc_path, const std::string& full_path, const std::vector<ModelStat>& models) {
    engine::DatabaseOptions o;
    ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open(o));
    ASSERT_OK_AND_ASSIGN(auto s, db->Connect());
    ASSERT_OK(s->Execute("ATTACH " + engine::QuoteLiteral(inc_path) + " AS inc (READ_ONLY); ATTACH " +
                         engine::QuoteLiteral(full_path) + " AS full_ (READ_ONLY)"));
    for (const ModelStat& m : models) {
      ASSERT_OK_AND_ASSIGN(auto r, s->Query("SELECT (SELECT count(*) FROM (SELECT * FROM inc." + m.name +
                                            " EXCEPT ALL SELECT * FROM full_." + m.name + ")) + (SELECT count(*) FROM "
                                            "(SELECT * FROM full_." + m.name + " EXCEPT ALL SELECT * FROM inc." + m.name +
                                            ")), (SELECT count(*) FROM full_." + m.name + ")"));
      EXPECT_EQ(r.rows[0][0], "0") << m.name << " differs between incremental and full builds";
      EXPECT_NE(r.rows[0][1], "0") << m.name;
    }
  }

  /// The rows of the live Parquet export of every model equal the rows of its table in `path`.
  void ExpectExportMatches(const std::string& path, const std::vector<ModelStat>& models) {
    for (const ModelStat& m : models) {
      ASSERT_OK_AND_ASSIGN(auto files, lake_->CommittedFiles(TableDataset(m.name)));
      ASSERT_FALSE(files.empty()) << m.name;
      std::string list;
      for (const auto& f : files) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(f.absolute_path);
      ASSERT_OK_AND_ASSIGN(auto r, session_->Query("SELECT count(*) FROM read_parquet([" + list + "])"));
      EXPECT_EQ(r.Scalar(), std::to_string(m.rows)) << m.name;
      EXPECT_EQ(Ask(path, "SELECT count(*) FROM " + m.name), std::to_string(m.rows) + ";") << m.name;
    }
  }

  fs::path root_;
  std::unique_ptr<lake::Lake> lake_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Session> session_;
};

TEST_F(WarehouseFixture, ModelsGiveTheKnownAnswers) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport report, RunBuild());
  EXPECT_FALSE(report.incremental);
  EXPECT_EQ(report.checks.failed, 0) << report.checks.FailureText();
  const std::string& v = report.path;
  // SCD2: three versions of customer 1 (two changes in February), one of customer 2.
  EXPECT_EQ(Ask(v, "SELECT customer_id, version, plan, valid_from::VARCHAR, valid_to::VARCHAR, is_current FROM dim_customer ORDER BY 1, 2"),
            "1|1|basic|1900-01-01 00:00:00+00|2025-02-10 00:00:00+00|false;"
            "1|2|pro|2025-02-10 00:00:00+00|2025-02-20 00:00:00+00|false;"
            "1|3|max|2025-02-20 00:00:00+00|9999-12-31 00:00:00+00|true;"
            "2|1|basic|1900-01-01 00:00:00+00|9999-12-31 00:00:00+00|true;");
  // Point in time: each fact carries the plan valid at its moment.
  EXPECT_EQ(Ask(v, "SELECT f.activity_type, f.source_id, d.plan FROM fact_customer_activity f JOIN dim_customer d "
                   "USING (customer_key) ORDER BY occurred_at, source_id"),
            "usage|e1|basic;transaction|1|basic;offer_sent|70|basic;offer_redeemed|70|basic;ticket|1|pro;"
            "usage|e2|pro;transaction|2|pro;usage|e3|max;transaction|3|max;usage|e3b|max;");
  // Monthly metrics: refunds net off revenue; the customer with no activity still has rows.
  EXPECT_EQ(Ask(v, "SELECT m.customer_id, m.month_start, m.revenue, m.transactions, m.refunds, m.usage_events, "
                   "m.active_days, m.tickets, m.avg_satisfaction, m.offers_sent, m.offers_redeemed, m.tenure_months, "
                   "m.churned, d.plan, m.clv FROM fact_customer_metrics m JOIN dim_customer d USING (customer_key) ORDER BY 1, 2"),
            "1|2025-01-01|10.00|1|0|1|1|0|NULL|0|0|0|false|basic|NULL;"
            "1|2025-02-01|20.25|2|1|3|2|1|4.0|1|1|1|false|max|NULL;"
            "2|2025-01-01|0.00|0|0|0|0|0|NULL|0|0|0|false|basic|NULL;"
            "2|2025-02-01|0.00|0|0|0|0|0|NULL|0|0|1|false|basic|NULL;");
  EXPECT_EQ(Ask(v, "SELECT ticket_id, resolution_hours, satisfaction, message_count, customer_message_count FROM dim_support_ticket"),
            "1|3.00|4|2|1;");
  EXPECT_EQ(Ask(v, "SELECT count(*), min(date), max(date) FROM dim_date"), "56|2025-01-01|2025-02-25;");
  EXPECT_EQ(Ask(v, "SELECT event_type, feature, device FROM dim_usage ORDER BY 1"),
            "feature_use|dashboard|desktop;session_start|dashboard|desktop;");
  // Readers see the published version through the query sandbox.
  ASSERT_OK_AND_ASSIGN(auto reader, query::LakeSession::Open(root_.string()));
  ASSERT_OK_AND_ASSIGN(auto r, reader->Run("SELECT sum(revenue) FROM fact_customer_metrics"));
  EXPECT_EQ(r.Scalar(), "30.25");
  EXPECT_FALSE(reader->Run("CREATE TABLE x AS SELECT 1").ok());
  // The Parquet export: facts partitioned by month.
  EXPECT_TRUE(fs::exists(root_ / "warehouse/fact_customer_activity/month=2025-02"));
  ASSERT_OK_AND_ASSIGN(auto files, lake_->CommittedFiles(TableDataset("fact_customer_metrics")));
  EXPECT_EQ(files.size(), 2u);
}

TEST_F(WarehouseFixture, IncrementalEqualsFullWithLateEventsAndBackdatedVersions) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  // New batches: a late January event, a new purchase, a customer-2 move, and a
  // customer-1 version dated before facts already loaded (they must be re-keyed).
  Commit("usage", Event("e4", 1, "2025-01-20 09:00:00") + " UNION ALL " + Event("e5", 2, "2025-03-02 09:00:00", "login"));
  Commit("sic/transactions", Txn(4, 2, "2025-03-01 10:00:00", "7.00", "purchase"));
  Commit("sic/customers", Customer(2, "basic", "Lyon", "2025-01-15", "2025-02-20 00:00:00") + " UNION ALL " +
                              Customer(1, "max", "Munich", "2025-01-01", "2025-02-24 00:00:00"));
  {
    // A full re-import of offer assignments (the offer was not redeemed after all): replaces the dataset.
    lake::BatchOptions replace;
    replace.replace = true;
    ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(lake::DatasetId::Raw("sic/offer_assignments"), replace));
    ASSERT_OK_AND_ASSIGN(auto part, batch.NewPart({}));
    ASSERT_OK_AND_ASSIGN(auto r, session_->Query(
        "COPY (SELECT 70::BIGINT AS assignment_id, 7::BIGINT AS offer_id, 1::BIGINT AS customer_id, "
        "TIMESTAMPTZ '2025-02-01 12:00:00+00' AS sent_at, NULL::TIMESTAMPTZ AS responded_at, false AS redeemed) TO " +
        engine::QuoteLiteral(part.staging_path) + " (FORMAT parquet)"));
    ASSERT_OK(batch.AddFile(part, r.rows_changed));
    ASSERT_OK(batch.Commit());
  }
  ASSERT_OK_AND_ASSIGN(BuildReport inc, RunBuild());
  ASSERT_TRUE(inc.incremental);
  EXPECT_EQ(inc.checks.failed, 0) << inc.checks.FailureText();
  EXPECT_EQ(Ask(inc.path, "SELECT source_id, d.city FROM fact_customer_activity f JOIN dim_customer d USING (customer_key) "
                          "WHERE activity_type = 'usage' AND f.customer_id = 1 ORDER BY occurred_at"),
            "e1|Berlin;e4|Berlin;e2|Berlin;e3|Munich;e3b|Munich;");
  EXPECT_EQ(Ask(inc.path, "SELECT count(*) FILTER (WHERE activity_type = 'offer_redeemed'), "
                          "count(*) FILTER (WHERE activity_type = 'offer_sent') FROM fact_customer_activity"),
            "0|1;");
  ASSERT_OK_AND_ASSIGN(BuildReport full, RunBuild(/*full=*/true));
  ASSERT_FALSE(full.incremental);
  ASSERT_TRUE(fs::exists(inc.path));
  ExpectSameTables(inc.path, full.path, full.models);
}

TEST_F(WarehouseFixture, IncrementalSkipsUnchangedModelsChecksAndExports) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  // No new raw data: every table carried over, its checks skipped, its export hard-linked.
  ASSERT_OK_AND_ASSIGN(BuildReport same, RunBuild());
  ASSERT_TRUE(same.incremental);
  for (const ModelStat& m : same.models) EXPECT_EQ(m.mode, "unchanged") << m.name;
  EXPECT_EQ(same.checks.failed, 0) << same.checks.FailureText();
  EXPECT_EQ(same.checks.passed, 0);
  EXPECT_EQ(same.checks_skipped, first.checks.passed);
  EXPECT_EQ(same.parquet_files_reused, first.parquet_files);
  EXPECT_EQ(same.parquet_files, first.parquet_files);
  ExpectExportMatches(same.path, same.models);
  // New usage only: customers, offers and tickets are carried over, the rest follows the new batch.
  Commit("usage", Event("e6", 1, "2025-02-26 09:00:00") + " UNION ALL " + Event("e7", 2, "2025-01-20 09:00:00", "login"));
  ASSERT_OK_AND_ASSIGN(BuildReport inc, RunBuild());
  ASSERT_TRUE(inc.incremental);
  EXPECT_EQ(inc.checks.failed, 0) << inc.checks.FailureText();
  EXPECT_GT(inc.checks.passed, 0);
  EXPECT_GT(inc.checks_skipped, 0);
  EXPECT_GT(inc.parquet_files_reused, 0);
  for (const ModelStat& m : inc.models) {
    bool carried = m.name == "dim_customer" || m.name == "dim_offer" || m.name == "dim_support_ticket";
    EXPECT_EQ(m.mode == "unchanged", carried) << m.name << ": " << m.mode;
  }
  ExpectExportMatches(inc.path, inc.models);
  ASSERT_OK_AND_ASSIGN(BuildReport full, RunBuild(/*full=*/true));
  ASSERT_FALSE(full.incremental);
  ASSERT_TRUE(fs::exists(inc.path));
  ExpectSameTables(inc.path, full.path, full.models);
  ExpectExportMatches(full.path, full.models);
  // A broken new batch still fails the checks of the tables it touches.
  Commit("usage", Event("orphan2", 999, "2025-02-26 10:00:00"));
  auto broken = RunBuild();
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("orphan2"), std::string::npos) << broken.status().message();
}

TEST_F(WarehouseFixture, FailedCheckKeepsThePreviousVersion) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  Commit("usage", Event("orphan", 999, "2025-02-26 09:00:00"));  // no such customer
  auto second = RunBuild();
  ASSERT_FALSE(second.ok());
  const std::string& msg = second.status().message();
  EXPECT_NE(msg.find("not_null(customer_key)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fact_customer_activity"), std::string::npos) << msg;
  EXPECT_NE(msg.find("models/fact_customer_activity.sql:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("orphan"), std::string::npos) << msg;  // the offending row
  ASSERT_OK_AND_ASSIGN(auto current, CurrentVersion(lake_.get()));
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->version, first.version);
}

TEST_F(WarehouseFixture, KilledBuildLeavesThePreviousVersionServing) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  Commit("usage", Event("e9", 1, "2025-02-27 09:00:00"));
  for (const char* step : {"build.after_models", "build.after_export", "commit.after_rename:0", "commit.in_transaction"}) {
    session_.reset();
    db_.reset();
    lake_.reset();
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::string target = step;
      auto r = RunBuild(false, [target](std::string_view s) -> Status {
        if (s == target) ::raise(SIGKILL);
        return Status::OK();
      });
      ::_exit(r.ok() ? 0 : 3);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << step << ": the build was not killed there";
    ASSERT_OK_AND_ASSIGN(lake_, lake::Lake::Open(root_.string()));
    ASSERT_OK_AND_ASSIGN(auto current, CurrentVersion(lake_.get()));
    ASSERT_TRUE(current.has_value());
    EXPECT_EQ(current->version, first.version) << step;
    ASSERT_OK_AND_ASSIGN(auto reader, query::LakeSession::Open(root_.string()));
    ASSERT_OK_AND_ASSIGN(auto r, reader->Run("SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"));
    EXPECT_EQ(r.Scalar(), "4") << step;
  }
  ASSERT_OK_AND_ASSIGN(BuildReport after, RunBuild());
  EXPECT_EQ(Ask(after.path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"), "5;");
}

}  // namespace
}  // namespace custlake::warehouse
