// Source options end to end: min_age_seconds (files still being written are
// left alone), files already ingested are not read again while unchanged
// (after = keep, as --watch rescans), and the ad hoc CLI
// `custlake ingest --from DIR --format F --dataset D --key K [--schema S]`.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "ingest/ingest_test_util.h"
#include "support/process.h"
#include "support/status_testing.h"

#ifndef CUSTLAKE_BIN
#error "CUSTLAKE_BIN (the custlake executable) must be defined by the build"
#endif

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;
using testing::WriteFile;

const char* kEvents =
    R"({"event_id":"e1","customer_id":1,"ts":"2025-03-01T00:00:00Z"})" "\n"
    R"({"event_id":"e2","customer_id":2,"ts":"2025-03-01T00:00:00Z"})" "\n";

TEST(IngestSourceOptions, MinAgeLeavesYoungFilesAlone) {
  const std::string dir = FreshDir("min_age");
  const std::string landing = dir + "/landing/usage";
  fs::create_directories(landing);
  WriteFile(landing + "/old.ndjson", kEvents);
  WriteFile(landing + "/young.ndjson", R"({"event_id":"e3","customer_id":3,"ts":"2025-03-01T00:00:00Z"})" "\n");
  fs::last_write_time(landing + "/old.ndjson", fs::file_time_type::clock::now() - std::chrono::hours(2));
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  auto spec = testing::UsageSource(dir + "/landing");
  spec.config.min_age_seconds = 3600;
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), spec, {}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.files, 1);
  EXPECT_EQ(st.committed, 2);
  ASSERT_EQ(st.file_reports.size(), 1u);
  EXPECT_EQ(fs::path(st.file_reports[0].path).filename(), "old.ndjson");
  // Once old enough, it is picked up.
  fs::last_write_time(landing + "/young.ndjson", fs::file_time_type::clock::now() - std::chrono::hours(2));
  ASSERT_OK_AND_ASSIGN(auto st2, ing->RunOnce());
  EXPECT_EQ(st2.files, 1);
  EXPECT_EQ(st2.committed, 1);
}

TEST(IngestSourceOptions, UnchangedIngestedFilesAreNotReadAgain) {
  const std::string dir = FreshDir("known_files");
  const std::string landing = dir + "/landing/usage";
  fs::create_directories(landing);
  WriteFile(landing + "/a.ndjson", kEvents);
  WriteFile(landing + "/b.ndjson", R"({"event_id":"e3","customer_id":3,"ts":"2025-03-01T00:00:00Z"})" "\n");
  // A file changed in the second before the scan is not vouched for by its
  // stat (LandingFile::RecentlyChanged): let these two age past it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), testing::UsageSource(dir + "/landing"), {}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.files, 2);
  EXPECT_EQ(st.files_hashed, 2);
  // A rescan (what --watch does every poll) reads nothing: the same path, size, inode, mtime and ctime.
  ASSERT_OK_AND_ASSIGN(auto again, ing->RunOnce());
  EXPECT_EQ(again.files_skipped, 2);
  EXPECT_EQ(again.files_hashed, 0);
  ASSERT_OK_AND_ASSIGN(auto files, ScanLandingFolder(landing, "*", 0));
  for (const auto& f : files) EXPECT_TRUE(ing->KnownUnchanged(f)) << f.path;
  // Nor does a later run (a new process): the metastore keeps the identities
  // (here with the folder spelled with a trailing slash).
  {
    SourceSpec slash = testing::UsageSource(dir + "/landing");
    slash.config.path += "/";
    ASSERT_OK_AND_ASSIGN(auto later, SourceIngester::Open(lake.get(), slash, {}));
    for (const auto& f : files) EXPECT_TRUE(later->KnownUnchanged(f)) << f.path;
    ASSERT_OK_AND_ASSIGN(auto next_run, later->RunOnce());
    EXPECT_EQ(next_run.files_skipped, 2);
    EXPECT_EQ(next_run.files_hashed, 0);
  }
  // A file rewritten in place with content of the same size and its mtime
  // set back is read again (its ctime moved) and ingested: new content.
  const auto mtime = fs::last_write_time(landing + "/b.ndjson");
  WriteFile(landing + "/b.ndjson", R"({"event_id":"e4","customer_id":4,"ts":"2025-03-01T00:00:00Z"})" "\n");
  fs::last_write_time(landing + "/b.ndjson", mtime);
  ASSERT_OK_AND_ASSIGN(auto later, SourceIngester::Open(lake.get(), testing::UsageSource(dir + "/landing"), {}));
  ASSERT_OK_AND_ASSIGN(auto changed, later->RunOnce());
  EXPECT_EQ(changed.files_hashed, 1);
  EXPECT_EQ(changed.files, 1);
  EXPECT_EQ(changed.committed, 1);
  // A file no longer in the folder is forgotten by the metastore too.
  fs::remove(landing + "/a.ndjson");
  ASSERT_OK(later->RunOnce());
  ASSERT_OK_AND_ASSIGN(auto kept, lake->ListLandingIdentities(lake::DatasetId::Raw("usage")));
  for (const auto& k : kept) EXPECT_NE(fs::path(k.path).filename(), "a.ndjson");
}

