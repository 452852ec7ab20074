// The metastore on its own: schema and migration, WAL across connections,
// the commit transaction's checks (path ownership, cursor expectations,
// duplicate checksums), aborts, runs and summaries.
#include "lake/metastore.h"

#include <sqlite3.h>
#include <unistd.h>

#include "lake/lake_testing.h"

namespace custlake::lake {
namespace {

using testing::TempDir;

class MetastoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MetastoreOptions o;
    o.create = true;
    auto ms = Metastore::Open(dir_.Sub("_metastore.db"), o);
    ASSERT_TRUE(ms.ok()) << ms.status().ToString();
    ms_ = std::move(ms).value();
  }

  FileInfo File(const std::string& path, int64_t rows = 1) {
    FileInfo f;
    f.dataset = DatasetId::Raw("usage");
    f.path = path;
    f.partition = ParsePartition(path);
    f.row_count = rows;
    return f;
  }

  // A batch with one reserved file, committed through CommitBatch.
  Result<int64_t> CommitOne(const std::string& path, BatchCommit c = {}) {
    ASSIGN_OR_RETURN(int64_t id, ms_->InsertBatch(DatasetId::Raw("usage"), "{\"source\":\"t\"}", std::nullopt));
    RETURN_NOT_OK(ms_->ReserveFiles(id, {File(path, 5)}));
    c.batch_id = id;
    c.dataset = DatasetId::Raw("usage");
    c.touched.push_back(c.dataset);
    c.file_count = 1;
    c.row_count = 5;
    RETURN_NOT_OK(ms_->CommitBatch(c, nullptr));
    return id;
  }

  TempDir dir_;
  std::unique_ptr<Metastore> ms_;
};

TEST_F(MetastoreTest, FreshFileHasCurrentSchemaInWalMode) {
  ASSERT_OK_AND_ASSIGN(int v, ms_->SchemaVersion());
  EXPECT_EQ(v, kMetastoreSchemaVersion);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.Sub("_metastore.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_F(MetastoreTest, MissingFileIsNotFoundWithoutCreate) {
  auto ms = Metastore::Open(dir_.Sub("nope.db"));
  ASSERT_FALSE(ms.ok());
  EXPECT_EQ(ms.status().code(), StatusCode::kNotFound);
  EXPECT_NE(ms.status().message().find("custlake init"), std::string::npos);
}

TEST_F(MetastoreTest, NewerSchemaIsRefused) {
  ms_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.Sub("_metastore.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto ms = Metastore::Open(dir_.Sub("_metastore.db"));
  ASSERT_FALSE(ms.ok());
  EXPECT_EQ(ms.status().code(), StatusCode::kCorruption);
  EXPECT_NE(ms.status().message().find("upgrade custlake"), std::string::npos);
}

TEST_F(MetastoreTest, ReopenKeepsData) {
  ASSERT_OK_AND_ASSIGN(int64_t id, CommitOne("raw/usage/part-1-0.parquet"));
  ms_.reset();
  ASSERT_OK_AND_ASSIGN(auto ms, Metastore::Open(dir_.Sub("_metastore.db")));
  ASSERT_OK_AND_ASSIGN(auto batch, ms->GetBatch(id));
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->state, BatchState::kCommitted);
  EXPECT_EQ(batch->row_count, 5);
  EXPECT_EQ(batch->lineage_json, "{\"source\":\"t\"}");
}

TEST_F(MetastoreTest, PendingFilesAreInvisibleUntilCommit) {
  ASSERT_OK_AND_ASSIGN(int64_t id, ms_->InsertBatch(DatasetId::Raw("usage"), "{}", std::nullopt));
  ASSERT_OK(ms_->ReserveFiles(id, {File("raw/usage/d=1/part-1-0.parquet")}));
  ASSERT_OK_AND_ASSIGN(auto live, ms_->ListFiles(DatasetId::Raw("usage")));
  EXPECT_TRUE(live.empty());
  ASSERT_OK_AND_ASSIGN(auto pending, ms_->ListFiles(DatasetId::Raw("usage"), FileState::kPending));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].partition, (Partition{{"d", "1"}}));
}

