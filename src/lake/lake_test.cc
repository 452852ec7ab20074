// Layout, checksums, and the Lake API in normal use: init/open, a batch's
// life, readers, replace + vacuum, recovery's sweep, locks, status and runs.
// The failure cases of the commit protocol are in commit_test.cc.
#include "lake/lake.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "lake/checksum.h"
#include "lake/file_util.h"
#include "lake/lake_testing.h"

namespace custlake::lake {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// --- layout ---

TEST(LayoutTest, DatasetIdsAndFolders) {
  Layout layout("/data/lake/");
  EXPECT_EQ(layout.root(), "/data/lake");
  EXPECT_EQ(layout.DatasetDir(DatasetId::Raw("sic/customers")), "/data/lake/raw/sic/customers");
  EXPECT_EQ(layout.StagingDir(7), "/data/lake/_staging/7");
  EXPECT_EQ(layout.MetastorePath(), "/data/lake/_metastore.db");
  ASSERT_OK_AND_ASSIGN(auto rel, layout.PartitionRelative(DatasetId::Quarantine("usage"),
                                                          {{"ingest_date", "2024-05-01"}}));
  EXPECT_EQ(rel, "quarantine/usage/ingest_date=2024-05-01");
  ASSERT_OK_AND_ASSIGN(auto id, DatasetId::Parse("warehouse/fact_customer_metrics"));
  EXPECT_EQ(id, DatasetId::Warehouse("fact_customer_metrics"));
  EXPECT_FALSE(DatasetId::Parse("usage").ok());
  EXPECT_FALSE(DatasetId::Parse("lake/usage").ok());
  EXPECT_EQ(PartFileName(12, 3), "part-12-3.parquet");
}

TEST(LayoutTest, NamesAndPathsAreValidated) {
  EXPECT_OK(ValidateDatasetName("sic/customers"));
  for (const char* bad : {"", "a//b", "../x", "_hidden", ".x", "a/b=c", "a b", "a/"}) {
    EXPECT_FALSE(ValidateDatasetName(bad).ok()) << bad;
  }
  EXPECT_OK(ValidateRelativePath("event_date=2024-01-01/part-1-0.parquet"));
  for (const char* bad : {"", "/abs", "a/../b", "./a", "_staging/x", ".hidden", "a//b"}) {
    EXPECT_FALSE(ValidateRelativePath(bad).ok()) << bad;
  }
}

TEST(LayoutTest, PartitionsEscapeLikeHive) {
  ASSERT_OK_AND_ASSIGN(auto path, PartitionPath({{"ts", "2024-05-01 10:00"}, {"region", "eu/west"}}));
  EXPECT_EQ(path, "ts=2024-05-01 10%3A00/region=eu%2Fwest");
  Partition back = ParsePartition(path + "/part-1-0.parquet");
  EXPECT_EQ(back, (Partition{{"ts", "2024-05-01 10:00"}, {"region", "eu/west"}}));
  EXPECT_TRUE(ParsePartition("part-1-0.parquet").empty());
  EXPECT_FALSE(PartitionPath({{"bad key", "x"}}).ok());
  EXPECT_FALSE(PartitionPath({{"k", ""}}).ok());
  EXPECT_EQ(UnescapePartitionValue("100%"), "100%");
}

TEST(ChecksumTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  EXPECT_EQ(Sha256Hex(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Incremental updates in odd sizes agree with one-shot.
  Sha256 sha;
  for (size_t i = 0; i < million.size(); i += 997) sha.Update(million.substr(i, 997));
  EXPECT_EQ(sha.HexDigest(), Sha256Hex(million));
  TempDir dir;
  WriteFile(dir.Sub("f"), "abc");
  ASSERT_OK_AND_ASSIGN(auto sum, Sha256File(dir.Sub("f")));
  EXPECT_EQ(sum, Sha256Hex("abc"));
}

TEST(ChecksumTest, Xxh128KnownVectorsAndFiles) {
  // XXH3-128 in its canonical (big-endian) order; "" is xxHash's published value.
  EXPECT_EQ(Xxh128Hex(""), "99aa06d3014798d86001c324468d497f");
  EXPECT_EQ(static_cast<int>(Xxh128Hex("").size()), HexDigits(ContentHash::kXxh128));
  EXPECT_EQ(static_cast<int>(Sha256Hex("").size()), HexDigits(ContentHash::kSha256));
  EXPECT_EQ(Xxh128Hex("abc"), "06b05ab6733a618578af5f94892f3950");
  const std::string million(1000000, 'a');
  EXPECT_EQ(Xxh128Hex(million), "a545df8e384a9579b1fd6fae5285c4eb");
  // A file is hashed in 1 MiB blocks: more than one block, then the bytes read.
  TempDir dir;
  const std::string big = million + million + "tail";
  WriteFile(dir.Sub("big"), big);
  int64_t bytes = 0;
  ASSERT_OK_AND_ASSIGN(auto sum, HashFile(dir.Sub("big"), ContentHash::kXxh128, &bytes));
  EXPECT_EQ(sum, Xxh128Hex(big));
  EXPECT_EQ(bytes, static_cast<int64_t>(big.size()));
  ASSERT_OK_AND_ASSIGN(auto sha, HashFile(dir.Sub("big"), ContentHash::kSha256));
  EXPECT_EQ(sha, Sha256Hex(big));
  EXPECT_FALSE(HashFile(dir.Sub("missing"), ContentHash::kXxh128).ok());
}

// --- the lake ---

class LakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lake = Lake::Init(dir_.Sub("lake"));
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::move(lake).value();
  }

  // Writes one file into a new batch of `ds` and commits it.
  Result<int64_t> CommitFile(const DatasetId& ds, const Partition& p, const std::string& content,
                             BatchOptions options = {}) {
    ASSIGN_OR_RETURN(auto batch, lake_->BeginBatch(ds, std::move(options)));
    ASSIGN_OR_RETURN(auto part, batch.NewPart(p));
    WriteFile(part.staging_path, content);
    RETURN_NOT_OK(batch.AddFile(part, static_cast<int64_t>(content.size())));
    RETURN_NOT_OK(batch.Commit());
    return batch.id();
  }

  TempDir dir_;
  std::unique_ptr<Lake> lake_;
};

TEST_F(LakeTest, InitCreatesTheLayoutAndIsIdempotent) {
  for (const char* sub : {"raw", "quarantine", "warehouse", "models", "archive", "_staging", "_metastore.db"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_.Sub(std::string("lake/") + sub))) << sub;
  }
  ASSERT_OK(CommitFile(DatasetId::Raw("usage"), {}, "x").status());
  lake_.reset();
  ASSERT_OK_AND_ASSIGN(auto again, Lake::Init(dir_.Sub("lake")));
  ASSERT_OK_AND_ASSIGN(auto files, again->CommittedFiles(DatasetId::Raw("usage")));
  EXPECT_EQ(files.size(), 1u);
}

