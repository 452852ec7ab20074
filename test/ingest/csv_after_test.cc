// CSV through the whole ingester (reader, header mapping, coercion, dedup,
// quarantine, Parquet, provenance), and the after-actions `archive` and
// `delete` (including a re-sent file that was already ingested).
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

void WriteFile(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

SourceSpec CsvSource(const std::string& landing) {
  SourceSpec s;
  s.config.name = "orders";
  s.config.path = landing;
  s.config.pattern = "*.csv";
  s.config.format = "csv";
  s.config.dataset = "orders";
  Schema schema;
  schema.fields = {{"order_id", FieldType::kInt64, true, ""},
                   {"customer_id", FieldType::kInt64, true, ""},
                   {"placed_at", FieldType::kTimestamp, true, ""},
                   {"amount", FieldType::kDouble, false, ""},
                   {"note", FieldType::kString, false, ""},
                   {"paid", FieldType::kBool, false, ""}};
  schema.key = "order_id";
  schema.partition_field = "placed_at";
  s.schema = schema;
  return s;
}

TEST(IngestCsv, WholeIngesterCountsRowsAndLake) {
  const std::string dir = FreshDir("csv");
  const fs::path landing = fs::path(dir) / "landing";
  fs::create_directories(landing);
  // Columns in another order than the schema, an unknown column (kept in
  // _extra), CRLF line ends, quoted fields with the delimiter, a quote and
  // a line break inside, numbers with spaces, an empty (null) amount.
  WriteFile(landing / "a.csv",
            "customer_id,order_id,placed_at,amount,note,paid,channel\r\n"
            "7,1,2025-02-01T10:00:00Z,12.5,plain,true,web\r\n"
            "8,2,2025-02-01 11:00:00+01:00, 3 ,\"with, comma\",no,app\r\n"
            "9,3,1738497600,,\"she said \"\"hi\"\"\nand left\",1,web\r\n"
            "9,4,2025-02-03T00:00:00Z,x,bad amount,true,web\r\n"  // bad_type
            "9,5,2025-02-03T00:00:00Z,1.0\r\n"                  // wrong field count
            "7,1,2025-02-01T10:00:00Z,12.5,plain,true,web\r\n");  // duplicate of order 1
  // Another file: a duplicate of file a's order 3 and a new order.
  WriteFile(landing / "b.csv",
            "order_id,customer_id,placed_at,amount,note,paid\n"
            "3,9,1738497600,,again,1\n"
            "6,10,2025-02-04T08:30:00Z,99.99,new,false\n");
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  IngestOptions opts;
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), CsvSource(landing.string()), opts));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.files, 2);
  EXPECT_EQ(st.records, 8);
  EXPECT_EQ(st.committed, 4);  // orders 1, 2, 3 and 6
  EXPECT_EQ(st.quarantined, 2);
  EXPECT_EQ(st.duplicates, 2);
  ASSERT_EQ(st.file_reports.size(), 2u);
  EXPECT_EQ(st.file_reports[0].committed, 3);
  EXPECT_EQ(st.file_reports[0].quarantined, 2);
  EXPECT_EQ(st.file_reports[0].duplicates, 1);
  EXPECT_EQ(st.file_reports[1].committed, 1);
  EXPECT_EQ(st.file_reports[1].duplicates, 1);

  const auto raw = lake::DatasetId::Raw("orders");
  ASSERT_OK_AND_ASSIGN(auto ids, QueryDataset(lake.get(), raw, "SELECT string_agg(order_id::VARCHAR, ',' ORDER BY order_id) FROM t"));
  EXPECT_EQ(ids, "1,2,3,6");
  ASSERT_OK_AND_ASSIGN(auto note, QueryDataset(lake.get(), raw, "SELECT note FROM t WHERE order_id = 3"));
  EXPECT_EQ(note, "she said \"hi\"\nand left");
  ASSERT_OK_AND_ASSIGN(auto comma, QueryDataset(lake.get(), raw, "SELECT note || '|' || amount || '|' || paid FROM t WHERE order_id = 2"));
  EXPECT_EQ(comma, "with, comma|3.0|false");
  ASSERT_OK_AND_ASSIGN(auto ts, QueryDataset(lake.get(), raw, "SELECT epoch(placed_at)::BIGINT FROM t WHERE order_id = 2"));
  EXPECT_EQ(ts, "1738404000");  // 11:00 at +01:00 is 10:00 UTC
  ASSERT_OK_AND_ASSIGN(auto nulls, QueryDataset(lake.get(), raw, "SELECT count(*) FROM t WHERE amount IS NULL"));
  EXPECT_EQ(nulls, "1");
  ASSERT_OK_AND_ASSIGN(auto extra, QueryDataset(lake.get(), raw, "SELECT _extra::VARCHAR FROM t WHERE order_id = 1"));
  EXPECT_EQ(extra, "{\"channel\":\"web\"}");
  ASSERT_OK_AND_ASSIGN(auto lines, QueryDataset(lake.get(), raw, "SELECT string_agg(_source_line::VARCHAR, ',' ORDER BY order_id) FROM t"));
  EXPECT_EQ(lines, "2,3,4,3");  // line where each record starts
  ASSERT_OK_AND_ASSIGN(auto parts, QueryDataset(lake.get(), raw, "SELECT count(DISTINCT event_date) FROM t"));
  EXPECT_EQ(parts, "3");  // 2025-02-01, -02 and -04
  ASSERT_OK_AND_ASSIGN(auto reasons, QueryDataset(lake.get(), lake::DatasetId::Quarantine("orders"),
                                                  "SELECT string_agg(reason, ',' ORDER BY _source_line) FROM t"));
  EXPECT_EQ(reasons, "bad_type,malformed_csv");

  // Exactly once.
  ASSERT_OK_AND_ASSIGN(auto again, ing->RunOnce());
  EXPECT_EQ(again.files, 0);
  EXPECT_EQ(again.files_skipped, 2);
}