TEST_F(MetastoreTest, SecondConnectionSeesCommitsAndWaitsForWriter) {
  ASSERT_OK_AND_ASSIGN(auto reader, Metastore::Open(dir_.Sub("_metastore.db")));
  ASSERT_OK(CommitOne("raw/usage/part-1-0.parquet").status());
  ASSERT_OK_AND_ASSIGN(auto files, reader->ListFiles(DatasetId::Raw("usage")));
  EXPECT_EQ(files.size(), 1u);
}

TEST_F(MetastoreTest, PathOwnedByAnotherBatchIsRefused) {
  ASSERT_OK_AND_ASSIGN(int64_t first, CommitOne("raw/usage/part-x.parquet"));
  ASSERT_OK_AND_ASSIGN(int64_t id, ms_->InsertBatch(DatasetId::Raw("usage"), "{}", std::nullopt));
  Status st = ms_->ReserveFiles(id, {File("raw/usage/part-y.parquet"), File("raw/usage/part-x.parquet")});
  ASSERT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  EXPECT_NE(st.message().find("batch " + std::to_string(first)), std::string::npos) << st.message();
  // The whole reservation rolled back: part-y is not reserved either.
  ASSERT_OK_AND_ASSIGN(auto files, ms_->BatchFiles(id));
  EXPECT_TRUE(files.empty());
}

TEST_F(MetastoreTest, CursorExpectationIsChecked) {
  BatchCommit c;
  c.cursors.push_back({"k", "10", true, std::nullopt});
  ASSERT_OK(CommitOne("raw/usage/a.parquet", c).status());
  ASSERT_OK_AND_ASSIGN(auto v, ms_->GetCursor("k"));
  EXPECT_EQ(v, std::optional<std::string>("10"));

  BatchCommit stale;  // read the cursor before it moved
  stale.cursors.push_back({"k", "20", true, std::nullopt});
  Result<int64_t> r = CommitOne("raw/usage/b.parquet", stale);
  ASSERT_EQ(r.status().code(), StatusCode::kAlreadyExists) << r.status().ToString();
  ASSERT_OK_AND_ASSIGN(v, ms_->GetCursor("k"));
  EXPECT_EQ(v, std::optional<std::string>("10"));
  ASSERT_OK_AND_ASSIGN(auto live, ms_->ListFiles(DatasetId::Raw("usage")));
  EXPECT_EQ(live.size(), 1u);

  BatchCommit fresh;
  fresh.cursors.push_back({"k", "20", true, std::string("10")});
  ASSERT_OK(CommitOne("raw/usage/c.parquet", fresh).status());
  ASSERT_OK_AND_ASSIGN(v, ms_->GetCursor("k"));
  EXPECT_EQ(v, std::optional<std::string>("20"));
}

