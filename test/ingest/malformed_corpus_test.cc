// A corpus of malformed inputs: every one is quarantined with a clear
// reason (or, where the input is fine, committed), never a crash or a hang,
// and every file reconciles: records = committed + quarantined + duplicates.
// Each file's quarantine reasons are checked one by one (in line order).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "engine/engine.h"
#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

using testing::FreshDir;
using testing::Gzip;
using testing::OpenLake;
using testing::QueryDataset;
using testing::Zstd;

struct Expect {
  int64_t records, committed, quarantined, duplicates;
  std::string reasons;  ///< the file's quarantine reasons in line order, comma-separated
};

class Corpus {
 public:
  explicit Corpus(const std::string& name) : dir_(FreshDir(name)), land_(dir_ + "/landing/" + name) {
    std::filesystem::create_directories(land_);
  }
  const std::string& dir() const { return dir_; }
  const std::string& landing() const { return land_; }
  void Add(const std::string& name, const std::string& content, Expect e) {
    testing::WriteFile(land_ + "/" + name, content);
    expect_[name] = std::move(e);
  }

  /// Ingests `spec` and checks every file's counts and reasons.
  void Check(SourceSpec spec, IngestOptions opts = {}) {
    spec.config.path = land_;
    spec.config.pattern = "*";
    ASSERT_OK_AND_ASSIGN(lake_, OpenLake(dir_ + "/lake"));
    ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake_.get(), spec, opts));
    ASSERT_OK_AND_ASSIGN(auto stats, ing->RunOnce());
    EXPECT_EQ(stats.files, static_cast<int64_t>(expect_.size()));
    const auto qds = lake::DatasetId::Quarantine(spec.config.dataset);
    for (const auto& f : stats.file_reports) {
      const std::string name = std::filesystem::path(f.path).filename().string();
      ASSERT_TRUE(expect_.count(name)) << name;
      const Expect& e = expect_[name];
      EXPECT_EQ(f.records, e.records) << name;
      EXPECT_EQ(f.committed, e.committed) << name;
      EXPECT_EQ(f.quarantined, e.quarantined) << name;
      EXPECT_EQ(f.duplicates, e.duplicates) << name;
      EXPECT_EQ(f.records, f.committed + f.quarantined + f.duplicates) << name;
      ASSERT_OK_AND_ASSIGN(auto reasons,
                           QueryDataset(lake_.get(), qds,
                                        "SELECT coalesce(string_agg(reason, ',' ORDER BY _source_line, _byte_offset), '') "
                                        "FROM t WHERE _source_file = " + engine::QuoteLiteral(f.path)));
      EXPECT_EQ(reasons == "0" ? "" : reasons, e.reasons) << name;
    }
    // Every quarantined row has a reason, a detail and its place.
    ASSERT_OK_AND_ASSIGN(auto missing, QueryDataset(lake_.get(), qds,
                                                    "SELECT count(*) FROM t WHERE reason IS NULL OR detail IS NULL OR "
                                                    "detail = '' OR _source_file IS NULL OR raw_bytes IS NULL"));
    EXPECT_EQ(missing, "0");
  }
  lake::Lake* lake() { return lake_.get(); }

 private:
  std::string dir_, land_;
  std::map<std::string, Expect> expect_;
  std::unique_ptr<lake::Lake> lake_;
};

const char* kGood = R"({"event_id":"%","customer_id":1,"ts":"2025-01-01T00:00:00Z"})";
std::string Good(const std::string& id) {
  std::string s = kGood;
  s.replace(s.find('%'), 1, id);
  return s;
}

