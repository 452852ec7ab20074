// How landing files are identified (exactly once): by content checksum per
// dataset. The same content landing for two datasets is ingested by each;
// empty files, which all share one checksum, are told apart by name.
#include <gtest/gtest.h>

#include <filesystem>

#include "ingest/ingest_test_util.h"
#include "lake/checksum.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;
using testing::WriteFile;

const char* kEvents =
    R"({"event_id":"e1","customer_id":1,"ts":"2025-03-01T00:00:00Z"})" "\n"
    R"({"event_id":"e2","customer_id":2,"ts":"2025-03-01T00:00:00Z"})" "\n";

SourceSpec Source(const std::string& landing, const std::string& dataset) {
  SourceSpec s = testing::UsageSource("");
  s.config.name = dataset;
  s.config.path = landing;
  s.config.dataset = dataset;
  s.config.after = AfterIngest::kDelete;
  return s;
}

TEST(IngestFileIdentity, SameContentForTwoDatasetsIsIngestedByEach) {
  const std::string dir = FreshDir("identity_datasets");
  fs::create_directories(dir + "/eu");
  fs::create_directories(dir + "/us");
  WriteFile(dir + "/eu/a.ndjson", kEvents);
  WriteFile(dir + "/us/a.ndjson", kEvents);
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  for (const char* ds : {"usage_eu", "usage_us"}) {
    ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), Source(dir + "/" + std::string(ds).substr(6), ds), {}));
    ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
    EXPECT_EQ(st.files, 1) << ds;
    EXPECT_EQ(st.files_skipped, 0) << ds;
    EXPECT_EQ(st.committed, 2) << ds;
    ASSERT_OK_AND_ASSIGN(auto n, QueryDataset(lake.get(), lake::DatasetId::Raw(ds), "SELECT count(*) FROM t"));
    EXPECT_EQ(n, "2") << ds;
  }
  // Within one dataset the same content is still skipped (and its after-action done).
  WriteFile(dir + "/eu/a-again.ndjson", kEvents);
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), Source(dir + "/eu", "usage_eu"), {}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.files, 0);
  EXPECT_EQ(st.files_skipped, 1);
  EXPECT_FALSE(fs::exists(dir + "/eu/a-again.ndjson"));
}

// Landing files are identified by XXH3-128; a dataset whose files were
// recorded by sha256 (by custlake before 2026-12) keeps sha256, so a file
// it ingested then and dropped again is still skipped.
TEST(IngestFileIdentity, ADatasetRecordedWithSha256KeepsSha256) {
  const std::string dir = FreshDir("identity_sha256");
  fs::create_directories(dir + "/old");
  fs::create_directories(dir + "/new");
  const std::string more = R"({"event_id":"e3","customer_id":3,"ts":"2025-03-02T00:00:00Z"})" "\n";
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  const auto legacy = lake::DatasetId::Raw("usage_old");
  {
    // What an earlier custlake committed for a.ndjson: its sha256.
    ASSERT_OK_AND_ASSIGN(auto batch, lake->BeginBatch(legacy, lake::BatchOptions{}));
    ASSERT_OK(batch.RecordIngestedFile(lake::Sha256Hex(kEvents), dir + "/old/a.ndjson", 130));
    ASSERT_OK(batch.Commit());
  }
  WriteFile(dir + "/old/a-again.ndjson", kEvents);
  WriteFile(dir + "/old/b.ndjson", more);
  ASSERT_OK_AND_ASSIGN(auto old_ing, SourceIngester::Open(lake.get(), Source(dir + "/old", "usage_old"), {}));
  ASSERT_OK_AND_ASSIGN(auto old_st, old_ing->RunOnce());
  EXPECT_EQ(old_st.files_skipped, 1);
  EXPECT_EQ(old_st.files, 1);
  EXPECT_EQ(old_st.committed, 1);
  ASSERT_OK_AND_ASSIGN(auto b_sha, lake->FindIngestedFile(legacy, lake::Sha256Hex(more)));
  EXPECT_TRUE(b_sha.has_value());
  // A new dataset records XXH3-128.
  WriteFile(dir + "/new/b.ndjson", more);
  ASSERT_OK_AND_ASSIGN(auto new_ing, SourceIngester::Open(lake.get(), Source(dir + "/new", "usage_new"), {}));
  ASSERT_OK(new_ing->RunOnce());
  ASSERT_OK_AND_ASSIGN(auto b_xxh, lake->FindIngestedFile(lake::DatasetId::Raw("usage_new"), lake::Xxh128Hex(more)));
  EXPECT_TRUE(b_xxh.has_value());
  ASSERT_OK_AND_ASSIGN(auto b_not_sha, lake->FindIngestedFile(lake::DatasetId::Raw("usage_new"), lake::Sha256Hex(more)));
  EXPECT_FALSE(b_not_sha.has_value());
}

TEST(IngestFileIdentity, EmptyFilesAreToldApartByName) {
  const std::string dir = FreshDir("identity_empty");
  const std::string landing = dir + "/landing/usage";
  fs::create_directories(landing);
  WriteFile(landing + "/2025-03-01.ndjson", "");
  WriteFile(landing + "/2025-03-02.ndjson", "");
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), testing::UsageSource(dir + "/landing"), {}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.files, 2);
  EXPECT_EQ(st.files_skipped, 0);
  EXPECT_EQ(st.records, 0);
  // A later empty file under a new name is a new (empty) file, not a copy.
  WriteFile(landing + "/2025-03-03.ndjson", "");
  ASSERT_OK_AND_ASSIGN(auto st2, ing->RunOnce());
  EXPECT_EQ(st2.files, 1);
  EXPECT_EQ(st2.files_skipped, 2);
}

}  // namespace
}  // namespace custlake::ingest

namespace custlake::ingest {
namespace {

// A schema file that changes what the dataset's committed files hold is
// refused with the column named; an additive change is accepted and
// becomes the recorded schema.
TEST(IngestSchemaContract, IncompatibleSchemaFileIsRefusedAdditiveIsRecorded) {
  const std::string dir = FreshDir("schema_evolution");
  const std::string landing = dir + "/landing/usage";
  fs::create_directories(landing);
  WriteFile(landing + "/a.ndjson", kEvents);
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  {
    ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), testing::UsageSource(dir + "/landing"), {}));
    ASSERT_OK(ing->RunOnce());
  }
  SourceSpec retyped = testing::UsageSource(dir + "/landing");
  retyped.schema->fields[1].type = FieldType::kString;  // customer_id: int64 -> string
  auto refused = SourceIngester::Open(lake.get(), retyped, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("column customer_id changes type from int64 to string"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("raw/usage"), std::string::npos) << refused.status().message();

  SourceSpec added = testing::UsageSource(dir + "/landing");
  added.schema->fields.push_back({"region", FieldType::kString, false, ""});
  WriteFile(landing + "/b.ndjson", R"({"event_id":"e3","customer_id":3,"ts":"2025-03-02T00:00:00Z","region":"eu"})" "\n");
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), added, {}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.committed, 1);
  ASSERT_OK_AND_ASSIGN(auto info, lake->GetDataset(lake::DatasetId::Raw("usage")));
  ASSERT_TRUE(info.has_value());
  EXPECT_NE(info->schema_json.find("\"region\""), std::string::npos) << info->schema_json;
  ASSERT_OK_AND_ASSIGN(auto n, QueryDataset(lake.get(), lake::DatasetId::Raw("usage"),
                                            "SELECT count(*) || ':' || count(region) FROM t"));
  EXPECT_EQ(n, "3:1");
}

}  // namespace
}  // namespace custlake::ingest