TEST(IngestSourceOptions, AFileChangedInTheSecondBeforeItsStatIsNotVouchedFor) {
  LandingFile f;
  f.seen_ns = 10'000'000'000;
  f.ctime_ns = f.seen_ns - 999'000'000;
  EXPECT_TRUE(f.RecentlyChanged());
  f.ctime_ns = f.seen_ns - 1'000'000'000;
  EXPECT_FALSE(f.RecentlyChanged());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The ad hoc form, run as users run it: the summary, the lake's rows, the
// key's deduplication, and a schema file given with --schema.
TEST(IngestSourceOptions, AdHocCliIngestsAFolderWithoutConfigSources) {
  const std::string dir = FreshDir("adhoc_cli");
  fs::create_directories(dir + "/drop");
  WriteFile(dir + "/custlake.toml", "[lake]\nroot = \"lake\"\n");
  WriteFile(dir + "/drop/orders-1.csv", "order_id,amount,placed_at\n1,9.5,2025-02-01T10:00:00Z\n2,x,2025-02-01\n1,9.5,2025-02-01T10:00:00Z\n");
  WriteFile(dir + "/drop/orders-2.csv", "order_id,amount,placed_at\n3,1.25,2025-02-02\n");
  WriteFile(dir + "/orders.schema.json",
            R"({"fields": [{"name": "order_id", "type": "int64", "required": true}, {"name": "amount", "type": "double"},
                           {"name": "placed_at", "type": "timestamp"}], "partition_field": "placed_at"})");
  const std::string log = dir + "/out.log";
  custlake::testing::ProcessOptions po;
  po.log_file = log;
  ASSERT_OK_AND_ASSIGN(int rc, custlake::testing::RunProcess(
                                   {CUSTLAKE_BIN, "-C", dir, "--json", "ingest", "--from", dir + "/drop", "--format",
                                    "csv", "--dataset", "orders", "--key", "order_id", "--schema",
                                    dir + "/orders.schema.json", "--pattern", "*.csv"},
                                   po, 120));
  const std::string out = ReadAll(log);
  ASSERT_EQ(rc, 0) << out;
  const size_t brace = out.find("{\"");
  ASSERT_NE(brace, std::string::npos) << out;
  auto summary = nlohmann::json::parse(out.substr(brace, out.find('\n', brace) - brace), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << out;
  EXPECT_EQ(summary["files"], 2);
  EXPECT_EQ(summary["records"], 4);
  EXPECT_EQ(summary["committed"], 2);
  EXPECT_EQ(summary["quarantined"], 1);
  EXPECT_EQ(summary["duplicates"], 1);
  for (const char* k : {"bytes", "seconds", "mb_per_s", "records_per_s"}) EXPECT_TRUE(summary.contains(k)) << k;
  ASSERT_OK_AND_ASSIGN(auto lake, lake::Lake::Open(dir + "/lake"));
  ASSERT_OK_AND_ASSIGN(auto rows, QueryDataset(lake.get(), lake::DatasetId::Raw("orders"),
                                               "SELECT string_agg(order_id || ':' || amount || ':' || event_date, ',' "
                                               "ORDER BY order_id) FROM t"));
  EXPECT_EQ(rows, "1:9.5:2025-02-01,3:1.25:2025-02-02");
  ASSERT_OK_AND_ASSIGN(auto reason, QueryDataset(lake.get(), lake::DatasetId::Quarantine("orders"), "SELECT reason FROM t"));
  EXPECT_EQ(reason, "bad_type");
  // Again: nothing new.
  ASSERT_OK_AND_ASSIGN(int rc2, custlake::testing::RunProcess(
                                    {CUSTLAKE_BIN, "-C", dir, "--json", "ingest", "--from", dir + "/drop", "--format",
                                     "csv", "--dataset", "orders", "--key", "order_id"},
                                    po, 120));
  EXPECT_EQ(rc2, 0) << ReadAll(log);
  EXPECT_NE(ReadAll(log).find("\"files_skipped\":2"), std::string::npos) << ReadAll(log);
}

}  // namespace
}  // namespace custlake::ingest
