// The warehouse tests' fixture: a tiny raw lake written with DuckDB and
// committed through lake::BatchWriter, builds with warehouse::Build, and
// helpers to ask a published version and compare versions and exports.
// One fixture per test (its own lake folder under the temp directory).
#pragma once

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
#include "warehouse/segments.h"

namespace custlake::warehouse {
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

  /// Commits one raw batch of `dataset` holding the rows of `select`;
  /// `replace`: a full re-import, retiring the dataset's earlier files.
  void Commit(const std::string& dataset, const std::string& select, bool replace = false) {
    lake::BatchOptions options;
    options.replace = replace;
    ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(lake::DatasetId::Raw(dataset), options));
    ASSERT_OK_AND_ASSIGN(auto part, batch.NewPart({{"ingest_date", "2025-03-01"}}));
    ASSERT_OK_AND_ASSIGN(
        auto r, session_->Query("COPY (" + select + ") TO " + engine::QuoteLiteral(part.staging_path) +
                                " (FORMAT parquet)"));
    ASSERT_OK(batch.AddFile(part, r.rows_changed));
    ASSERT_OK(batch.Commit());
  }

  static std::string Customer(int id, const std::string& plan, const std::string& city,
                              const std::string& signup, const std::string& updated,
                              const std::string& churn = "NULL") {
    return "SELECT " + std::to_string(id) +
           "::BIGINT AS customer_id, 'F' AS first_name, 'L' AS last_name, "
           "'e@x' AS email, 'F' AS gender, DATE '1990-01-01' AS birth_date, '" +
           city +
           "' AS city, 'R' AS region, "
           "'DE' AS country, 'consumer' AS segment, '" +
           plan +
           "' AS plan, 'monthly' AS contract, "
           "9.99::DECIMAL(10,2) AS monthly_fee, DATE '" +
           signup +
           "' AS signup_date, "
           "CASE WHEN " +
           churn + " IS NULL THEN 'active' ELSE 'churned' END AS status, " +
           (churn == "NULL" ? "NULL::DATE" : "DATE '" + churn + "'") +
           " AS churn_date, "
           "TIMESTAMPTZ '" +
           signup + " 00:00:00+00' AS created_at, TIMESTAMPTZ '" + updated + "+00' AS updated_at";
  }
  static std::string Txn(int id, int customer, const std::string& ts, const std::string& amount,
                         const std::string& kind) {
    return "SELECT " + std::to_string(id) + "::BIGINT AS transaction_id, " + std::to_string(customer) +
           "::BIGINT AS customer_id, TIMESTAMPTZ '" + ts + "+00' AS ts, " + amount +
           "::DECIMAL(12,2) AS amount, 'EUR' AS currency, '" + kind +
           "' AS kind, 'card' AS payment_method, "
           "NULL::BIGINT AS offer_id, TIMESTAMPTZ '" +
           ts + "+00' AS updated_at";
  }
  static std::string Event(const std::string& id, int customer, const std::string& ts,
                           const std::string& type = "feature_use") {
    return "SELECT '" + id + "' AS event_id, " + std::to_string(customer) +
           "::BIGINT AS customer_id, TIMESTAMPTZ '" + ts + "+00' AS ts, '" + type +
           "' AS event_type, 'dashboard' AS feature, 'desktop' AS device, 60::BIGINT AS duration_s, "
           "1000::BIGINT AS bytes, '1.0' AS app_version";
  }

  /// The base fixture: customer 1 changes plan twice in February; customer 2 has no activity.
  void WriteBase() {
    Commit("sic/customers", Customer(1, "basic", "Berlin", "2025-01-01", "2025-01-01 00:00:00") +
                                " UNION ALL " +
                                Customer(2, "basic", "Paris", "2025-01-15", "2025-01-15 00:00:00"));
    Commit("sic/customers", Customer(1, "pro", "Berlin", "2025-01-01", "2025-02-10 00:00:00") +
                                " UNION ALL " +
                                Customer(1, "max", "Berlin", "2025-01-01", "2025-02-20 00:00:00"));
    Commit("sic/transactions", Txn(1, 1, "2025-01-05 10:00:00", "10.00", "subscription") + " UNION ALL " +
                                   Txn(2, 1, "2025-02-15 10:00:00", "25.50", "purchase") + " UNION ALL " +
                                   Txn(3, 1, "2025-02-25 10:00:00", "-5.25", "refund"));
    Commit("usage", Event("e1", 1, "2025-01-05 09:00:00") + " UNION ALL " +
                        Event("e2", 1, "2025-02-15 09:00:00") + " UNION ALL " +
                        Event("e3", 1, "2025-02-25 09:00:00") + " UNION ALL " +
                        Event("e3b", 1, "2025-02-25 18:00:00", "session_start"));
    Commit("tickets",
           "SELECT 1::BIGINT AS ticket_id, 1::BIGINT AS customer_id, TIMESTAMPTZ '2025-02-12 08:00:00+00' AS "
           "opened_at, "
           "TIMESTAMPTZ '2025-02-12 11:00:00+00' AS closed_at, 'chat' AS channel, 'billing' AS category, "
           "'low' AS priority, "
           "'closed' AS status, 4::BIGINT AS satisfaction, "
           "[{'ts': '2025-02-12T08:00:00Z', 'author': 'customer', 'body': 'hi'}, "
           " {'ts': '2025-02-12T09:00:00Z', 'author': 'agent', 'body': 'hello'}] AS messages");
    Commit("sic/offers",
           "SELECT 7::BIGINT AS offer_id, 'Spring' AS name, 'spring25' AS campaign, 'email' AS channel, "
           "'discount' AS offer_type, 10.00::DECIMAL(5,2) AS discount_pct, DATE '2025-02-01' AS start_date, "
           "DATE '2025-02-28' AS end_date, 'consumer' AS target_segment");
    Commit("sic/offer_assignments",
           "SELECT 70::BIGINT AS assignment_id, 7::BIGINT AS offer_id, 1::BIGINT AS customer_id, "
           "TIMESTAMPTZ '2025-02-01 12:00:00+00' AS sent_at, TIMESTAMPTZ '2025-02-03 12:00:00+00' AS "
           "responded_at, "
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
  Result<BuildReport> RunBuildWith(const std::function<void(BuildOptions*)>& adjust) {
    BuildOptions o;
    o.lake_root = root_.string();
    o.threads = 2;
    adjust(&o);
    return Build(o);
  }

  /// Rows an external engine reads from warehouse/<table>/ (every Parquet file below it).
  std::string ExportFolderRows(const std::string& table) {
    auto r =
        session_->Query("SELECT count(*) FROM read_parquet(" +
                        engine::QuoteLiteral((root_ / "warehouse" / table).string() + "/**/*.parquet") + ")");
    EXPECT_TRUE(r.ok()) << table << ": " << r.status().message();
    return r.ok() ? r->Scalar() : "";
  }

  /// Runs `sql` against the published version file at `path` (with its segments).
  std::string Ask(const std::string& path, const std::string& sql) {
    auto db = engine::Database::Open(engine::DatabaseOptions{});
    EXPECT_TRUE(db.ok()) << db.status().message();
    auto s = (*db)->Connect();
    EXPECT_OK((*s)->Execute("SET TimeZone = 'UTC'"));
    auto attached = AttachVersion(s->get(), path, "version");
    EXPECT_TRUE(attached.ok()) << path << ": " << attached.status().message();
    EXPECT_OK((*s)->Execute("USE version"));
    auto r = (*s)->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
    if (!r.ok()) return "";
    std::string out;
    for (const auto& row : r->rows) {
      for (size_t c = 0; c < row.size(); ++c)
        out += (c ? "|" : "") + (r->nulls[&row - &r->rows[0]][c] ? "NULL" : row[c]);
      out += ";";
    }
    return out;
  }

  /// Identical tables: no row of one is missing from the other, for every model.
  void ExpectSameTables(const std::string& inc_path, const std::string& full_path,
                        const std::vector<ModelStat>& models) {
    engine::DatabaseOptions o;
    ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open(o));
    ASSERT_OK_AND_ASSIGN(auto s, db->Connect());
    ASSERT_OK_AND_ASSIGN(auto inc_files, AttachVersion(s.get(), inc_path, "inc"));
    ASSERT_OK_AND_ASSIGN(auto full_files, AttachVersion(s.get(), full_path, "full_"));
    for (const ModelStat& m : models) {
      ASSERT_OK_AND_ASSIGN(auto r, s->Query("SELECT (SELECT count(*) FROM (SELECT * FROM inc." + m.name +
                                            " EXCEPT ALL SELECT * FROM full_." + m.name +
                                            ")) + (SELECT count(*) FROM "
                                            "(SELECT * FROM full_." +
                                            m.name + " EXCEPT ALL SELECT * FROM inc." + m.name +
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

}  // namespace custlake::warehouse