TEST_F(LakeTest, OpenOfMissingLakeSaysWhatToDo) {
  auto lake = Lake::Open(dir_.Sub("elsewhere"));
  ASSERT_FALSE(lake.ok());
  EXPECT_EQ(lake.status().code(), StatusCode::kNotFound);
  EXPECT_NE(lake.status().message().find("custlake init"), std::string::npos);
}

TEST_F(LakeTest, CommittedBatchIsVisibleWithLineageAndPartitions) {
  BatchOptions options;
  options.lineage.source = "sqlite:demo.db";
  options.lineage.query = "SELECT * FROM customers";
  options.lineage.extra["split"] = "1/4";
  ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(DatasetId::Raw("sic/customers"), options));
  ASSERT_OK_AND_ASSIGN(auto p1, batch.NewPart({{"ingest_date", "2024-05-01"}}));
  ASSERT_OK_AND_ASSIGN(auto p2, batch.NewPart({{"ingest_date", "2024-05-02"}}));
  EXPECT_EQ(p1.path, "ingest_date=2024-05-01/part-" + std::to_string(batch.id()) + "-0.parquet");
  EXPECT_EQ(p1.staging_path.rfind(batch.staging_dir(), 0), 0u);
  WriteFile(p1.staging_path, "one");
  WriteFile(p2.staging_path, "two!");
  ASSERT_OK(batch.AddFile(p1, 10, R"({"split":1})"));
  ASSERT_OK(batch.AddFile(p2, 20));
  EXPECT_EQ(batch.AddFile(p2, 0).code(), StatusCode::kAlreadyExists);
  ASSERT_OK(batch.SetSchema(R"({"customer_id":"BIGINT"})"));

  // Not visible before Commit.
  ASSERT_OK_AND_ASSIGN(auto before, lake_->CommittedFiles(DatasetId::Raw("sic/customers")));
  EXPECT_TRUE(before.empty());
  ASSERT_OK(batch.Commit());
  EXPECT_FALSE(batch.Commit().ok());  // only once

  ASSERT_OK_AND_ASSIGN(auto files, lake_->CommittedFiles(DatasetId::Raw("sic/customers")));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "raw/sic/customers/" + p1.path);
  EXPECT_EQ(files[0].absolute_path, lake_->layout().Absolute(files[0].path));
  EXPECT_EQ(ReadFile(files[0].absolute_path), "one");
  EXPECT_EQ(files[0].partition, (Partition{{"ingest_date", "2024-05-01"}}));
  EXPECT_EQ(files[0].checksum, Sha256Hex("one"));
  EXPECT_EQ(files[0].provenance_json, R"({"split":1})");
  EXPECT_EQ(files[1].byte_count, 4);
  ASSERT_OK_AND_ASSIGN(auto day2, lake_->CommittedPaths(DatasetId::Raw("sic/customers"),
                                                        {{"ingest_date", "2024-05-02"}}));
  ASSERT_EQ(day2.size(), 1u);
  EXPECT_EQ(ReadFile(day2[0]), "two!");

  ASSERT_OK_AND_ASSIGN(auto info, lake_->GetBatch(batch.id()));
  EXPECT_EQ(info->state, BatchState::kCommitted);
  EXPECT_EQ(info->row_count, 30);
  EXPECT_EQ(info->byte_count, 7);
  EXPECT_EQ(info->file_count, 2);
  EXPECT_EQ(info->lineage_json,
            R"({"source":"sqlite:demo.db","query":"SELECT * FROM customers","split":"1/4"})");
  ASSERT_OK_AND_ASSIGN(auto ds, lake_->GetDataset(DatasetId::Raw("sic/customers")));
  EXPECT_EQ(ds->schema_json, R"({"customer_id":"BIGINT"})");
  EXPECT_FALSE(std::filesystem::exists(batch.staging_dir()));
}

