// Landing files that change after they were ingested (docs/ingest.md, Files
// that change): an NDJSON file that grew contributes only the records it
// appended (its earlier bad records are not quarantined again, its lines
// and byte offsets go on, reconciliation counts it once); a file rewritten
// in place is ingested whole as a new version, its records deduplicated by
// key; a compressed file that grew is such a new version too.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;
using testing::WriteFile;

std::string Event(const std::string& id, const std::string& type = "login") {
  return fmt::format(R"({{"event_id":"{}","customer_id":1,"ts":"2025-05-01T10:00:00Z","event_type":"{}"}})",
                     id, type) +
         "\n";
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

struct Fixture {
  std::string dir = FreshDir("changing");
  std::string file = dir + "/landing/usage/a.ndjson";
  std::unique_ptr<lake::Lake> lake;
  std::unique_ptr<SourceIngester> ingester;

  explicit Fixture(IngestOptions options = {}) {
    fs::create_directories(dir + "/landing/usage");
    lake = std::move(OpenLake(dir + "/lake")).value();
    SourceSpec spec = testing::UsageSource(dir + "/landing");
    spec.config.key = "event_id";
    ingester = std::move(SourceIngester::Open(lake.get(), spec, std::move(options))).value();
  }
  std::string Query(const lake::DatasetId& ds, const std::string& sql) {
    return QueryDataset(lake.get(), ds, sql).ValueOr("error");
  }
};

TEST(IngestChangingFile, AGrownFileContributesOnlyItsNewRecords) {
  Fixture f;
  const std::string first = Event("e1") + "{not json\n" + Event("e2");
  WriteFile(f.file, first);
  ASSERT_OK_AND_ASSIGN(auto one, f.ingester->RunOnce());
  EXPECT_EQ(one.committed, 2);
  EXPECT_EQ(one.quarantined, 1);

  Append(f.file, Event("e3") + "{\"event_id\":\"e4\"\n");
  ASSERT_OK_AND_ASSIGN(auto two, f.ingester->RunOnce());
  EXPECT_EQ(two.files, 1);
  EXPECT_EQ(two.files_appended, 1);
  EXPECT_EQ(two.records, 2);
  EXPECT_EQ(two.committed, 1);
  EXPECT_EQ(two.quarantined, 1);  // the new bad line only, not the old one again
  EXPECT_EQ(two.bytes, static_cast<int64_t>(fs::file_size(f.file) - first.size()));
  ASSERT_EQ(two.file_reports.size(), 1u);
  EXPECT_EQ(two.file_reports[0].from_byte, static_cast<int64_t>(first.size()));

  const auto raw = lake::DatasetId::Raw("usage"), quarantine = lake::DatasetId::Quarantine("usage");
  EXPECT_EQ(f.Query(raw, "SELECT string_agg(event_id || '@' || _source_line, ',' ORDER BY event_id) FROM t"),
            "e1@1,e2@3,e3@4");
  EXPECT_EQ(f.Query(quarantine,
                    "SELECT string_agg(reason || '@' || _source_line || '/' || _byte_offset, ',' "
                    "ORDER BY _source_line) FROM t"),
            fmt::format("malformed_json@2/{},truncated@5/{}", Event("e1").size(),
                        first.size() + Event("e3").size()));

  // Reconciliation per file: one file, every record of both versions once.
  ASSERT_OK_AND_ASSIGN(auto rec, IngestReconciliation(f.lake.get()));
  EXPECT_EQ(rec["usage"]["files"].get<int64_t>(), 1);
  EXPECT_EQ(rec["usage"]["records"].get<int64_t>(), 5);
  EXPECT_EQ(rec["usage"]["quarantined"].get<int64_t>(), 2);
  EXPECT_TRUE(rec["usage"]["balanced"].get<bool>());

  // Unchanged since: nothing to read.
  ASSERT_OK_AND_ASSIGN(auto three, f.ingester->RunOnce());
  EXPECT_EQ(three.files, 0);
  EXPECT_EQ(three.files_skipped, 1);
}

// A line appended after the file's checksum was taken (here: while the file
// before it is parsed) is not read with it: it waits for the next run, which
// reads it as an append. Each line counts once, none as a duplicate.
TEST(IngestChangingFile, BytesAppendedAfterTheChecksumWaitForTheNextRun) {
  std::string b;
  IngestOptions options;
  options.step_hook = [&b](std::string_view step) {
    if (step == "ingest.parsed_file:a.ndjson") Append(b, Event("b3"));
    return Status::OK();
  };
  Fixture f(options);
  b = f.dir + "/landing/usage/b.ndjson";
  WriteFile(f.file, Event("a1"));
  WriteFile(b, Event("b1") + Event("b2"));
  ASSERT_OK_AND_ASSIGN(auto one, f.ingester->RunOnce());
  EXPECT_EQ(one.records, 3);
  EXPECT_EQ(one.committed, 3);
  ASSERT_OK_AND_ASSIGN(auto two, f.ingester->RunOnce());
  EXPECT_EQ(two.files_appended, 1);
  EXPECT_EQ(two.records, 1);
  EXPECT_EQ(two.committed, 1);
  EXPECT_EQ(two.duplicates, 0);
  EXPECT_EQ(f.Query(lake::DatasetId::Raw("usage"),
                    "SELECT string_agg(event_id || '@' || _source_line, ',' ORDER BY "
                    "event_id) FROM t"),
            "a1@1,b1@1,b2@2,b3@3");
}

TEST(IngestChangingFile, AFileRewrittenInPlaceIsANewVersionDeduplicatedByKey) {
  Fixture f;
  WriteFile(f.file, Event("e1") + Event("e2"));
  ASSERT_OK_AND_ASSIGN(auto one, f.ingester->RunOnce());
  EXPECT_EQ(one.committed, 2);
  // Longer, but its first bytes changed: not an append.
  WriteFile(f.file, Event("e1", "logout") + Event("e2") + Event("e5"));
  ASSERT_OK_AND_ASSIGN(auto two, f.ingester->RunOnce());
  EXPECT_EQ(two.files_rewritten, 1);
  EXPECT_EQ(two.files_appended, 0);
  EXPECT_EQ(two.records, 3);
  EXPECT_EQ(two.duplicates, 2);
  EXPECT_EQ(two.committed, 1);
  ASSERT_EQ(two.file_reports.size(), 1u);
  EXPECT_TRUE(two.file_reports[0].rewritten);
  EXPECT_EQ(f.Query(lake::DatasetId::Raw("usage"),
                    "SELECT string_agg(event_id || ':' || event_type, ',' ORDER BY "
                    "event_id) FROM t"),
            "e1:login,e2:login,e5:login");
  ASSERT_OK_AND_ASSIGN(auto rec, IngestReconciliation(f.lake.get()));
  EXPECT_EQ(rec["usage"]["files"].get<int64_t>(), 1);
  EXPECT_TRUE(rec["usage"]["balanced"].get<bool>());
}

TEST(IngestChangingFile, ACompressedFileThatGrewIsReadWhole) {
  Fixture f;
  const std::string gz = f.dir + "/landing/usage/a.ndjson.gz";
  WriteFile(gz, testing::Gzip(Event("e1")));
  ASSERT_OK_AND_ASSIGN(auto one, f.ingester->RunOnce());
  EXPECT_EQ(one.committed, 1);
  Append(gz, testing::Gzip(Event("e2")));  // a second gzip member
  ASSERT_OK_AND_ASSIGN(auto two, f.ingester->RunOnce());
  EXPECT_EQ(two.files_rewritten, 1);
  EXPECT_EQ(two.records, 2);
  EXPECT_EQ(two.duplicates, 1);
  EXPECT_EQ(two.committed, 1);
}

}  // namespace
}  // namespace custlake::ingest
