// Parse workers (IngestOptions::parse_threads, parse_pool.h) change nothing
// but speed: with 1 and with 4 workers, with and without spills, the lake
// holds the same rows (the same duplicate kept, the same lines), the same
// quarantine rows and the same per-file reconciliation. Records arrive at
// dedup in file order however the chunks were parsed, so a duplicate far
// from its first copy (other chunks, other files, other batches) is decided
// as one thread decides it.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;
using testing::WriteFile;

// `n` lines: event ids drawn from a pool smaller than n (duplicates at
// every distance, with different content, so which copy is kept shows),
// three event days, unknown fields now and then, and every 61st line bad
// in one of several ways (malformed, bad type, missing field, invalid
// UTF-8, a number beyond 64 bits, oversize).
std::string Lines(const std::string& file, int n, int pool) {
  std::string out;
  for (int i = 0; i < n; i++) {
    if (i % 61 == 13) {
      switch ((i / 61) % 6) {
        case 0: out += "{\"event_id\": \"broken\" \"customer_id\": 3}\n"; break;  // a missing comma
        case 1: out += fmt::format(R"({{"event_id":"b{}","customer_id":"12x","ts":1735689600}})", i) + "\n"; break;
        case 2: out += fmt::format(R"({{"event_id":"b{}","customer_id":3}})", i) + "\n"; break;
        case 3: out += "{\"event_id\":\"b" + std::to_string(i) + "\xff\",\"customer_id\":3,\"ts\":1}\n"; break;
        case 4: out += fmt::format(R"({{"event_id":"b{}","customer_id":123456789012345678901234,"ts":1}})", i) + "\n"; break;
        case 5: out += fmt::format(R"({{"event_id":"b{}","feature":"{}"}})", i, std::string(5000, 'x')) + "\n"; break;
      }
      continue;
    }
    const int id = static_cast<int>((static_cast<int64_t>(i) * 7919) % pool);
    std::string extra = i % 17 == 0 ? fmt::format(R"(,"campaign":{{"src":"{}","n":{}}})", file, i) : "";
    out += fmt::format(
               R"({{"event_id":"k{}","customer_id":"{}","ts":"2025-04-0{}T{:02d}:{:02d}:00+02:00","feature":"f{}","bytes":{}{}}})",
               id, i % 101, 1 + id % 3, 2 + i % 20, i % 60, i % 13, i, extra) +
           "\n";
  }
  return out;
}

struct Outcome {
  std::string raw, quarantine, files;
  int64_t batches = 0;
};

Outcome Ingest(const std::string& dir, const std::string& name, int threads, int64_t batch_memory) {
  Outcome o;
  auto lake = OpenLake(dir + "/lake_" + name);
  EXPECT_TRUE(lake.ok());
  if (!lake.ok()) return o;
  IngestOptions opts;
  opts.parse_threads = threads;
  opts.batch_bytes = 1 << 20;  // a few batches: later ones parse while earlier ones commit
  opts.batch_memory_bytes = batch_memory;
  opts.max_record_bytes = 4096;
  auto ing = SourceIngester::Open(lake->get(), testing::UsageSource(dir + "/landing"), opts);
  EXPECT_TRUE(ing.ok());
  if (!ing.ok()) return o;
  auto st = (*ing)->RunOnce();
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  if (!st.ok()) return o;
  o.batches = st->batches;
  for (const auto& r : st->file_reports) {
    o.files += fmt::format("{} {} {} {} {} {} [{}]\n", fs::path(r.path).filename().string(), r.records, r.committed,
                           r.quarantined, r.duplicates, r.skipped, r.error.empty() ? "" : "error");
  }
  o.raw = QueryDataset(lake->get(), lake::DatasetId::Raw("usage"),
                       "SELECT count(*) || ':' || count(DISTINCT event_id) || ':' || sum(hash(event_id, customer_id, "
                       "ts, feature, bytes, CAST(_extra AS VARCHAR), _source_file, _source_line, event_date)) FROM t")
              .ValueOr("error");
  o.quarantine = QueryDataset(lake->get(), lake::DatasetId::Quarantine("usage"),
                              "SELECT count(*) || ':' || sum(hash(_source_file, _source_line, _byte_offset, reason, "
                              "detail, raw, raw_bytes)) FROM t")
                     .ValueOr("error");
  return o;
}