TEST_F(LakeTest, DroppedOrAbortedBatchLeavesNothing) {
  int64_t id = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(DatasetId::Raw("usage")));
    id = batch.id();
    ASSERT_OK_AND_ASSIGN(auto part, batch.NewPart());
    WriteFile(part.staging_path, "x");
    ASSERT_OK(batch.AddFile(part, 0));
    ASSERT_OK(batch.SetCursor("k", "1"));
  }  // dropped without Commit
  ASSERT_OK_AND_ASSIGN(auto info, lake_->GetBatch(id));
  EXPECT_EQ(info->state, BatchState::kAborted);
  EXPECT_FALSE(std::filesystem::exists(lake_->layout().StagingDir(id)));
  ASSERT_OK_AND_ASSIGN(auto cur, lake_->GetCursor("k"));
  EXPECT_FALSE(cur.has_value());

  ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(DatasetId::Raw("usage")));
  ASSERT_OK(batch.Abort("changed my mind"));
  EXPECT_FALSE(batch.AddFile("x.parquet", 0).ok());
  ASSERT_OK_AND_ASSIGN(info, lake_->GetBatch(batch.id()));
  EXPECT_EQ(info->error, "changed my mind");
}

TEST_F(LakeTest, AddFileNeedsTheStagedFileAndValidInput) {
  ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(DatasetId::Raw("usage")));
  Status st = batch.AddFile("never-written.parquet", 0);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("batch " + std::to_string(batch.id())), std::string::npos) << st.message();
  EXPECT_FALSE(batch.StagingPath("../escape").ok());
  ASSERT_OK_AND_ASSIGN(auto path, batch.StagingPath("a.parquet"));
  WriteFile(path, "a");
  EXPECT_EQ(batch.AddFile("a.parquet", 0, "[1]").code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(batch.SetSchema("{not json").ok());
  EXPECT_FALSE(lake_->BeginBatch(DatasetId::Raw("bad/../name")).ok());
}

