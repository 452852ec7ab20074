// A corpus of malformed inputs: every one is quarantined with a clear
// reason (or, where the input is fine, committed), never a crash or a hang,
// and every file reconciles: records = committed + quarantined + duplicates.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;

using testing::Gzip;
using testing::Zstd;
const auto Write = testing::WriteFile;

const char* kGood = R"({"event_id":"%","customer_id":1,"ts":"2025-01-01T00:00:00Z"})";
std::string Good(const std::string& id) {
  std::string s = kGood;
  s.replace(s.find('%'), 1, id);
  return s;
}

TEST(IngestMalformed, CorpusIsQuarantinedWithReasons) {
  const std::string dir = FreshDir("malformed");
  const std::string land = dir + "/landing/usage";
  std::filesystem::create_directories(land);
  struct Expect {
    int64_t records, committed, quarantined, duplicates;
  };
  std::map<std::string, Expect> expect;
  auto add = [&](const std::string& name, const std::string& content, Expect e) {
    Write(land + "/" + name, content);
    expect[name] = e;
  };
  add("01-bom-crlf.ndjson", "\xEF\xBB\xBF" + Good("a1") + "\r\n" + Good("a2") + "\r\n", {2, 2, 0, 0});
  add("02-escaped-unicode.ndjson",
      R"({"event_id":"\u00e9\ud83d\ude00","customer_id":"7","ts":1735689600000})" "\n"
      R"({"event_id":"lone\ud83d","customer_id":7,"ts":1})" "\n",
      {2, 1, 1, 0});
  add("03-bigint-nan.ndjson",
      R"({"event_id":"b1","customer_id":123456789012345678901234567890,"ts":1})" "\n"
      R"({"event_id":"b2","customer_id":NaN,"ts":1})" "\n"
      R"({"event_id":"b3","customer_id":1,"ts":1,"bytes":Infinity})" "\n"
      R"({"event_id":"b4","customer_id":18446744073709551615,"ts":1})" "\n",
      {4, 0, 4, 0});
  add("04-empty.ndjson", "", {0, 0, 0, 0});
  add("05-blank-lines.ndjson", "\n\n   \n", {0, 0, 0, 0});
  add("06-invalid-utf8.ndjson", "{\"event_id\":\"\xc3\x28\",\"customer_id\":1,\"ts\":1}\n" + Good("u1") + "\n",
      {2, 1, 1, 0});
  add("07-deep.ndjson", "{\"event_id\":\"d1\",\"customer_id\":1,\"ts\":1,\"x\":" + std::string(500, '[') +
                            std::string(500, ']') + "}\n",
      {1, 0, 1, 0});
  add("08-types.ndjson",
      R"({"event_id":"t1","customer_id":"12x45","ts":1})" "\n"
      R"({"event_id":"t2","customer_id":1,"ts":"yesterday"})" "\n"
      R"({"customer_id":1,"ts":1})" "\n"
      R"([1,2])" "\n"
      "plain text log line\n"
      R"({"event_id":"t3","customer_id":1,"ts":1)" "\n",
      {6, 0, 6, 0});
  add("09-dups.ndjson", Good("x1") + "\n" + Good("x1") + "\n" + Good("a1") + "\n", {3, 1, 0, 2});
  add("10-gzip.ndjson.gz", Gzip(Good("g1") + "\n" + Good("g2") + "\n"), {2, 2, 0, 0});
  add("11-truncated-gzip.ndjson.gz", Gzip(Good("g3") + "\n" + Good("g4") + "\n").substr(0, 30), {1, 0, 1, 0});
  add("12-zstd.ndjson.zst", Zstd(Good("z1") + "\n"), {1, 1, 0, 0});
  add("13-binary.ndjson", std::string("\x00\x01\x02\xff\xfe", 5) + std::string(100, '\0'), {1, 0, 1, 0});
  add("14-huge-line.ndjson", "{\"event_id\":\"h1\",\"customer_id\":1,\"ts\":1,\"pad\":\"" +
                                 std::string(100u << 20, 'x') + "\"}\n" + Good("h2") + "\n",
      {2, 1, 1, 0});
  add("15-corrupt-zstd.ndjson.zst", Zstd(Good("z2") + "\n").substr(0, 8) + "garbage", {1, 0, 1, 0});

  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  IngestOptions opts;
  opts.max_record_bytes = 1 << 20;
  opts.max_depth = 64;
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), testing::UsageSource(dir + "/landing"), opts));
  ASSERT_OK_AND_ASSIGN(auto stats, ing->RunOnce());
  for (const auto& f : stats.file_reports) {
    const std::string name = std::filesystem::path(f.path).filename().string();
    ASSERT_TRUE(expect.count(name)) << name;
    const Expect& e = expect[name];
    EXPECT_EQ(f.records, e.records) << name;
    EXPECT_EQ(f.committed, e.committed) << name;
    EXPECT_EQ(f.quarantined, e.quarantined) << name;
    EXPECT_EQ(f.duplicates, e.duplicates) << name;
  }
  EXPECT_EQ(stats.files, static_cast<int64_t>(expect.size()));
  // Every quarantined row has a reason, a detail and its place.
  ASSERT_OK_AND_ASSIGN(auto missing, QueryDataset(lake.get(), lake::DatasetId::Quarantine("usage"),
                                                  "SELECT count(*) FROM t WHERE reason IS NULL OR detail IS NULL OR "
                                                  "_source_file IS NULL"));
  EXPECT_EQ(missing, "0");
  ASSERT_OK_AND_ASSIGN(auto reasons, QueryDataset(lake.get(), lake::DatasetId::Quarantine("usage"),
                                                  "SELECT string_agg(DISTINCT reason, ',' ORDER BY reason) FROM t"));
  for (const char* r : {"invalid_utf8", "too_deep", "too_large", "bad_type", "missing_required", "not_an_object",
                        "malformed_json", "unreadable_file", "number_out_of_range"}) {
    EXPECT_NE(reasons.find(r), std::string::npos) << r << " not in " << reasons;
  }
}

}  // namespace
}  // namespace custlake::ingest