TEST(IngestParseThreads, SameLakeWithOneAndFourWorkersWithAndWithoutSpills) {
  const std::string dir = FreshDir("parse_threads");
  const std::string landing = dir + "/landing/usage";
  fs::create_directories(landing);
  // Several chunks per file (1024 records each); b and c re-send ids of a;
  // c is a gzip cut short (whole-file error after its rows were taken: the
  // batch restarts without it); d ends in a cut record without a line break.
  WriteFile(landing + "/a.ndjson", Lines("a", 12000, 9000));
  WriteFile(landing + "/b.ndjson.gz", testing::Gzip(Lines("b", 9000, 12000)));
  const std::string c = testing::Gzip(Lines("c", 8000, 7000));
  WriteFile(landing + "/c.ndjson.gz", c.substr(0, c.size() - 8));
  WriteFile(landing + "/d.ndjson", Lines("d", 5000, 15000) + R"({"event_id":"k1","customer_id":)");

  const Outcome one = Ingest(dir, "one", 1, 1LL << 30);
  const Outcome four = Ingest(dir, "four", 4, 1LL << 30);
  const Outcome one_spills = Ingest(dir, "one_spills", 1, 1 << 20);
  const Outcome four_spills = Ingest(dir, "four_spills", 4, 1 << 20);

  // The data is what the test means it to be: duplicates, bad records of
  // every kind, a file quarantined whole, several batches.
  EXPECT_EQ(one.raw.find("error"), std::string::npos);
  EXPECT_EQ(one.quarantine.find("error"), std::string::npos);
  EXPECT_GT(one.batches, 1);
  EXPECT_NE(one.files.find("c.ndjson.gz 1 0 1 0 false [error]"), std::string::npos) << one.files;
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake_one"));
  ASSERT_OK_AND_ASSIGN(auto reasons, QueryDataset(lake.get(), lake::DatasetId::Quarantine("usage"),
                                                  "SELECT string_agg(DISTINCT reason, ',' ORDER BY reason) FROM t"));
  EXPECT_EQ(reasons, "bad_type,invalid_utf8,malformed_json,missing_required,number_out_of_range,too_large,truncated,unreadable_file");
  ASSERT_OK_AND_ASSIGN(auto dups, QueryDataset(lake.get(), lake::DatasetId::Raw("usage"),
                                               "SELECT count(*) - count(DISTINCT (event_id, event_date)) FROM t"));
  EXPECT_EQ(dups, "0");

  for (const Outcome* o : {&four, &one_spills, &four_spills}) {
    EXPECT_EQ(o->raw, one.raw);
    EXPECT_EQ(o->quarantine, one.quarantine);
    EXPECT_EQ(o->files, one.files);
    EXPECT_EQ(o->batches, one.batches);
  }
}

// The worker count is a setting of [ingest.settings]; 0 means the hardware threads.
TEST(IngestParseThreads, ConfigKey) {
  const std::string dir = FreshDir("parse_threads_config");
  WriteFile(dir + "/custlake.toml", "[ingest.settings]\nparse_threads = 3\n[ingest.usage]\npath = \"landing\"\n");
  ASSERT_OK_AND_ASSIGN(auto config, LoadIngestConfig(dir + "/custlake.toml"));
  EXPECT_EQ(IngestOptions::FromConfig(config).parse_threads, 3);
  EXPECT_EQ(IngestOptions{}.parse_threads, 0);
  WriteFile(dir + "/custlake.toml", "[ingest.settings]\nparse_threads = -1\n");
  auto bad = LoadIngestConfig(dir + "/custlake.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("parse_threads"), std::string::npos) << bad.status().ToString();
}

}  // namespace
}  // namespace custlake::ingest