TEST_F(MetastoreTest, DuplicateChecksumRefusesTheWholeCommit) {
  BatchCommit c;
  c.ingested.push_back({"abc", "landing/a.json", 3, DatasetId::Raw("usage"), 0, ""});
  ASSERT_OK_AND_ASSIGN(int64_t first, CommitOne("raw/usage/a.parquet", c));
  Result<int64_t> again = CommitOne("raw/usage/b.parquet", c);
  ASSERT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("skip it"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto found, ms_->FindIngestedFile(DatasetId::Raw("usage"), "abc"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->batch_id, first);
  ASSERT_OK_AND_ASSIGN(auto live, ms_->ListFiles(DatasetId::Raw("usage")));
  EXPECT_EQ(live.size(), 1u);
}

// Checksums are per dataset: the same content ingested into another
// dataset is another ingestion, not a duplicate.
TEST_F(MetastoreTest, IngestedChecksumsArePerDataset) {
  BatchCommit c;
  c.ingested.push_back({"abc", "landing/a.json", 3, DatasetId::Raw("usage"), 0, ""});
  ASSERT_OK(CommitOne("raw/usage/a.parquet", c).status());
  BatchCommit other;
  other.ingested.push_back({"abc", "landing/other/a.json", 3, DatasetId::Raw("tickets"), 0, ""});
  ASSERT_OK(CommitOne("raw/usage/b.parquet", other).status());
  ASSERT_OK_AND_ASSIGN(auto usage, ms_->FindIngestedFile(DatasetId::Raw("usage"), "abc"));
  ASSERT_OK_AND_ASSIGN(auto tickets, ms_->FindIngestedFile(DatasetId::Raw("tickets"), "abc"));
  ASSERT_TRUE(usage && tickets);
  EXPECT_EQ(usage->source_path, "landing/a.json");
  EXPECT_EQ(tickets->source_path, "landing/other/a.json");
  ASSERT_OK_AND_ASSIGN(auto none, ms_->FindIngestedFile(DatasetId::Raw("orders"), "abc"));
  EXPECT_FALSE(none.has_value());
}

// A version-1 metastore (ingested_files keyed by checksum alone) migrates
// to per-dataset keys, keeping its rows.
TEST_F(MetastoreTest, MigratesFromVersionOne) {
  BatchCommit c;
  c.ingested.push_back({"abc", "landing/a.json", 3, DatasetId::Raw("usage"), 0, ""});
  ASSERT_OK_AND_ASSIGN(int64_t batch, CommitOne("raw/usage/a.parquet", c));
  ms_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.Sub("_metastore.db").c_str(), &db), SQLITE_OK);
  const char* to_v1 = R"sql(
    CREATE TABLE v1 (checksum TEXT PRIMARY KEY, source_path TEXT NOT NULL, byte_count INTEGER NOT NULL DEFAULT 0,
                     dataset_id TEXT NOT NULL, batch_id INTEGER NOT NULL REFERENCES batches(batch_id),
                     ingested_at TEXT NOT NULL);
    INSERT INTO v1 SELECT checksum, source_path, byte_count, dataset_id, batch_id, ingested_at FROM ingested_files;
    DROP TABLE ingested_files;
    ALTER TABLE v1 RENAME TO ingested_files;
    DROP TABLE landing_identities;
    PRAGMA user_version = 1;)sql";
  ASSERT_EQ(sqlite3_exec(db, to_v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  MetastoreOptions o;
  ASSERT_OK_AND_ASSIGN(ms_, Metastore::Open(dir_.Sub("_metastore.db"), o));
  ASSERT_OK_AND_ASSIGN(int version, ms_->SchemaVersion());
  EXPECT_EQ(version, kMetastoreSchemaVersion);
  ASSERT_OK_AND_ASSIGN(auto found, ms_->FindIngestedFile(DatasetId::Raw("usage"), "abc"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->batch_id, batch);
  BatchCommit other;
  other.ingested.push_back({"abc", "landing/b.json", 3, DatasetId::Raw("tickets"), 0, ""});
  EXPECT_OK(CommitOne("raw/usage/b.parquet", other).status());
  // 2 -> 3: landing identities, listed only while their content is in ingested_files.
  ASSERT_OK(ms_->UpdateLandingIdentities(DatasetId::Raw("usage"),
                                         {{"/landing/a.json", 3, 1, 2, 3, "abc"}, {"/landing/c.json", 3, 1, 2, 4, "zzz"}}, {}));
  ASSERT_OK_AND_ASSIGN(auto known, ms_->ListLandingIdentities(DatasetId::Raw("usage")));
  ASSERT_EQ(known.size(), 1u);
  EXPECT_EQ(known[0].path, "/landing/a.json");
  ASSERT_OK(ms_->UpdateLandingIdentities(DatasetId::Raw("usage"), {}, {"/landing/a.json"}));
  ASSERT_OK_AND_ASSIGN(auto forgotten, ms_->ListLandingIdentities(DatasetId::Raw("usage")));
  EXPECT_TRUE(forgotten.empty());
}

// 3 -> 4: runs.status gains 'interrupted' and 'partial'. The runs table is
// copied; the batches that reference a run keep it (foreign keys hold).
TEST_F(MetastoreTest, MigratesRunsFromVersionThree) {
  ASSERT_OK_AND_ASSIGN(int64_t run, ms_->BeginRun("ingest", {}));
  ASSERT_OK_AND_ASSIGN(int64_t batch, ms_->InsertBatch(DatasetId::Raw("usage"), "{}", run));
  ms_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.Sub("_metastore.db").c_str(), &db), SQLITE_OK);
  const char* to_v3 = R"sql(
    PRAGMA foreign_keys=OFF;
    CREATE TABLE v3 (run_id INTEGER PRIMARY KEY AUTOINCREMENT, verb TEXT NOT NULL,
                     args_json TEXT NOT NULL DEFAULT '[]',
                     status TEXT NOT NULL CHECK (status IN ('running','ok','failed','killed')),
                     started_at TEXT NOT NULL, ended_at TEXT, pid INTEGER NOT NULL, host TEXT NOT NULL,
                     summary_json TEXT NOT NULL DEFAULT '{}', error TEXT);
    INSERT INTO v3 SELECT * FROM runs;
    DROP TABLE runs;
    ALTER TABLE v3 RENAME TO runs;
    DROP INDEX ingested_files_by_path;
    PRAGMA user_version = 3;)sql";
  ASSERT_EQ(sqlite3_exec(db, to_v3, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  EXPECT_NE(sqlite3_exec(db, "UPDATE runs SET status = 'interrupted'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ASSERT_OK_AND_ASSIGN(ms_, Metastore::Open(dir_.Sub("_metastore.db"), MetastoreOptions{}));
  ASSERT_OK_AND_ASSIGN(int version, ms_->SchemaVersion());
  EXPECT_EQ(version, kMetastoreSchemaVersion);
  ASSERT_OK(ms_->EndRun(run, RunStatus::kInterrupted, "{}", "interrupted"));
  ASSERT_OK_AND_ASSIGN(auto runs, ms_->ListRuns(10));
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, RunStatus::kInterrupted);
  ASSERT_OK_AND_ASSIGN(int64_t next, ms_->BeginRun("ingest", {}));
  EXPECT_GT(next, run);
  ASSERT_OK(ms_->EndRun(next, RunStatus::kPartial, "{}", "1 file unreadable"));
  ASSERT_OK_AND_ASSIGN(auto info, ms_->GetBatch(batch));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->run_id, std::optional<int64_t>(run));
}

TEST_F(MetastoreTest, FailPointInsideTransactionRollsBack) {
  ASSERT_OK_AND_ASSIGN(int64_t id, ms_->InsertBatch(DatasetId::Raw("usage"), "{}", std::nullopt));
  ASSERT_OK(ms_->ReserveFiles(id, {File("raw/usage/a.parquet")}));
  BatchCommit c;
  c.batch_id = id;
  c.dataset = DatasetId::Raw("usage");
  c.touched = {c.dataset};
  c.file_count = 1;
  c.cursors.push_back({"k", "1", false, std::nullopt});
  Status st = ms_->CommitBatch(c, [](std::string_view step) {
    return step == "commit.in_transaction" ? Status::IOError("injected") : Status::OK();
  });
  ASSERT_FALSE(st.ok());
  ASSERT_OK_AND_ASSIGN(auto batch, ms_->GetBatch(id));
  EXPECT_EQ(batch->state, BatchState::kWriting);
  ASSERT_OK_AND_ASSIGN(auto cur, ms_->GetCursor("k"));
  EXPECT_FALSE(cur.has_value());
  ASSERT_OK_AND_ASSIGN(auto datasets, ms_->ListDatasets());
  EXPECT_TRUE(datasets.empty());
  // Abort drops the reservation.
  ASSERT_OK(ms_->AbortBatch(id, "test"));
  ASSERT_OK_AND_ASSIGN(auto files, ms_->BatchFiles(id));
  EXPECT_TRUE(files.empty());
  ASSERT_OK_AND_ASSIGN(batch, ms_->GetBatch(id));
  EXPECT_EQ(batch->state, BatchState::kAborted);
  EXPECT_EQ(batch->error, "test");
  // An aborted batch can no longer commit.
  EXPECT_FALSE(ms_->CommitBatch(c, nullptr).ok());
}

TEST_F(MetastoreTest, ReplaceRetiresEarlierFiles) {
  ASSERT_OK(CommitOne("raw/usage/a.parquet").status());
  BatchCommit c;
  c.replace = {DatasetId::Raw("usage")};
  ASSERT_OK_AND_ASSIGN(int64_t second, CommitOne("raw/usage/b.parquet", c));
  ASSERT_OK_AND_ASSIGN(auto live, ms_->ListFiles(DatasetId::Raw("usage")));
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].path, "raw/usage/b.parquet");
  ASSERT_OK_AND_ASSIGN(auto retired, ms_->RetiredFiles("9999"));
  ASSERT_EQ(retired.size(), 1u);
  EXPECT_EQ(retired[0].retired_by, std::optional<int64_t>(second));
}

