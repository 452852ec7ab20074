// Files that turn out unreadable after some of their records were parsed (a
// gzip stream cut off at its tail): the file is quarantined whole, and
// nothing it contributed before the error may influence the rest of the
// batch (its keys must not make later records duplicates).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using testing::Gzip;
using testing::OpenLake;
using testing::QueryDataset;
using testing::WriteFile;

std::string Events(const std::string& prefix, int n) {
  std::string out;
  for (int i = 0; i < n; i++) {
    out += "{\"event_id\":\"" + prefix + std::to_string(i) + "\",\"customer_id\":1,\"ts\":\"2025-03-01T12:00:00Z\"}\n";
  }
  return out;
}

// A gzip stream without its 8-byte trailer: every record decompresses, then
// the reader reports the truncation at the end of the file. The content
// must be larger than the reader's first 4 MiB read for records to be
// parsed before the error.
std::string GzipWithoutTrailer(const std::string& data) {
  const std::string gz = Gzip(data);
  return gz.substr(0, gz.size() - 8);
}

TEST(IngestWholeFileError, KeysOfAFileFailedLateDoNotMakeDuplicates) {
  const std::string dir = FreshDir("late_failure");
  const fs::path landing = fs::path(dir) / "landing" / "usage";
  fs::create_directories(landing);
  WriteFile((landing / "a.ndjson.gz").string(), GzipWithoutTrailer(Events("k", 80000)));
  // The same records, sent again in a readable file of the same batch.
  WriteFile((landing / "b.ndjson").string(), Events("k", 80000));
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), testing::UsageSource(dir + "/landing"), {}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  ASSERT_EQ(st.file_reports.size(), 2u);
  const FileReport& a = st.file_reports[0];
  EXPECT_EQ(a.records, 1);
  EXPECT_EQ(a.quarantined, 1);
  EXPECT_NE(a.error.find("truncated gzip"), std::string::npos) << a.error;
  const FileReport& b = st.file_reports[1];
  EXPECT_EQ(b.records, 80000);
  EXPECT_EQ(b.committed, 80000);
  EXPECT_EQ(b.duplicates, 0);
  ASSERT_OK_AND_ASSIGN(auto n, QueryDataset(lake.get(), lake::DatasetId::Raw("usage"), "SELECT count(*) FROM t"));
  EXPECT_EQ(n, "80000");
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// after = delete must not lose an unreadable file: the batch that
// quarantines it keeps its bytes in quarantine/<dataset>/files/.
TEST(IngestWholeFileError, UnreadableFilesAreKeptWholeInQuarantine) {
  const std::string dir = FreshDir("kept_files");
  const fs::path landing = fs::path(dir) / "landing" / "usage";
  fs::create_directories(landing);
  const std::string binary = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + std::string(3000, '\x07');
  const std::string cut_gzip = Gzip(Events("g", 50)).substr(0, 40);
  WriteFile((landing / "image.ndjson").string(), binary);
  WriteFile((landing / "cut.ndjson.gz").string(), cut_gzip);
  WriteFile((landing / "good.ndjson").string(), Events("k", 3));
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  auto spec = testing::UsageSource(dir + "/landing");
  spec.config.after = AfterIngest::kDelete;
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), spec, {}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.committed, 3);
  EXPECT_EQ(st.quarantined, 2);
  EXPECT_TRUE(fs::is_empty(landing));
  ASSERT_OK_AND_ASSIGN(auto files, lake->CommittedFiles(lake::DatasetId::Quarantine("usage")));
  std::map<std::string, std::string> kept;  // file name suffix -> content
  for (const auto& f : files) {
    if (f.path.find("/files/") == std::string::npos) continue;
    // <checksum>-<name>: the checksum is the file's XXH3-128 (32 hex digits).
    const std::string name = fs::path(f.path).filename().string();
    EXPECT_EQ(name[32], '-') << name;
    kept[name.substr(33)] = ReadAll(f.absolute_path);
  }
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept["image.ndjson"], binary);
  EXPECT_EQ(kept["cut.ndjson.gz"], cut_gzip);
  // The quarantine row says where, and the real size.
  ASSERT_OK_AND_ASSIGN(auto detail, QueryDataset(lake.get(), lake::DatasetId::Quarantine("usage"),
                                                 "SELECT detail || '|' || raw_bytes FROM t WHERE _source_file LIKE '%image.ndjson'"));
  EXPECT_NE(detail.find("kept as quarantine/usage/files/"), std::string::npos) << detail;
  EXPECT_NE(detail.find("|" + std::to_string(binary.size())), std::string::npos) << detail;
}

}  // namespace
}  // namespace custlake::ingest