std::string Events(int from, int n) {
  std::string out;
  for (int i = from; i < from + n; i++) {
    out += "{\"event_id\":\"a" + std::to_string(i) + "\",\"customer_id\":1,\"ts\":\"2025-03-01T00:00:00Z\"}\n";
  }
  return out;
}

TEST(IngestAfter, ArchiveMovesFilesAndRenamesOnClash) {
  const std::string dir = FreshDir("after_archive");
  const fs::path landing = fs::path(dir) / "landing" / "usage";
  fs::create_directories(landing);
  WriteFile(landing / "one.ndjson", Events(0, 10));
  WriteFile(landing / "two.ndjson", Events(10, 5));
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  auto spec = testing::UsageSource(fs::path(dir).append("landing").string());
  spec.config.after = AfterIngest::kArchive;
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), spec, IngestOptions{}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.committed, 15);
  const fs::path archive = fs::path(lake->layout().ArchiveDir()) / "usage";
  EXPECT_FALSE(fs::exists(landing / "one.ndjson"));
  EXPECT_FALSE(fs::exists(landing / "two.ndjson"));
  EXPECT_TRUE(fs::exists(archive / "one.ndjson"));
  EXPECT_TRUE(fs::exists(archive / "two.ndjson"));

  // A new file under a name already in the archive: archived beside it
  // (suffixed with its checksum), nothing overwritten.
  WriteFile(landing / "one.ndjson", Events(100, 3));
  ASSERT_OK_AND_ASSIGN(auto st2, ing->RunOnce());
  EXPECT_EQ(st2.committed, 3);
  EXPECT_FALSE(fs::exists(landing / "one.ndjson"));
  int archived = 0;
  for (const auto& e : fs::directory_iterator(archive)) archived += e.path().filename().string().rfind("one.ndjson", 0) == 0;
  EXPECT_EQ(archived, 2);

  // A re-sent file (same content, new name) is skipped, and still archived.
  WriteFile(landing / "two-again.ndjson", Events(10, 5));
  ASSERT_OK_AND_ASSIGN(auto st3, ing->RunOnce());
  EXPECT_EQ(st3.files, 0);
  EXPECT_EQ(st3.files_skipped, 1);
  EXPECT_FALSE(fs::exists(landing / "two-again.ndjson"));
  EXPECT_TRUE(fs::exists(archive / "two-again.ndjson"));
  ASSERT_OK_AND_ASSIGN(auto n, QueryDataset(lake.get(), lake::DatasetId::Raw("usage"), "SELECT count(*) FROM t"));
  EXPECT_EQ(n, "18");
}