TEST_F(MetastoreTest, SummaryAndQuarantine) {
  BatchCommit c;
  c.quarantine.push_back({0, DatasetId::Quarantine("usage"), "malformed", 4});
  c.touched = {DatasetId::Quarantine("usage")};
  c.schemas["raw/usage"] = "{\"columns\":[]}";
  ASSERT_OK_AND_ASSIGN(int64_t id, CommitOne("raw/usage/a.parquet", c));
  ASSERT_OK_AND_ASSIGN(auto q, ms_->ListQuarantine(id));
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].record_count, 4);
  ASSERT_OK_AND_ASSIGN(auto stats, ms_->DatasetSummary());
  ASSERT_EQ(stats.size(), 2u);  // quarantine/usage, raw/usage
  EXPECT_EQ(stats[0].dataset.ToString(), "quarantine/usage");
  EXPECT_EQ(stats[0].quarantined_count, 4);
  EXPECT_EQ(stats[1].file_count, 1);
  EXPECT_EQ(stats[1].row_count, 5);
  EXPECT_EQ(stats[1].batch_count, 1);
  ASSERT_OK_AND_ASSIGN(auto ds, ms_->GetDataset(DatasetId::Raw("usage")));
  ASSERT_TRUE(ds.has_value());
  EXPECT_EQ(ds->schema_json, "{\"columns\":[]}");
}