TEST_F(LakeTest, OneBatchWritesRawAndQuarantineTogether) {
  ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(DatasetId::Raw("usage")));
  ASSERT_OK_AND_ASSIGN(auto good, batch.NewPart({{"event_date", "2024-05-01"}}));
  ASSERT_OK_AND_ASSIGN(auto bad, batch.NewPart(DatasetId::Quarantine("usage"), {}, "ndjson"));
  WriteFile(good.staging_path, "good");
  WriteFile(bad.staging_path, "{bad");
  ASSERT_OK(batch.AddFile(good, 9));
  ASSERT_OK(batch.AddFile(bad, 1));
  ASSERT_OK(batch.AddQuarantined(1, "malformed json"));
  ASSERT_OK(batch.Commit());
  ASSERT_OK_AND_ASSIGN(auto q, lake_->CommittedFiles(DatasetId::Quarantine("usage")));
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].path, "quarantine/usage/" + bad.path);
  ASSERT_OK_AND_ASSIGN(auto counts, lake_->ListQuarantine(batch.id()));
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].dataset, DatasetId::Raw("usage"));
  EXPECT_EQ(counts[0].reason, "malformed json");

  ASSERT_OK_AND_ASSIGN(auto summary, lake_->Summary());
  EXPECT_EQ(summary.file_count, 2);
  EXPECT_EQ(summary.row_count, 10);
  EXPECT_EQ(summary.quarantined_count, 1);
  EXPECT_EQ(summary.schema_version, kMetastoreSchemaVersion);
  std::string json = summary.ToJson();
  EXPECT_NE(json.find("\"quarantine/usage\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"recent_batches\""), std::string::npos);
}

TEST_F(LakeTest, AdoptsATreeAWriterLaidOutItself) {
  ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(DatasetId::Raw("usage")));
  ASSERT_OK_AND_ASSIGN(std::string dir, batch.StagingDatasetDir(DatasetId::Raw("usage")));
  // What COPY ... (PARTITION_BY (event_date), FILENAME_PATTERN 'part-<id>-{i}') leaves.
  std::string prefix = "part-" + std::to_string(batch.id());
  WriteFile(dir + "/event_date=2024-05-01/" + prefix + "-0.parquet", "aa");
  WriteFile(dir + "/event_date=2024-05-02/" + prefix + "-0.parquet", "bbb");
  ASSERT_OK_AND_ASSIGN(int added, batch.AddStagedFiles(DatasetId::Raw("usage"), [](const std::string& path) {
    return Result<int64_t>(static_cast<int64_t>(ReadFile(path).size()));
  }));
  EXPECT_EQ(added, 2);
  ASSERT_OK_AND_ASSIGN(added, batch.AddStagedFiles(DatasetId::Raw("usage")));
  EXPECT_EQ(added, 0);  // already declared
  EXPECT_EQ(batch.row_count(), 5);
  ASSERT_OK(batch.Commit());
  ASSERT_OK_AND_ASSIGN(auto files, lake_->CommittedFiles(DatasetId::Raw("usage"), {{"event_date", "2024-05-02"}}));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].row_count, 3);
  EXPECT_EQ(ReadFile(files[0].absolute_path), "bbb");
}

TEST_F(LakeTest, ReplaceRetiresEarlierFilesAndVacuumDeletesThem) {
  ASSERT_OK(CommitFile(DatasetId::Warehouse("dim_date"), {}, "v1").status());
  ASSERT_OK_AND_ASSIGN(auto v1, lake_->CommittedPaths(DatasetId::Warehouse("dim_date")));
  BatchOptions replace;
  replace.replace = true;
  ASSERT_OK(CommitFile(DatasetId::Warehouse("dim_date"), {}, "v2", replace).status());
  ASSERT_OK_AND_ASSIGN(auto v2, lake_->CommittedPaths(DatasetId::Warehouse("dim_date")));
  ASSERT_EQ(v2.size(), 1u);
  EXPECT_EQ(ReadFile(v2[0]), "v2");
  // Kept, out of the table's folder (superseded_test.cc), until a vacuum.
  EXPECT_FALSE(std::filesystem::exists(v1[0]));
  const std::string set_aside = dir_.Sub("lake/_superseded/" + v1[0].substr(dir_.Sub("lake/").size()));
  EXPECT_EQ(ReadFile(set_aside), "v1");

  ASSERT_OK_AND_ASSIGN(auto kept, lake_->Vacuum(std::chrono::hours(1)));
  EXPECT_EQ(kept.files_removed, 0);
  ASSERT_OK_AND_ASSIGN(auto vacuumed, lake_->Vacuum(std::chrono::seconds(0)));
  EXPECT_EQ(vacuumed.files_removed, 1);
  EXPECT_FALSE(std::filesystem::exists(set_aside));
  EXPECT_TRUE(std::filesystem::exists(v2[0]));
}