TEST(IngestAfter, DeleteRemovesIngestedAndResentFiles) {
  const std::string dir = FreshDir("after_delete");
  const fs::path landing = fs::path(dir) / "landing" / "usage";
  fs::create_directories(landing);
  WriteFile(landing / "one.ndjson", Events(0, 10));
  WriteFile(landing / "bad.ndjson", std::string("\0\1\2binary", 9));  // quarantined whole, still "ingested"
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  auto spec = testing::UsageSource(fs::path(dir).append("landing").string());
  spec.config.after = AfterIngest::kDelete;
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), spec, IngestOptions{}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.files, 2);
  EXPECT_EQ(st.committed, 10);
  EXPECT_EQ(st.quarantined, 1);
  EXPECT_TRUE(fs::is_empty(landing));
  EXPECT_FALSE(fs::exists(fs::path(lake->layout().ArchiveDir()) / "usage" / "one.ndjson"));

  // Re-sent: skipped and deleted; the lake is unchanged.
  WriteFile(landing / "one-copy.ndjson", Events(0, 10));
  ASSERT_OK_AND_ASSIGN(auto st2, ing->RunOnce());
  EXPECT_EQ(st2.files, 0);
  EXPECT_EQ(st2.files_skipped, 1);
  EXPECT_TRUE(fs::is_empty(landing));
  ASSERT_OK_AND_ASSIGN(auto n, QueryDataset(lake.get(), lake::DatasetId::Raw("usage"), "SELECT count(*) FROM t"));
  EXPECT_EQ(n, "10");

  // With `keep` (the default) files stay where they are.
  const std::string dir2 = FreshDir("after_keep");
  const fs::path landing2 = fs::path(dir2) / "landing" / "usage";
  fs::create_directories(landing2);
  WriteFile(landing2 / "one.ndjson", Events(0, 4));
  ASSERT_OK_AND_ASSIGN(auto lake2, OpenLake(dir2 + "/lake"));
  ASSERT_OK_AND_ASSIGN(auto keep, SourceIngester::Open(lake2.get(), testing::UsageSource(fs::path(dir2).append("landing").string()),
                                                       IngestOptions{}));
  ASSERT_OK_AND_ASSIGN(auto st3, keep->RunOnce());
  EXPECT_EQ(st3.committed, 4);
  EXPECT_TRUE(fs::exists(landing2 / "one.ndjson"));
}

}  // namespace
}  // namespace custlake::ingest

namespace custlake::ingest {
namespace {

std::string DayEvents(const std::string& prefix, int n, int days) {
  std::string out;
  for (int i = 0; i < n; i++) {
    out += "{\"event_id\":\"" + prefix + std::to_string(i) + "\",\"customer_id\":1,\"ts\":\"2025-03-" +
           (i % days < 9 ? "0" : "") + std::to_string(1 + i % days) + "T12:00:00Z\"}\n";
  }
  return out;
}

// The dedup index keeps only a budget of keys between batches; duplicates
// of records committed long before (evicted partitions, a new process) are
// still found, because partitions reload from the committed files.
TEST(IngestDedup, BoundedIndexStillFindsOldDuplicates) {
  const std::string dir = FreshDir("dedup_bound");
  const fs::path landing = fs::path(dir) / "landing" / "usage";
  fs::create_directories(landing);
  WriteFile(landing / "a.ndjson", DayEvents("e", 300, 10));
  WriteFile(landing / "b.ndjson", DayEvents("f", 300, 10));
  // c re-sends 50 events of a (10 days) and adds 20 new ones.
  WriteFile(landing / "c.ndjson", DayEvents("e", 50, 10) + DayEvents("g", 20, 10));
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  IngestOptions opts;
  opts.batch_bytes = 1;            // one file a batch
  opts.dedup_memory_bytes = 16 * 40;  // 40 keys between batches: every batch evicts
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), testing::UsageSource(fs::path(dir).append("landing").string()), opts));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.batches, 3);
  EXPECT_EQ(st.committed, 620);
  EXPECT_EQ(st.duplicates, 50);

  // A new process (cold index) sees re-sent old events as duplicates too.
  WriteFile(landing / "d.ndjson", DayEvents("f", 30, 10) + DayEvents("h", 1, 10));
  ASSERT_OK_AND_ASSIGN(auto cold, SourceIngester::Open(lake.get(), testing::UsageSource(fs::path(dir).append("landing").string()), opts));
  ASSERT_OK_AND_ASSIGN(auto st2, cold->RunOnce());
  EXPECT_EQ(st2.committed, 1);
  EXPECT_EQ(st2.duplicates, 30);

  // Scope (documented): the same key with an event time on another day is
  // another partition's record, so it is not a duplicate.
  WriteFile(landing / "e.ndjson", "{\"event_id\":\"e0\",\"customer_id\":1,\"ts\":\"2024-12-31T12:00:00Z\"}\n");
  ASSERT_OK_AND_ASSIGN(auto st3, cold->RunOnce());
  EXPECT_EQ(st3.committed, 1);
  EXPECT_EQ(st3.duplicates, 0);
  ASSERT_OK_AND_ASSIGN(auto n, QueryDataset(lake.get(), lake::DatasetId::Raw("usage"), "SELECT count(*) FROM t"));
  EXPECT_EQ(n, "622");
}

}  // namespace
}  // namespace custlake::ingest
