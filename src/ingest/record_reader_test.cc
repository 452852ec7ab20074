#include "ingest/record_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

namespace custlake::ingest {
namespace {

std::string TempFile(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::temp_directory_path() / "custlake_rr_test";
  std::filesystem::create_directories(dir);
  const auto p = dir / name;
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

std::vector<RawRecord> ReadAll(const std::string& path, Format format, size_t max_record = 1 << 20,
                               Status* error = nullptr) {
  std::vector<char> buf;
  RecordReaderOptions o;
  o.format = format;
  o.max_record_bytes = max_record;
  o.chunk_bytes = 7;  // tiny chunks exercise the refill paths
  auto fr = FileReader::Open(path);
  EXPECT_TRUE(fr.ok());
  RecordReader r(std::move(fr).value(), o, &buf);
  std::vector<RawRecord> out;
  std::vector<std::string> texts;
  RawRecord rec;
  while (true) {
    auto more = r.Next(&rec);
    if (!more.ok()) {
      if (error) *error = more.status();
      break;
    }
    if (!*more) break;
    RawRecord copy = rec;
    texts.push_back(std::string(rec.text));
    out.push_back(copy);
  }
  // Keep texts alive by storing them in a static (views into the buffer die).
  static std::vector<std::vector<std::string>> keep;
  keep.push_back(texts);
  for (size_t i = 0; i < out.size(); i++) out[i].text = keep.back()[i];
  return out;
}

TEST(RecordReader, NdjsonLinesBomCrlfBlank) {
  auto p = TempFile("a.ndjson", "\xEF\xBB\xBF{\"a\":1}\r\n\n  \n{\"a\":2}\n{\"a\":3}");
  auto recs = ReadAll(p, Format::kNdjson);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].text, "{\"a\":1}");
  EXPECT_EQ(recs[0].line, 1);
  EXPECT_EQ(recs[1].line, 4);
  EXPECT_EQ(recs[2].text, "{\"a\":3}");
  EXPECT_EQ(recs[2].line, 5);
}

TEST(RecordReader, NdjsonOversize) {
  auto p = TempFile("b.ndjson", "{\"a\":1}\n" + std::string(100, 'x') + "\n{\"a\":2}\n");
  auto recs = ReadAll(p, Format::kNdjson, 20);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_TRUE(recs[1].oversize);
  EXPECT_EQ(recs[1].size, 100);
  EXPECT_EQ(recs[2].line, 3);
  EXPECT_EQ(recs[2].text, "{\"a\":2}");
}

TEST(RecordReader, NdjsonCutOffLastLineIsMarked) {
  auto p = TempFile("cut.ndjson", "{\"a\":1}\n{\"a\":2,\"b\":");
  auto recs = ReadAll(p, Format::kNdjson);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_TRUE(recs[0].broken.empty());
  EXPECT_FALSE(recs[1].broken.empty());
  auto q = TempFile("whole.ndjson", "{\"a\":1}\n{\"a\":2}\n");
  recs = ReadAll(q, Format::kNdjson);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_TRUE(recs[1].broken.empty());
}

// An oversize element of a JSON array is one record (with its real size);
// the elements after it are read as usual, with the right line numbers.
TEST(RecordReader, JsonOversizeElementOfAnArray) {
  const std::string big = "{\"a\": \"" + std::string(200, 'x') + "\", \"n\": [1, {\"b\": \"}\"}]}";
  // Indented, several elements a line apart.
  auto p = TempFile("big-indented.json", "[\n  {\"a\": 1},\n  " + big + ",\n  {\"a\": 2},\n  {\"a\": 3}\n]\n");
  auto recs = ReadAll(p, Format::kJson, 100);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].text, "{\"a\": 1}");
  EXPECT_TRUE(recs[1].oversize);
  EXPECT_EQ(recs[1].size, static_cast<int64_t>(big.size()));
  EXPECT_EQ(recs[1].line, 3);
  EXPECT_TRUE(recs[1].broken.empty());
  EXPECT_EQ(recs[2].text, "{\"a\": 2}");
  EXPECT_EQ(recs[2].line, 4);
  EXPECT_EQ(recs[3].text, "{\"a\": 3}");
  EXPECT_EQ(recs[3].line, 5);
  // All on one line.
  auto q = TempFile("big-one-line.json", "[{\"a\": 1}," + big + ",{\"a\": 2},{\"a\": 3}]");
  recs = ReadAll(q, Format::kJson, 100);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_TRUE(recs[1].oversize);
  EXPECT_EQ(recs[1].size, static_cast<int64_t>(big.size()));
  EXPECT_EQ(recs[2].text, "{\"a\": 2}");
  EXPECT_EQ(recs[3].text, "{\"a\": 3}");
  EXPECT_EQ(recs[3].line, 1);
  // Pretty-printed documents one after another: lines are counted once.
  auto t = TempFile("big-docs.json", big + "\n{\n  \"a\": 2\n}\n" + big + "\n{\"a\": 3}\n");
  recs = ReadAll(t, Format::kJson, 100);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_TRUE(recs[0].oversize);
  EXPECT_EQ(recs[1].line, 2);
  EXPECT_TRUE(recs[2].oversize);
  EXPECT_EQ(recs[2].line, 5);
  EXPECT_EQ(recs[3].line, 6);
  EXPECT_EQ(recs[3].text, "{\"a\": 3}");
}