TEST(IngestMalformed, NdjsonCorpusIsQuarantinedWithReasons) {
  Corpus c("usage");
  c.Add("01-bom-crlf.ndjson", "\xEF\xBB\xBF" + Good("a1") + "\r\n" + Good("a2") + "\r\n", {2, 2, 0, 0, ""});
  c.Add("02-escaped-unicode.ndjson",
        R"({"event_id":"\u00e9\ud83d\ude00","customer_id":"7","ts":1735689600000})" "\n"
        R"({"event_id":"lone\ud83d","customer_id":7,"ts":1})" "\n",
        {2, 1, 1, 0, "malformed_json"});
  c.Add("03-bigint-nan.ndjson",
        R"({"event_id":"b1","customer_id":123456789012345678901234567890,"ts":1})" "\n"
        R"({"event_id":"b2","customer_id":NaN,"ts":1})" "\n"
        R"({"event_id":"b3","customer_id":1,"ts":1,"bytes":Infinity})" "\n"
        R"({"event_id":"b4","customer_id":18446744073709551615,"ts":1})" "\n",
        {4, 0, 4, 0, "number_out_of_range,malformed_json,malformed_json,number_out_of_range"});
  c.Add("04-empty.ndjson", "", {0, 0, 0, 0, ""});
  c.Add("05-blank-lines.ndjson", "\n\n   \n", {0, 0, 0, 0, ""});
  c.Add("06-invalid-utf8.ndjson", "{\"event_id\":\"\xc3\x28\",\"customer_id\":1,\"ts\":1}\n" + Good("u1") + "\n",
        {2, 1, 1, 0, "invalid_utf8"});
  c.Add("07-deep.ndjson", "{\"event_id\":\"d1\",\"customer_id\":1,\"ts\":1,\"x\":" + std::string(500, '[') +
                              std::string(500, ']') + "}\n",
        {1, 0, 1, 0, "too_deep"});
  c.Add("08-types.ndjson",
        R"({"event_id":"t1","customer_id":"12x45","ts":1})" "\n"
        R"({"event_id":"t2","customer_id":1,"ts":"yesterday"})" "\n"
        R"({"customer_id":1,"ts":1})" "\n"
        R"([1,2])" "\n"
        "plain text log line\n"
        R"({"event_id":"t3","customer_id":1,"ts":1)" "\n",
        {6, 0, 6, 0, "bad_type,bad_type,missing_required,not_an_object,malformed_json,truncated"});
  c.Add("09-dups.ndjson", Good("x1") + "\n" + Good("x1") + "\n" + Good("a1") + "\n", {3, 1, 0, 2, ""});
  c.Add("10-gzip.ndjson.gz", Gzip(Good("g1") + "\n" + Good("g2") + "\n"), {2, 2, 0, 0, ""});
  c.Add("11-truncated-gzip.ndjson.gz", Gzip(Good("g3") + "\n" + Good("g4") + "\n").substr(0, 30),
        {1, 0, 1, 0, "unreadable_file"});
  c.Add("12-zstd.ndjson.zst", Zstd(Good("z1") + "\n"), {1, 1, 0, 0, ""});
  c.Add("13-binary.ndjson", std::string("\x00\x01\x02\xff\xfe", 5) + std::string(100, '\0'),
        {1, 0, 1, 0, "unreadable_file"});
  c.Add("14-huge-line.ndjson", "{\"event_id\":\"h1\",\"customer_id\":1,\"ts\":1,\"pad\":\"" +
                                   std::string(100u << 20, 'x') + "\"}\n" + Good("h2") + "\n",
        {2, 1, 1, 0, "too_large"});
  c.Add("15-corrupt-zstd.ndjson.zst", Zstd(Good("z2") + "\n").substr(0, 8) + "garbage",
        {1, 0, 1, 0, "unreadable_file"});
  // The writer was cut off mid-record: no line break after a broken last line.
  c.Add("16-cut-last-line.ndjson", Good("c1") + "\n" + R"({"event_id":"c2","customer_id":1,"t)",
        {2, 1, 1, 0, "truncated"});
  // A whole last line without a line break is fine.
  c.Add("17-no-final-newline.ndjson", Good("c3") + "\n" + Good("c4"), {2, 2, 0, 0, ""});
  IngestOptions opts;
  opts.max_record_bytes = 1 << 20;
  opts.max_depth = 64;
  c.Check(testing::UsageSource(""), opts);
  // raw_bytes is the record's real size, not the 64 KiB kept of it.
  ASSERT_OK_AND_ASSIGN(auto huge, QueryDataset(c.lake(), lake::DatasetId::Quarantine("usage"),
                                               "SELECT raw_bytes || ':' || length(raw) FROM t WHERE reason = 'too_large'"));
  const std::string head = R"({"event_id":"h1","customer_id":1,"ts":1,"pad":")";
  EXPECT_EQ(huge, std::to_string(head.size() + (100u << 20) + 2) + ":65536");
}

SourceSpec CsvSource() {
  SourceSpec s;
  s.config.name = "orders";
  s.config.format = "csv";
  s.config.dataset = "orders";
  Schema schema;
  schema.fields = {{"order_id", FieldType::kInt64, true, ""},
                   {"placed_at", FieldType::kTimestamp, true, ""},
                   {"amount", FieldType::kDouble, false, ""}};
  schema.key = "order_id";
  s.schema = schema;
  return s;
}

