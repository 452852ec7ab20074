#include "ingest/parse_pool.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "ingest/dedup_index.h"
#include "ingest/timestamp_parse.h"

namespace custlake::ingest {
namespace {

Schema TestSchema() {
  Schema s;
  s.fields = {{"id", FieldType::kString, true, ""}, {"n", FieldType::kInt64, false, ""},
              {"ts", FieldType::kTimestamp, true, ""}};
  s.key = "id";
  s.partition_field = "ts";
  return s;
}

// Every outcome of a chunk as text, record by record.
std::string Describe(const RecordChunk& c) {
  std::string out;
  for (size_t i = 0; i < c.size(); i++) {
    const ParsedRecord& r = c.result(i);
    out += fmt::format("{}:", c.record(i).line);
    if (!r.ok) {
      out += fmt::format("{} {}\n", ReasonName(r.error.reason), r.error.detail);
      continue;
    }
    out += fmt::format("day={} fp={} extra={} |", r.day, r.fingerprint, r.extra);
    for (size_t f = 0; f < 3; f++) {
      const Value& v = c.values(i)[f];
      out += fmt::format(" {}/{}/{}", static_cast<int>(v.kind), v.i, v.s);
    }
    out += "\n";
  }
  return out;
}

// Chunks come back in submission order, each parsed as one thread parses
// it, whatever the number of workers and however long each chunk takes.
TEST(ParsePool, ChunksComeBackInOrderParsedAsOnOneThread) {
  const Schema schema = TestSchema();
  std::vector<std::string> lines;
  for (int i = 0; i < 5000; i++) {
    if (i % 37 == 5) {
      lines.push_back(i % 2 ? "{not json" : fmt::format(R"({{"id":"x{}","n":"many","ts":1}})", i));
    } else if (i % 3 == 0) {
      lines.push_back(fmt::format(R"({{"id":"x{}","n":"{}","ts":"2025-01-0{}T00:00:00Z","other":[{}]}})", i % 700, i,
                                  1 + i % 9, i));
    } else {
      // Some chunks are slow to parse (long text), so workers finish out of order.
      lines.push_back(fmt::format(R"({{"ts":{},"id":"{}","n":{}}})", 1735689600 + i, std::string(i % 500 == 1 ? 3000 : 8, 'a' + i % 26), i));
    }
  }
  std::string expected;
  for (const int threads : {1, 4}) {
    ParsePool pool(&schema, RecordParserOptions{}, threads);
    EXPECT_EQ(pool.threads(), threads);
    pool.Begin();
    ChunkContext cx;
    cx.partition_index = 2;
    std::string got;
    size_t next = 0;
    int64_t line = 1;
    while (next < lines.size() || pool.in_flight() > 0) {
      if (next < lines.size() && pool.in_flight() < pool.max_in_flight()) {
        RecordChunk* c = pool.NewChunk();
        // Chunks of varying size (1 to 400 records).
        const size_t n = std::min(lines.size() - next, 1 + (next * 7) % 400);
        for (size_t k = 0; k < n; k++, next++) {
          std::string padded = lines[next] + std::string(RecordReader::kPadding, ' ');
          RawRecord r;
          r.text = std::string_view(padded.data(), lines[next].size());
          r.line = line++;
          r.size = static_cast<int64_t>(r.text.size());
          c->Add(r);
        }
        pool.Submit(c, cx);
        continue;
      }
      RecordChunk* c = pool.Next();
      ASSERT_NE(c, nullptr);
      got += Describe(*c);
      pool.Recycle(c);
    }
    pool.Finish();
    EXPECT_EQ(pool.Next(), nullptr);
    if (threads == 1) {
      expected = got;
      // What the chunk holds is what RecordParser says for the same text.
      EXPECT_NE(got.find("1:day="), std::string::npos);
      EXPECT_NE(got.find(fmt::format("fp={}", KeyFingerprint("x0"))), std::string::npos);
      EXPECT_NE(got.find("bad_type field n: cannot coerce \"many\" to int64"), std::string::npos) << got.substr(0, 2000);
      EXPECT_NE(got.find("extra={\"other\":[0]}"), std::string::npos);
    } else {
      EXPECT_EQ(got, expected);
    }
  }
}

// The ingester's way with several workers: records are read into chunks on
// a thread of their own, at most max_in_flight() chunks out, while this
// thread takes them back; a consumer that stops early cancels the producer,
// which then gets no more chunks (and so never waits forever).
TEST(ParsePool, ProducerOnItsOwnThreadIsBoundedAndCanBeCancelled) {
  const Schema schema = TestSchema();
  for (const bool cancel : {false, true}) {
    ParsePool pool(&schema, RecordParserOptions{}, 3);
    pool.Begin();
    std::atomic<size_t> most_out{0};
    std::atomic<int> produced{0};
    std::thread producer([&] {
      std::string line;
      for (int k = 0; k < 200; k++) {
        RecordChunk* c = pool.NewChunk();
        if (c == nullptr) return;  // cancelled
        produced++;
        for (int i = 0; i < 50; i++) {
          line = fmt::format(R"({{"id":"p{}","n":{},"ts":1735689600}})", k * 50 + i, i) +
                 std::string(RecordReader::kPadding, ' ');
          RawRecord r;
          r.text = std::string_view(line.data(), line.size() - RecordReader::kPadding);
          r.line = k * 50 + i + 1;
          c->Add(r);
        }
        pool.Submit(c, ChunkContext{});
      }
      pool.Finish();
    });
    int64_t expect_line = 1;
    int taken = 0;
    while (RecordChunk* c = pool.Next()) {
      most_out = std::max<size_t>(most_out, static_cast<size_t>(produced.load() - taken));
      for (size_t i = 0; i < c->size(); i++) EXPECT_EQ(c->record(i).line, expect_line++);
      EXPECT_TRUE(c->result(0).ok);
      pool.Recycle(c);
      if (++taken == 20 && cancel) {
        pool.Cancel();
        break;
      }
    }
    producer.join();
    pool.Discard();
    EXPECT_LE(most_out.load(), pool.max_in_flight());
    if (cancel) {
      EXPECT_LE(produced.load(), 20 + static_cast<int>(pool.max_in_flight()));
    } else {
      EXPECT_EQ(taken, 200);
    }
  }
}

// The context's oversize and cut-off marks become too_large and truncated;
// a huge record parses (and its parser gives the memory back afterwards).
TEST(ParsePool, OversizeCutAndHugeRecords) {
  const Schema schema = TestSchema();
  ParsePool pool(&schema, RecordParserOptions{}, 2);
  pool.Begin();
  RecordChunk* c = pool.NewChunk();
  std::string big = std::string(100, 'x') + std::string(RecordReader::kPadding, ' ');
  RawRecord r;
  r.text = std::string_view(big.data(), 100);
  r.size = 5000;
  r.oversize = true;
  c->Add(r);
  std::string cut = R"({"id":"a)" + std::string(RecordReader::kPadding, ' ');
  RawRecord r2;
  r2.text = std::string_view(cut.data(), 8);
  r2.broken = "no line break at the end of the file";
  c->Add(r2);
  // A record over 1 MiB (the worker's parser grows for it, then shrinks
  // after the chunk): its values and the next record's are intact.
  std::string huge = R"({"id":"h","n":7,"ts":1735689600,"pad":")" + std::string(2 << 20, 'p') + "\"}";
  const size_t huge_size = huge.size();
  huge += std::string(RecordReader::kPadding, ' ');
  RawRecord r3;
  r3.text = std::string_view(huge.data(), huge_size);
  c->Add(r3);
  std::string small = R"({"id":"s","n":8,"ts":1735689600})" + std::string(RecordReader::kPadding, ' ');
  RawRecord r4;
  r4.text = std::string_view(small.data(), small.size() - RecordReader::kPadding);
  c->Add(r4);
  ChunkContext cx;
  cx.max_record_bytes = 4096;
  pool.Submit(c, cx);
  RecordChunk* back = pool.Next();
  ASSERT_EQ(back, c);
  EXPECT_EQ(back->result(0).error.reason, Reason::kTooLarge);
  EXPECT_EQ(back->result(0).error.detail, "record of 5000 bytes exceeds max_record_bytes (4096)");
  EXPECT_EQ(back->result(1).error.reason, Reason::kTruncated);
  EXPECT_EQ(back->result(1).error.detail.rfind("no line break at the end of the file; ", 0), 0u);
  ASSERT_TRUE(back->result(2).ok);
  EXPECT_EQ(back->values(2)[0].s, "h");
  EXPECT_EQ(back->values(2)[1].i, 7);
  EXPECT_EQ(back->result(2).extra.size(), (2u << 20) + 10);  // {"pad":"ppp..."}
  ASSERT_TRUE(back->result(3).ok);
  EXPECT_EQ(back->values(3)[0].s, "s");
  EXPECT_EQ(back->values(3)[1].i, 8);
  pool.Recycle(back);
}

}  // namespace
}  // namespace custlake::ingest
