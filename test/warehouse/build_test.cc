// Warehouse fixtures with known answers: a tiny raw lake written with DuckDB
// and committed through lake::BatchWriter, built with warehouse::Build, and
// checked model by model: SCD2 versions (a plan changed twice in one month),
// point-in-time keys, refunds, a customer with no activity, late-arriving
// events, incremental == --full, a failed check and a killed build leaving the
// previous version serving.
#include "warehouse/warehouse_fixture.h"

namespace custlake::warehouse {
namespace {

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
  EXPECT_EQ(Ask(v, "SELECT count(*), min(date), max(date) FROM dim_date"), "365|2025-01-01|2025-12-31;");
  EXPECT_EQ(Ask(v, "SELECT date_key, year, quarter, month, month_start, month_name, day_of_month, day_of_week, day_name, "
                   "is_weekend, iso_week FROM dim_date WHERE date_key IN (20250101, 20250223) ORDER BY 1"),
            "20250101|2025|1|1|2025-01-01|January|1|3|Wednesday|false|1;"
            "20250223|2025|1|2|2025-02-01|February|23|7|Sunday|true|8;");
  EXPECT_EQ(Ask(v, "SELECT offer_key, offer_id, name, campaign, channel, discount_pct, start_date, end_date, duration_days "
                   "FROM dim_offer"),
            "7|7|Spring|spring25|email|10.00|2025-02-01|2025-02-28|28;");
  // customer_key: the first 15 hex digits of md5('1|<epoch us of updated_at>'), as every dialect computes it.
  EXPECT_EQ(Ask(v, "SELECT customer_key FROM dim_customer WHERE customer_id = 1 AND version = 1"), "830843292317253702;");
  EXPECT_EQ(Ask(v, "SELECT event_type, feature, device FROM dim_usage ORDER BY 1"),
            "feature_use|dashboard|desktop;session_start|dashboard|desktop;");
  // Readers see the published version through the query sandbox.
  ASSERT_OK_AND_ASSIGN(auto reader, query::LakeSession::Open(root_.string()));
  ASSERT_OK_AND_ASSIGN(auto r, reader->Run("SELECT sum(revenue) FROM fact_customer_metrics"));
  EXPECT_EQ(r.Scalar(), "30.25");
  // The facts live in a segment file of their own (segments.h): readers attach it with the version.
  ASSERT_OK_AND_ASSIGN(auto facts, reader->Run("SELECT count(*) FROM fact_customer_activity"));
  EXPECT_EQ(facts.Scalar(), "10");
  EXPECT_FALSE(reader->Run("SELECT count(*) FROM _warehouse_tail_fact_customer_activity").ok());
  EXPECT_FALSE(reader->Run("CREATE TABLE x AS SELECT 1").ok());
  // The Parquet export: facts partitioned by month.
  EXPECT_TRUE(fs::exists(root_ / "warehouse/fact_customer_activity/month=2025-02"));
  ASSERT_OK_AND_ASSIGN(auto files, lake_->CommittedFiles(TableDataset("fact_customer_metrics")));
  EXPECT_EQ(files.size(), 2u);
}

TEST_F(WarehouseFixture, MessageTimesInEveryFormatAreParsedAndOrderedByTime) {
  WriteBase();
  // Ticket 2: epoch seconds and milliseconds as text (the landing files' epoch mess), and an
  // offset time whose text sorts after a later instant.
  Commit("tickets",
         "SELECT 2::BIGINT AS ticket_id, 2::BIGINT AS customer_id, TIMESTAMPTZ '2025-02-12 08:00:00+00' AS opened_at, "
         "NULL::TIMESTAMPTZ AS closed_at, 'email' AS channel, 'technical' AS category, 'high' AS priority, "
         "'open' AS status, NULL::BIGINT AS satisfaction, "
         "[{'ts': '1739347200', 'author': 'customer', 'body': 'a'}, "      // 2025-02-12 08:00:00Z
         " {'ts': '1739354400000', 'author': 'agent', 'body': 'b'}, "      // 2025-02-12 10:00:00Z
         " {'ts': '2025-02-12T13:30:00+02:00', 'author': 'customer', 'body': 'c'}] AS messages "  // 11:30Z
         "UNION ALL SELECT 3, 2, TIMESTAMPTZ '2025-02-13 08:00:00+00', NULL, 'chat', 'billing', 'low', 'open', NULL, "
         "[]::STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]");
  ASSERT_OK_AND_ASSIGN(BuildReport report, RunBuild());
  EXPECT_EQ(report.checks.failed, 0) << report.checks.FailureText();
  EXPECT_EQ(Ask(report.path, "SELECT ticket_id, message_count, customer_message_count, first_message_at::VARCHAR, "
                             "last_message_at::VARCHAR FROM dim_support_ticket ORDER BY 1"),
            "1|2|1|2025-02-12 08:00:00+00|2025-02-12 09:00:00+00;"
            "2|3|2|2025-02-12 08:00:00+00|2025-02-12 11:30:00+00;"
            "3|0|0|NULL|NULL;");
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
  // The late January event lands in January: its month's metrics are recomputed.
  EXPECT_EQ(Ask(inc.path, "SELECT month_start, usage_events, active_days, revenue FROM fact_customer_metrics "
                          "WHERE customer_id = 1 ORDER BY 1"),
            "2025-01-01|2|2|10.00;2025-02-01|3|2|20.25;2025-03-01|0|0|0.00;");
  EXPECT_EQ(Ask(inc.path, "SELECT month_start, usage_events, revenue, transactions FROM fact_customer_metrics "
                          "WHERE customer_id = 2 ORDER BY 1"),
            "2025-01-01|0|0.00|0;2025-02-01|0|0.00|0;2025-03-01|1|7.00|1;");
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
  // New usage only: customers, offers, tickets and the days (within the year) are carried over, the
  // rest follows the new batch.
  Commit("usage", Event("e6", 1, "2025-02-26 09:00:00") + " UNION ALL " + Event("e7", 2, "2025-01-20 09:00:00", "login"));
  ASSERT_OK_AND_ASSIGN(BuildReport inc, RunBuild());
  ASSERT_TRUE(inc.incremental);
  EXPECT_EQ(inc.checks.failed, 0) << inc.checks.FailureText();
  EXPECT_GT(inc.checks.passed, 0);
  EXPECT_GT(inc.checks_skipped, 0);
  EXPECT_GT(inc.parquet_files_reused, 0);
  for (const ModelStat& m : inc.models) {
    bool carried = m.name == "dim_customer" || m.name == "dim_offer" || m.name == "dim_support_ticket" ||
                   m.name == "dim_date";
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
  EXPECT_NE(msg.find("orphan"), std::string::npos) << msg;  // the offending row, every value shown
  EXPECT_NE(msg.find("occurred_at=2025-02-26 09:00:00+00"), std::string::npos) << msg;
  ASSERT_OK_AND_ASSIGN(auto current, CurrentVersion(lake_.get()));
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->version, first.version);
}

TEST_F(WarehouseFixture, KilledBuildLeavesThePreviousVersionServing) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  BuildReport serving = first;
  // Killed at each step, the build leaves `serving` serving with what it held (`sql` answers `expected`).
  auto kill_at_every_step = [&](const std::string& sql, const std::string& expected) {
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
      EXPECT_EQ(current->version, serving.version) << step;
      ASSERT_OK_AND_ASSIGN(auto reader, query::LakeSession::Open(root_.string()));
      ASSERT_OK_AND_ASSIGN(auto r, reader->Run(sql));
      EXPECT_EQ(r.Scalar(), expected) << step;
    }
  };
  // A build that links the facts' segment (only new rows) ...
  Commit("usage", Event("e9", 1, "2025-02-27 09:00:00"));
  kill_at_every_step("SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'", "4");
  // ... one that moves settled rows to the tail (a backdated customer version re-keys facts) ...
  auto reconnect = [&] {
    ASSERT_OK_AND_ASSIGN(db_, engine::Database::Open(engine::DatabaseOptions{}));
    ASSERT_OK_AND_ASSIGN(session_, db_->Connect());
    ASSERT_OK(session_->Execute("SET TimeZone = 'UTC'"));
  };
  reconnect();
  Commit("sic/customers", Customer(1, "max", "Munich", "2025-01-01", "2025-02-24 00:00:00"));
  const std::string munich = "SELECT count(*) FROM fact_customer_activity f JOIN dim_customer d USING (customer_key) "
                             "WHERE d.city = 'Munich'";
  kill_at_every_step(munich, "0");
  ASSERT_OK_AND_ASSIGN(BuildReport after, RunBuild());
  EXPECT_EQ(after.segments.at("fact_customer_activity"), "linked");
  EXPECT_EQ(Ask(after.path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"), "5;");
  EXPECT_EQ(Ask(after.path, munich), "4;");
  EXPECT_EQ(Ask(first.path, munich), "0;");
  // ... and one that settles its tail (4 rows for 10 in the segment) into a copy of the segment.
  serving = after;
  reconnect();
  Commit("usage", Event("e10", 2, "2025-02-27 10:00:00"));
  kill_at_every_step("SELECT count(*) FROM fact_customer_activity", "11");
  ASSERT_OK_AND_ASSIGN(BuildReport settled, RunBuild());
  EXPECT_EQ(settled.segments.at("fact_customer_activity"), "rewritten");
  EXPECT_EQ(Ask(settled.path, "SELECT count(*) FROM fact_customer_activity"), "12;");
  EXPECT_EQ(Ask(settled.path, munich), "4;");
  EXPECT_EQ(Ask(after.path, munich), "4;");
}

}  // namespace
}  // namespace custlake::warehouse
