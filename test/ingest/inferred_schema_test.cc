// An inferred schema is logged as one short line (field count, the first
// names) and kept whole in a file the line names, in the schema-file format
// (webhook payloads gave ~10 KB log lines before).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

using testing::FreshDir;
using testing::OpenLake;
using testing::WriteFile;

TEST(IngestInferredSchema, LoggedShortAndKeptWholeInAFile) {
  const std::string dir = FreshDir("inferred");
  std::filesystem::create_directories(dir + "/landing/hooks");
  std::string record = R"({"id":1)";
  for (int i = 0; i < 40; i++) record += fmt::format(R"(,"a_rather_long_field_name_{}":"value")", i);
  WriteFile(dir + "/landing/hooks/a.ndjson", record + "}\n");
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  SourceSpec spec;
  spec.config.name = "hooks";
  spec.config.path = dir + "/landing/hooks";
  spec.config.format = "ndjson";
  spec.config.dataset = "hooks";
  std::vector<std::string> lines;
  IngestOptions opts;
  opts.log = [&lines](const std::string& line) { lines.push_back(line); };
  ASSERT_OK_AND_ASSIGN(auto ingester, SourceIngester::Open(lake.get(), spec, opts));
  ASSERT_OK_AND_ASSIGN(auto stats, ingester->RunOnce());
  EXPECT_EQ(stats.committed, 1);

  const auto it = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("schema inferred") != std::string::npos;
  });
  ASSERT_NE(it, lines.end());
  EXPECT_LT(it->size(), 400u) << *it;
  EXPECT_NE(it->find("41 fields (id int64, a_rather_long_field_name_0 string"), std::string::npos) << *it;
  const std::string file = lake->layout().ArchiveDir() + "/schemas/hooks.inferred.json";
  EXPECT_NE(it->find(file), std::string::npos) << *it;
  ASSERT_OK_AND_ASSIGN(Schema kept, Schema::FromFile(file));
  EXPECT_EQ(kept.fields.size(), 41u);
}

}  // namespace
}  // namespace custlake::ingest