TEST_F(LakeTest, SameFinalPathTwiceIsRefused) {
  auto write = [&](const std::string& content) -> Status {
    ASSIGN_OR_RETURN(auto batch, lake_->BeginBatch(DatasetId::Model("churn")));
    ASSIGN_OR_RETURN(auto path, batch.StagingPath("model.json"));
    WriteFile(path, content);
    RETURN_NOT_OK(batch.AddFile("model.json", 0));
    return batch.Commit();
  };
  ASSERT_OK(write("first"));
  Status st = write("second");
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  ASSERT_OK_AND_ASSIGN(auto paths, lake_->CommittedPaths(DatasetId::Model("churn")));
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(ReadFile(paths[0]), "first");
}

TEST_F(LakeTest, OpenSweepsUnlistedFilesInManagedZonesOnly) {
  ASSERT_OK(CommitFile(DatasetId::Raw("usage"), {{"d", "1"}}, "keep").status());
  WriteFile(dir_.Sub("lake/raw/usage/d=1/part-99-0.parquet"), "stray");
  WriteFile(dir_.Sub("lake/raw/other/x.parquet"), "stray");
  WriteFile(dir_.Sub("lake/archive/landing.ndjson"), "not managed");
  WriteFile(dir_.Sub("lake/_staging/1234/raw/usage/part-1234-0.parquet"), "left over");
  lake_.reset();
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(dir_.Sub("lake")));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("lake/raw/usage/d=1/part-99-0.parquet")));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("lake/raw/other")));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("lake/_staging/1234")));
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("lake/archive/landing.ndjson")));
  ASSERT_OK_AND_ASSIGN(auto files, lake->CommittedPaths(DatasetId::Raw("usage")));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(ReadFile(files[0]), "keep");
}

TEST_F(LakeTest, RecoveryNeverRunsWhileABatchIsLive) {
  ASSERT_OK_AND_ASSIGN(auto batch, lake_->BeginBatch(DatasetId::Raw("usage")));
  ASSERT_OK_AND_ASSIGN(auto part, batch.NewPart());
  WriteFile(part.staging_path, "in flight");
  WriteFile(dir_.Sub("lake/raw/usage/stray.parquet"), "stray");
  // Another Lake (as another process would) cannot clean up now...
  ASSERT_OK_AND_ASSIGN(auto other, Lake::Open(dir_.Sub("lake")));
  ASSERT_OK_AND_ASSIGN(auto report, other->Recover());
  EXPECT_FALSE(report.ran);
  EXPECT_TRUE(std::filesystem::exists(part.staging_path));
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("lake/raw/usage/stray.parquet")));
  // ...but can write a batch of its own at the same time.
  ASSERT_OK_AND_ASSIGN(auto second, other->BeginBatch(DatasetId::Raw("tickets")));
  ASSERT_OK(second.Commit());
  ASSERT_OK(batch.AddFile(part, 0));
  ASSERT_OK(batch.Commit());
  ASSERT_OK_AND_ASSIGN(report, other->Recover());
  EXPECT_TRUE(report.ran);
  EXPECT_EQ(report.files_removed, 1);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("lake/raw/usage/stray.parquet")));
  ASSERT_OK_AND_ASSIGN(auto files, other->CommittedFiles(DatasetId::Raw("usage")));
  EXPECT_EQ(files.size(), 1u);
}

