#include "query/lake_session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <fstream>

#include "engine/engine.h"
#include "lake/lake.h"
#include "query/live_lake.h"
#include "query/watchdog.h"

namespace custlake::query {
namespace {
namespace fs = std::filesystem;

#define ASSERT_OK_AND_ASSIGN_SESSION(name, expr)                       \
  auto name##_result = (expr);                                         \
  ASSERT_TRUE(name##_result.ok()) << name##_result.status().ToString(); \
  std::unique_ptr<LakeSession> name = std::move(name##_result).value()

class LakeSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("custlake_query_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    auto lake = lake::Lake::Init(root_.string());
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::move(lake).value();
    // One committed batch of raw/sic/customers, written by DuckDB as Parquet.
    auto batch = lake_->BeginBatch(lake::DatasetId::Raw("sic/customers"));
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    auto part = batch->NewPart({{"ingest_date", "2025-01-01"}});
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    WriteParquet(part->staging_path, "SELECT range AS customer_id, 'c' || range AS name FROM range(100)");
    ASSERT_TRUE(batch->AddFile(*part, 100).ok());
    ASSERT_TRUE(batch->Commit().ok());
    // One committed quarantine batch: two bad records as Parquet, and an
    // unreadable file kept byte for byte (not a table).
    auto bad = lake_->BeginBatch(lake::DatasetId::Quarantine("usage"));
    ASSERT_TRUE(bad.ok()) << bad.status().ToString();
    auto rows = bad->NewPart({});
    ASSERT_TRUE(rows.ok());
    WriteParquet(rows->staging_path,
                 "SELECT * FROM (VALUES ('a.ndjson', 3, 'malformed_json'), ('a.ndjson', 9, 'bad_type')) "
                 "t(_source_file, _source_line, reason)");
    ASSERT_TRUE(bad->AddFile(*rows, 2).ok());
    auto kept = bad->StagingPath("files/abc-b.ndjson.gz");
    ASSERT_TRUE(kept.ok());
    std::ofstream(*kept) << "not gzip";
    ASSERT_TRUE(bad->AddFile(std::string_view("files/abc-b.ndjson.gz"), 1).ok());
    ASSERT_TRUE(bad->Commit().ok());
    // A stray file in the dataset folder that the metastore does not list.
    fs::create_directories(root_ / "raw/sic/customers/ingest_date=2025-01-02");
    WriteParquet((root_ / "raw/sic/customers/ingest_date=2025-01-02/stray.parquet").string(),
                 "SELECT 999 AS customer_id, 'ghost' AS name");
    std::ofstream(root_ / "secret.txt") << "top secret\n";
  }
  void TearDown() override { fs::remove_all(root_); }

  static void WriteParquet(const std::string& path, const std::string& select) {
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok());
    auto s = (*db)->Connect();
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Execute("COPY (" + select + ") TO " + engine::QuoteLiteral(path) + " (FORMAT parquet)").ok());
  }

  /// Each escape a user might try is refused, and the session stays usable.
  void ExpectSandboxed(LakeSession* session) {
    const std::string secret = (root_ / "secret.txt").string();
    const std::string stray = (root_ / "raw/sic/customers/ingest_date=2025-01-02/stray.parquet").string();
    for (const std::string& sql : std::vector<std::string>{
             "SELECT * FROM read_csv('/etc/passwd')",
             "SELECT * FROM read_text(" + engine::QuoteLiteral(secret) + ")",
             "SELECT * FROM read_parquet(" + engine::QuoteLiteral(stray) + ")",
             "SELECT * FROM glob('/*')",
             "COPY (SELECT 1) TO '/tmp/custlake_escape.csv'",
             "ATTACH '/tmp/custlake_escape.db'",
             "INSTALL httpfs",
             "LOAD httpfs",
             "SET enable_external_access = true",
             "SELECT current_setting('lock_configuration'); SET lock_configuration = false",
             "CREATE TABLE x AS SELECT 1",
         }) {
      auto r = session->Run(sql);
      EXPECT_FALSE(r.ok()) << "should be refused: " << sql;
    }
    EXPECT_FALSE(fs::exists("/tmp/custlake_escape.csv"));
    // Still usable afterwards.
    EXPECT_TRUE(session->Run("SELECT count(*) FROM raw.sic_customers").ok());
  }

