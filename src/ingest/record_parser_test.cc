#include "ingest/record_parser.h"

#include <gtest/gtest.h>

#include "ingest/record_reader.h"

namespace custlake::ingest {
namespace {

Schema UsageSchema() {
  Schema s;
  s.fields = {{"event_id", FieldType::kString, true, ""},  {"customer_id", FieldType::kInt64, true, ""},
              {"ts", FieldType::kTimestamp, true, ""},     {"bytes", FieldType::kInt64, false, ""},
              {"ok", FieldType::kBool, false, ""},         {"debug", FieldType::kJson, false, ""}};
  s.key = "event_id";
  s.partition_field = "ts";
  return s;
}

// simdjson needs padding after the text.
std::string Pad(std::string s) {
  s.append(RecordReader::kPadding, '\0');
  return s;
}

struct Parsed {
  bool ok;
  RecordError err;
  ParsedRow row;
};

Parsed Parse(RecordParser& p, const std::string& text) {
  Parsed r;
  std::string padded = Pad(text);
  r.ok = p.ParseJson(std::string_view(padded.data(), text.size()), &r.row, &r.err);
  return r;
}

TEST(RecordParser, Coerces) {
  Schema s = UsageSchema();
  RecordParser p(&s, {});
  auto r = Parse(p, R"({"event_id":"e1","customer_id":"42","ts":"2025-01-01T14:00:00+02:00","bytes":12.0,"ok":"yes","debug":{"x":[1,2]},"extra":1})");
  ASSERT_TRUE(r.ok) << r.err.detail;
  EXPECT_EQ(r.row.values[1].i, 42);
  EXPECT_EQ(r.row.values[2].i, 1735732800LL * 1000000);
  EXPECT_EQ(r.row.values[3].i, 12);
  EXPECT_EQ(r.row.values[4].i, 1);
  EXPECT_EQ(r.row.values[5].s, R"({"x":[1,2]})");
  EXPECT_EQ(r.row.extra, R"({"extra":1})");
  EXPECT_EQ(r.row.key, "e1");
}

TEST(RecordParser, Quarantines) {
  Schema s = UsageSchema();
  RecordParser p(&s, {8, 1 << 20});
  struct Case {
    std::string text;
    Reason reason;
  };
  std::vector<Case> cases = {
      {R"({event_id:"e1"})", Reason::kMalformedJson},
      // Cut off before the closing brace (or inside a string, a number, a literal).
      {R"({"event_id":"e1","customer_id":1,"ts":"2025-01-01T00:00:00Z")", Reason::kTruncated},
      {R"({"event_id":"e1","customer_id":1,"ts":"2025-01-)", Reason::kTruncated},
      {R"({"event_id":"e1","customer_id":1,"ok":tr)", Reason::kTruncated},
      {R"({"event_id":"e1","customer_id":)", Reason::kTruncated},
      // A missing comma after a number is a syntax error, not a number out of range.
      {R"({"event_id":"e1","customer_id":32332"ts":"2025-01-01T00:00:00Z"})", Reason::kMalformedJson},
      {R"({"event_id":"e1","customer_id":32332 "ts":1})", Reason::kMalformedJson},
      {R"({"event_id":"e1","customer_id":0123,"ts":1})", Reason::kMalformedJson},
      {R"({"event_id":"e1","ts":"2025-01-01T00:00:00Z"})", Reason::kMissingRequired},
      {R"({"event_id":"e1","customer_id":"12x45","ts":"2025-01-01T00:00:00Z"})", Reason::kBadType},
      {R"({"event_id":"e1","customer_id":1,"ts":"yesterday"})", Reason::kBadType},
      {R"({"event_id":"e1","customer_id":123456789012345678901234567890,"ts":1})", Reason::kNumberOutOfRange},
      {R"({"event_id":"e1","customer_id":-123456789012345678901234567890,"ts":1})", Reason::kNumberOutOfRange},
      {R"({"event_id":"e1","customer_id":NaN,"ts":1})", Reason::kMalformedJson},
      {"{\"event_id\":\"\xff\xfe\",\"customer_id\":1,\"ts\":1}", Reason::kInvalidUtf8},
      {R"([1,2,3])", Reason::kNotAnObject},
      {R"({"a":[[[[[[[[[[[[1]]]]]]]]]]]]})", Reason::kTooDeep},
      {"2025-01-01 12:00:00 INFO user logged in", Reason::kMalformedJson},
  };
  for (const auto& c : cases) {
    auto r = Parse(p, c.text);
    EXPECT_FALSE(r.ok) << c.text;
    EXPECT_EQ(ReasonName(r.err.reason), std::string(ReasonName(c.reason))) << c.text << " -> " << r.err.detail;
  }
}

TEST(RecordParser, UnicodeEscapes) {
  Schema s = UsageSchema();
  RecordParser p(&s, {});
  auto r = Parse(p, R"({"event_id":"\u00e9\ud83d\ude00","customer_id":1,"ts":1735732800})");
  ASSERT_TRUE(r.ok) << r.err.detail;
  EXPECT_EQ(r.row.values[0].s, "\xc3\xa9\xf0\x9f\x98\x80");
  auto bad = Parse(p, R"({"event_id":"\ud83d","customer_id":1,"ts":1735732800})");
  EXPECT_FALSE(bad.ok);
}

TEST(RecordParser, Csv) {
  Schema s = UsageSchema();
  RecordParser p(&s, {});
  ASSERT_TRUE(p.SetCsvHeader("event_id,customer_id,ts,other", ',').ok());
  ParsedRow row;
  RecordError err;
  ASSERT_TRUE(p.ParseCsv("e1,7,2025-01-01T12:00:00Z,\"a,b\"", ',', &row, &err)) << err.detail;
  EXPECT_EQ(row.values[1].i, 7);
  EXPECT_EQ(row.extra, R"({"other":"a,b"})");
  EXPECT_FALSE(p.ParseCsv("e1,7", ',', &row, &err));
  EXPECT_EQ(err.reason, Reason::kMalformedCsv);
}

}  // namespace
}  // namespace custlake::ingest