TEST_F(MetastoreTest, RunsAndReaping) {
  ASSERT_OK_AND_ASSIGN(int64_t a, ms_->BeginRun("import", {"--source", "sic"}));
  ASSERT_OK_AND_ASSIGN(int64_t b, ms_->BeginRun("ingest", {}));
  ASSERT_OK(ms_->EndRun(a, RunStatus::kOk, "{\"rows\":3}", ""));
  EXPECT_EQ(ms_->EndRun(999, RunStatus::kOk, "{}", "").code(), StatusCode::kNotFound);
  // Pretend run b's process died.
  ASSERT_OK_AND_ASSIGN(int reaped, ms_->ReapDeadRuns(HostName(), [](int64_t) { return false; }));
  EXPECT_EQ(reaped, 1);
  ASSERT_OK_AND_ASSIGN(auto runs, ms_->ListRuns());
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].run_id, b);
  EXPECT_EQ(runs[0].status, RunStatus::kKilled);
  EXPECT_EQ(runs[1].status, RunStatus::kOk);
  EXPECT_EQ(runs[1].args_json, "[\"--source\",\"sic\"]");
  EXPECT_EQ(runs[1].summary_json, "{\"rows\":3}");
}

TEST(UtcNowTest, IsIsoWithMilliseconds) {
  std::string now = UtcNow();
  ASSERT_EQ(now.size(), 24u) << now;
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now.back(), 'Z');
}

}  // namespace
}  // namespace custlake::lake