  /// Commits one more raw dataset, raw/sic/orders, of `rows` rows.
  void CommitOrders(int rows) {
    auto batch = lake_->BeginBatch(lake::DatasetId::Raw("sic/orders"));
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    auto part = batch->NewPart({});
    ASSERT_TRUE(part.ok());
    WriteParquet(part->staging_path, "SELECT range AS order_id FROM range(" + std::to_string(rows) + ")");
    ASSERT_TRUE(batch->AddFile(*part, rows).ok());
    ASSERT_TRUE(batch->Commit().ok());
  }

  fs::path root_;
  std::unique_ptr<lake::Lake> lake_;
};

TEST_F(LakeSessionTest, QuarantineIsQueryable) {
  auto session = LakeSession::Open(root_.string());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const ViewInfo* view = nullptr;
  for (const ViewInfo& v : (*session)->views()) {
    if (v.name == "quarantine.usage") view = &v;
  }
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->dataset, "quarantine/usage");
  EXPECT_EQ(view->files, 1);  // the kept unreadable file is not read as Parquet
  auto r = (*session)->Run("SELECT reason, _source_line FROM quarantine.usage ORDER BY _source_line");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0][0], "malformed_json");
  EXPECT_EQ(r->rows[1][1], "9");
}

TEST_F(LakeSessionTest, ViewsShowExactlyTheCommittedFiles) {
  auto session = LakeSession::Open(root_.string());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ASSERT_EQ((*session)->views().size(), 2u);  // and quarantine.usage
  EXPECT_EQ((*session)->views()[1].name, "raw.sic_customers");
  auto r = (*session)->Run("SELECT count(*), max(customer_id), min(ingest_date)::VARCHAR FROM raw.sic_customers");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0], "100");  // the stray, unlisted file is invisible
  EXPECT_EQ(r->rows[0][1], "99");
  EXPECT_EQ(r->rows[0][2], "2025-01-01");
}

TEST_F(LakeSessionTest, UserSqlReachesTheLakeAndNothingElse) {
  auto session = LakeSession::Open(root_.string());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ExpectSandboxed(session->get());
}

// Sessions of a LiveLake share one database per generation: each is a
// connection of its own, as locked down as the first, with the search_path
// and time zone the setup left.
TEST_F(LakeSessionTest, SessionsSharingADatabaseAreEachSandboxed) {
  SandboxOptions options;
  options.setup_sql = {"CREATE SCHEMA extra", "CREATE VIEW extra.answer AS SELECT 42 AS a",
                       "SET search_path = 'main,extra'",  // and a current_setting() of its own, as pgwire's
                       "CREATE MACRO main.current_setting(name) AS 'not DuckDB''s'"};
  LiveLake lake(root_.string(), options);
  ASSERT_OK_AND_ASSIGN_SESSION(first, lake.Connect());
  ASSERT_OK_AND_ASSIGN_SESSION(second, lake.Connect());
  EXPECT_EQ(&first->database(), &second->database());
  ExpectSandboxed(second.get());
  auto r = second->Run("SELECT a, value FROM answer, duckdb_settings() WHERE name = 'TimeZone'");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0], "42");
  EXPECT_EQ(r->rows[0][1], "UTC");
  // The first session goes on as before.
  EXPECT_TRUE(first->Run("SELECT count(*) FROM raw.sic_customers").ok());
}

