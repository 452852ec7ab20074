// Deduplication against the lake for keys that are not strings: the index
// is rebuilt from committed Parquet (typed columns) and must produce the
// same key text as the parser does from the input (timestamps as micros,
// dates as days, doubles in one form), or re-sent records are committed
// twice.
#include <gtest/gtest.h>

#include <filesystem>

#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;
using testing::WriteFile;

SourceSpec ReadingsSource(const std::string& landing, const std::string& key) {
  SourceSpec s;
  s.config.name = "readings";
  s.config.path = landing;
  s.config.pattern = "*.ndjson";
  s.config.dataset = "readings";
  Schema schema;
  schema.fields = {{"taken_at", FieldType::kTimestamp, true, ""},
                   {"day", FieldType::kDate, true, ""},
                   {"level", FieldType::kDouble, true, ""},
                   {"note", FieldType::kString, false, ""}};
  schema.key = key;
  s.schema = schema;
  return s;
}

class DedupKeyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DedupKeyTest, ResentRecordsAreDuplicatesInANewProcess) {
  const std::string key = GetParam();
  const std::string dir = FreshDir("dedup_key_" + key);
  const fs::path landing = fs::path(dir) / "landing";
  fs::create_directories(landing);
  const std::string records =
      R"({"taken_at":"2025-03-01T10:00:00.123456Z","day":"2025-03-01","level":1.0,"note":"a"})" "\n"
      R"({"taken_at":"2025-03-01T11:00:00+02:00","day":"2025-03-02","level":0.1,"note":"b"})" "\n"
      R"({"taken_at":1740830400,"day":"2025-03-03","level":1e21,"note":"c"})" "\n";
  WriteFile((landing / "a.ndjson").string(), records);
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  {
    ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), ReadingsSource(landing.string(), key), {}));
    ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
    EXPECT_EQ(st.committed, 3);
  }
  // Re-sent in another form (same values), read by a new ingester whose
  // index loads from the lake.
  WriteFile((landing / "b.ndjson").string(),
            R"({"taken_at":"2025-03-01 10:00:00.123456","day":"2025-03-01T23:00:00Z","level":1,"note":"a2"})" "\n"
            R"({"taken_at":"2025-03-01T09:00:00Z","day":"2025-03-02","level":"0.1","note":"b2"})" "\n"
            R"({"taken_at":"2025-03-01T12:00:00Z","day":"2025-03-03","level":"1e+21","note":"c2"})" "\n");
  ASSERT_OK_AND_ASSIGN(auto cold, SourceIngester::Open(lake.get(), ReadingsSource(landing.string(), key), {}));
  ASSERT_OK_AND_ASSIGN(auto st, cold->RunOnce());
  EXPECT_EQ(st.committed, 0);
  EXPECT_EQ(st.duplicates, 3);
  ASSERT_OK_AND_ASSIGN(auto n, QueryDataset(lake.get(), lake::DatasetId::Raw("readings"), "SELECT count(*) FROM t"));
  EXPECT_EQ(n, "3");
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, DedupKeyTest, ::testing::Values("taken_at", "day", "level"));

}  // namespace
}  // namespace custlake::ingest