TEST(IngestMalformed, CsvCorpusIsQuarantinedWithReasons) {
  Corpus c("orders");
  const std::string header = "order_id,placed_at,amount\n";
  c.Add("01-bom-crlf.csv", "\xEF\xBB\xBF" "order_id,placed_at,amount\r\n1,2025-01-01,2.5\r\n", {1, 1, 0, 0, ""});
  c.Add("02-broken-quotes.csv", header + "2,\"2025-01-01\"x,1\n3,2025-01-01,a\"b\"\n", {2, 0, 2, 0, "malformed_csv,malformed_csv"});
  // Quotes from line 2 on never balance: the rest of the file is one record, cut off.
  c.Add("03-quote-spans-lines.csv", header + "4,2025-01-01,\"3.5\n5,\"2025\"-01-01,1\n",
        {1, 0, 1, 0, "truncated"});
  c.Add("03-field-count.csv", header + "5,2025-01-01\n6,2025-01-01,1,extra\n7,2025-01-01,1\n",
        {3, 1, 2, 0, "malformed_csv,malformed_csv"});
  c.Add("04-types.csv", header + "8,not a time,1\nnine,2025-01-01,1\n10,2025-01-01,1e999\n,2025-01-01,1\n",
        {4, 0, 4, 0, "bad_type,bad_type,bad_type,missing_required"});
  c.Add("05-header-only.csv", header, {0, 0, 0, 0, ""});
  c.Add("06-bad-header.csv", "order_id,\"placed_at\n", {1, 0, 1, 0, "unreadable_file"});
  c.Add("07-unclosed-at-eof.csv", header + "11,2025-01-01,1\n12,2025-01-01,\"open", {2, 1, 1, 0, "truncated"});
  c.Add("08-invalid-utf8.csv", header + "13,2025-01-01,1\n14,2025-01-01,\xff\xfe\n", {2, 1, 1, 0, "invalid_utf8"});
  c.Add("09-gzip.csv.gz", Gzip(header + "15,2025-01-01,1\n15,2025-01-01,1\n"), {2, 1, 0, 1, ""});
  c.Check(CsvSource());
}

SourceSpec JsonSource() {
  SourceSpec s = testing::UsageSource("");
  s.config.name = "events";
  s.config.format = "json";
  s.config.dataset = "events";
  return s;
}

TEST(IngestMalformed, JsonArrayCorpusIsQuarantinedWithReasons) {
  Corpus c("events");
  c.Add("01-array.json", "[\n  " + Good("j1") + ",\n  " + Good("j2") + "\n]\n", {2, 2, 0, 0, ""});
  c.Add("02-array-cut-off.json", "[\n  " + Good("j3") + ",\n  {\"event_id\": \"j4\", \"customer_id\": 1,",
        {2, 1, 1, 0, "truncated"});
  c.Add("03-array-of-scalars.json", "[1, \"two\", " + Good("j5") + ", null]", {4, 1, 3, 0,
        "not_an_object,not_an_object,not_an_object"});
  c.Add("04-bad-element.json", "[" + Good("j6") + ", {\"event_id\": \"j7\" \"customer_id\": 1}, " + Good("j8") + "]",
        {3, 2, 1, 0, "malformed_json"});
  c.Add("05-documents.json", "{\n  \"event_id\": \"j9\",\n  \"customer_id\": 1,\n  \"ts\": 1\n}\n" + Good("j10") + "\n",
        {2, 2, 0, 0, ""});
  c.Add("06-document-cut-off.json", "{\"event_id\": \"j11\",\n  \"customer_id\": 1,\n{\"event_id\":\"j12\",\"customer_id\":1,\"ts\":1}\n",
        {2, 1, 1, 0, "truncated"});
  c.Add("07-raw-newline-in-string.json", "[{\"event_id\": \"j13\n\", \"customer_id\": 1, \"ts\": 1}]",
        {2, 0, 2, 0, "truncated,malformed_json"});
  c.Add("08-deep-element.json", "[" + Good("j14") + ", {\"x\": " + std::string(100, '[') + std::string(100, ']') + "}]",
        {2, 1, 1, 0, "too_deep"});
  c.Add("09-oversize-element.json",
        "[\n  {\"event_id\": \"j15\", \"pad\": \"" + std::string(2000, 'x') + "\"},\n  " + Good("j16") + ",\n  " +
            Good("j17") + "\n]\n",
        {3, 2, 1, 0, "too_large"});
  IngestOptions opts;
  opts.max_record_bytes = 1024;
  c.Check(JsonSource(), opts);
}

}  // namespace
}  // namespace custlake::ingest