// A commit (here an import of a new dataset) is a new generation: new
// sessions see it, while a session of the old one goes on reading its own.
TEST_F(LakeSessionTest, LiveLakeOpensTheNewestGenerationAfterACommit) {
  LiveLake lake(root_.string(), SandboxOptions{});
  ASSERT_OK_AND_ASSIGN_SESSION(old_session, lake.Connect());
  auto before = lake.Generation();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(*before, old_session->database().generation());
  EXPECT_FALSE(old_session->HasView("raw.sic_orders"));
  CommitOrders(7);
  auto after = lake.Generation();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_GT(*after, *before);
  ASSERT_OK_AND_ASSIGN_SESSION(new_session, lake.Connect());
  EXPECT_EQ(new_session->database().generation(), *after);
  auto r = new_session->Run("SELECT count(*) FROM raw.sic_orders");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0], "7");
  EXPECT_FALSE(old_session->Run("SELECT count(*) FROM raw.sic_orders").ok());
  EXPECT_TRUE(old_session->Run("SELECT count(*) FROM raw.sic_customers").ok());
  // Nothing committed since: the same database again.
  ASSERT_OK_AND_ASSIGN_SESSION(again, lake.Connect());
  EXPECT_EQ(&again->database(), &new_session->database());
}

TEST(WatchdogTest, FiresAtTheDeadlineUnlessDisarmedFirst) {
  Watchdog watchdog;
  std::atomic<int> fired{0};
  const uint64_t past = watchdog.Arm(Watchdog::Clock::now(), [&] { ++fired; });
  const uint64_t far = watchdog.Arm(Watchdog::Clock::now() + std::chrono::hours(1), [&] { fired += 100; });
  // The past deadline fires (the watchdog's thread runs it; wait for it without a time bound on the test).
  while (fired.load() == 0) std::this_thread::yield();
  EXPECT_TRUE(watchdog.Disarm(past));
  EXPECT_FALSE(watchdog.Disarm(far));
  EXPECT_FALSE(watchdog.Disarm(past));  // already removed
  EXPECT_EQ(fired.load(), 1);
}

TEST_F(LakeSessionTest, RowAndTimeLimits) {
  SandboxOptions options;
  options.max_rows = 5;
  options.timeout = std::chrono::milliseconds(300);
  auto session = LakeSession::Open(root_.string(), options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto r = (*session)->Run("SELECT * FROM range(100)");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows.size(), 5u);
  EXPECT_TRUE(r->truncated);
  // A cross join that would run for minutes is cancelled at the limit.
  auto slow = (*session)->Run("SELECT count(*) FROM range(100000000) a, range(1000000) b WHERE a.range + b.range = -1");
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), StatusCode::kCancelled) << slow.status().ToString();
}

TEST(LakeSessionOpenTest, MissingLakeSaysWhatToDo) {
  auto session = LakeSession::Open("/nonexistent/custlake/lake");
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.status().message().find("custlake init"), std::string::npos);
}

// A lastmodified import's dataset (its schema JSON names the merge key and
// check column) also gets raw.<name>_current: the newest version per key.
TEST_F(LakeSessionTest, LastModifiedDatasetsGetACurrentStateView) {
  auto batch = lake_->BeginBatch(lake::DatasetId::Raw("shop/accounts"));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto part = batch->NewPart({});
  ASSERT_TRUE(part.ok());
  WriteParquet(part->staging_path,
               "SELECT * FROM (VALUES (1, 1, 'old'), (1, 2, 'new'), (2, 1, 'only')) t(id, version, v)");
  ASSERT_TRUE(batch->AddFile(*part, 3).ok());
  ASSERT_TRUE(batch
                  ->SetSchema(R"({"format": "custlake-import/1", "incremental": "lastmodified", )"
                              R"("check_column": "version", "merge_key": ["id"], "columns": []})")
                  .ok());
  ASSERT_TRUE(batch->Commit().ok());
  auto session = LakeSession::Open(root_.string());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  bool listed = false;
  for (const ViewInfo& v : (*session)->views()) listed |= v.name == "raw.shop_accounts_current";
  EXPECT_TRUE(listed);
  auto r = (*session)->Run("SELECT id, v FROM raw.shop_accounts_current ORDER BY id");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0][1], "new");
  EXPECT_EQ(r->rows[1][1], "only");
  // Datasets that are not lastmodified imports get none.
  EXPECT_FALSE((*session)->Run("SELECT * FROM raw.sic_customers_current").ok());
  EXPECT_EQ(CurrentStateSelect("x", R"({"format": "custlake-import/1", "incremental": "append"})"), "");
  EXPECT_EQ(CurrentStateSelect("x", "not json"), "");
}

}  // namespace
}  // namespace custlake::query