TEST(RecordReader, CsvOversizeQuotedRecordWithLineBreaks) {
  auto p = TempFile("big.csv", "a,b\n1,\"" + std::string(50, 'x') + "\n" + std::string(50, 'y') + "\"\n2,z\n");
  auto recs = ReadAll(p, Format::kCsv, 60);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_TRUE(recs[1].oversize);
  EXPECT_EQ(recs[1].size, 105);
  EXPECT_EQ(recs[2].text, "2,z");
  EXPECT_EQ(recs[2].line, 4);
}

TEST(RecordReader, JsonArrayAndDocuments) {
  auto p = TempFile("c.json", "[\n {\"a\": [1, {\"b\": \"]}\"}]},\n {\"a\": 2}\n]\n");
  auto recs = ReadAll(p, Format::kJson);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].text, "{\"a\": [1, {\"b\": \"]}\"}]}");
  EXPECT_EQ(recs[1].line, 3);
  auto q = TempFile("d.json", "{\"a\":1}\n{\"a\":2, \"b\": {\"c\"\n{\"a\":3}\n");
  recs = ReadAll(q, Format::kJson);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_FALSE(recs[1].broken.empty());
  EXPECT_EQ(recs[2].text, "{\"a\":3}");
  auto r = TempFile("e.json", "{\n  \"a\": 1,\n  \"b\": {\"c\": 2}\n}\n");
  recs = ReadAll(r, Format::kJson);
  ASSERT_EQ(recs.size(), 1u);
  auto t = TempFile("f.json", "{\"a\": \"unterminated\n{\"a\":3}\n{\"a\": {\"b\": 1");
  recs = ReadAll(t, Format::kJson);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_FALSE(recs[0].broken.empty());
  EXPECT_TRUE(recs[1].broken.empty());
  EXPECT_FALSE(recs[2].broken.empty());
}

TEST(RecordReader, Csv) {
  auto p = TempFile("g.csv", "a,b\n1,\"x\ny\"\n2,z\n");
  auto recs = ReadAll(p, Format::kCsv);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].text, "1,\"x\ny\"");
  EXPECT_EQ(recs[2].line, 4);
}

TEST(RecordReader, GzipAndTruncatedGzip) {
  std::string data = "{\"a\":1}\n{\"a\":2}\n";
  uLongf n = compressBound(data.size()) + 64;
  std::string gz(n, '\0');
  // Write a gzip member with deflateInit2.
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = static_cast<uInt>(gz.size());
  deflate(&zs, Z_FINISH);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  auto p = TempFile("h.ndjson.gz", gz + gz);  // two members
  auto recs = ReadAll(p, Format::kNdjson);
  EXPECT_EQ(recs.size(), 4u);
  auto q = TempFile("i.ndjson.gz", gz.substr(0, gz.size() - 6));
  Status st;
  ReadAll(q, Format::kNdjson, 1 << 20, &st);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("truncated gzip"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace custlake::ingest