TEST_F(LakeTest, ConcurrentBatchesFromThreadsAndTwoLakeObjects) {
  ASSERT_OK_AND_ASSIGN(auto second, Lake::Open(dir_.Sub("lake")));  // as another process would
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    Lake* lake = t % 2 ? second.get() : lake_.get();
    threads.emplace_back([lake, t, &failures] {
      for (int i = 0; i < 5; ++i) {
        Status st = [&]() -> Status {
          ASSIGN_OR_RETURN(auto batch, lake->BeginBatch(DatasetId::Raw("usage")));
          ASSIGN_OR_RETURN(auto part, batch.NewPart({{"thread", std::to_string(t)}}));
          WriteFile(part.staging_path, "t" + std::to_string(t) + "i" + std::to_string(i));
          RETURN_NOT_OK(batch.AddFile(part, 1));
          RETURN_NOT_OK(batch.SetCursor("thread." + std::to_string(t), std::to_string(i)));
          return batch.Commit();
        }();
        if (!st.ok()) {
          ADD_FAILURE() << st.ToString();
          failures++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(auto files, lake_->CommittedFiles(DatasetId::Raw("usage")));
  EXPECT_EQ(files.size(), 20u);
  ASSERT_OK_AND_ASSIGN(auto cursors, lake_->ListCursors());
  ASSERT_EQ(cursors.size(), 4u);
  for (const auto& c : cursors) EXPECT_EQ(c.value, "4");
  ASSERT_OK_AND_ASSIGN(auto t1, lake_->CommittedFiles(DatasetId::Raw("usage"), {{"thread", "1"}}));
  EXPECT_EQ(t1.size(), 5u);
}

TEST_F(LakeTest, ReadOnlyLakeReadsAndNeverWrites) {
  ASSERT_OK(CommitFile(DatasetId::Raw("usage"), {}, "x").status());
  WriteFile(dir_.Sub("lake/raw/usage/stray.parquet"), "stray");
  lake_.reset();  // no writer open: SQLite has removed the -wal and -shm files
  LakeOptions ro;
  ro.read_only = true;
  ASSERT_OK_AND_ASSIGN(auto reader, Lake::Open(dir_.Sub("lake"), ro));
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("lake/raw/usage/stray.parquet")));
  ASSERT_OK_AND_ASSIGN(auto files, reader->CommittedFiles(DatasetId::Raw("usage")));
  EXPECT_EQ(files.size(), 1u);
  EXPECT_EQ(reader->BeginBatch(DatasetId::Raw("usage")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(reader->Recover().ok());
  EXPECT_FALSE(reader->BeginRun("serve", {}).ok());
  // The metastore connection itself refuses writes.
  EXPECT_FALSE(reader->metastore().InsertBatch(DatasetId::Raw("usage"), "{}", std::nullopt).ok());
}

TEST_F(LakeTest, RunHistory) {
  ASSERT_OK_AND_ASSIGN(int64_t run, lake_->BeginRun("ingest", {"--landing", "demo/landing"}));
  BatchOptions options;
  options.run_id = run;
  ASSERT_OK_AND_ASSIGN(int64_t batch, CommitFile(DatasetId::Raw("usage"), {}, "x", options));
  ASSERT_OK(lake_->EndRun(run, Status::OK(), R"({"files":1})"));
  ASSERT_OK_AND_ASSIGN(int64_t failed, lake_->BeginRun("import", {}));
  ASSERT_OK(lake_->EndRun(failed, Status::SourceError("db went away")));
  ASSERT_OK_AND_ASSIGN(auto runs, lake_->ListRuns());
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].status, RunStatus::kFailed);
  EXPECT_EQ(runs[0].error, "SourceError: db went away");
  EXPECT_EQ(runs[1].status, RunStatus::kOk);
  // A run stopped by a signal is interrupted, not failed.
  ASSERT_OK_AND_ASSIGN(int64_t stopped, lake_->BeginRun("ingest", {}));
  ASSERT_OK(lake_->EndRun(stopped, Status::Cancelled("interrupted by SIGINT")));
  ASSERT_OK_AND_ASSIGN(runs, lake_->ListRuns());
  EXPECT_EQ(runs[0].status, RunStatus::kInterrupted);
  EXPECT_EQ(RunStatusName(runs[0].status), "interrupted");
  ASSERT_OK_AND_ASSIGN(auto info, lake_->GetBatch(batch));
  EXPECT_EQ(info->run_id, std::optional<int64_t>(run));
}

TEST_F(LakeTest, RecoveryMarksRunsOfDeadProcessesKilled) {
  lake_.reset();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lake = Lake::Open(dir_.Sub("lake"));
    if (!lake.ok() || !(*lake)->BeginRun("import", {}).ok()) _exit(1);
    _exit(0);  // dies without EndRun
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(dir_.Sub("lake")));
  ASSERT_OK_AND_ASSIGN(auto runs, lake->ListRuns());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, RunStatus::kKilled);
}

}  // namespace
}  // namespace custlake::lake
