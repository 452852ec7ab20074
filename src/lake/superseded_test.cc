// Superseded files leave their dataset folders (superseded.h): right after
// the commit that retires them, or at the next recovery when another batch
// was live or the move was interrupted; and Lake::Vacuum's keep rule and dry run.
#include <filesystem>

#include "lake/file_util.h"
#include "lake/lake.h"
#include "lake/lake_testing.h"

namespace custlake::lake {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

const DatasetId kOffers = DatasetId::Raw("shop/offers");
const Partition kDay1 = {{"ingest_date", "2025-01-01"}};
const Partition kDay2 = {{"ingest_date", "2025-01-02"}};

class SupersededTest : public ::testing::Test {
 protected:
  void SetUp() override { Open({}); }
  void Open(FailPointHook hook) {
    lake_.reset();
    LakeOptions options;
    options.fail_point = std::move(hook);
    auto lake = Lake::Init(dir_.Sub("lake"), options);
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_ = std::move(lake).value();
  }
  /// A full import: one file in partition `p` replacing the dataset.
  Result<int64_t> Replace(const Partition& p, const std::string& content) {
    BatchOptions options;
    options.replace = true;
    ASSIGN_OR_RETURN(auto batch, lake_->BeginBatch(kOffers, options));
    ASSIGN_OR_RETURN(auto part, batch.NewPart(p));
    WriteFile(part.staging_path, content);
    RETURN_NOT_OK(batch.AddFile(part, 1));
    RETURN_NOT_OK(batch.Commit());
    return batch.id();
  }
  /// What an external engine scanning raw/shop/offers/ finds, lake-relative.
  std::vector<std::string> InFolder() {
    auto files = ListFilesRecursive(dir_.Sub("lake/raw/shop/offers"));
    return files.ok() ? *files : std::vector<std::string>{};
  }
  std::vector<std::string> Retired() {
    auto files = lake_->metastore().ListFiles(kOffers, FileState::kRetired);
    std::vector<std::string> out;
    if (files.ok()) {
      for (const FileInfo& f : *files) out.push_back(f.path);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Lake> lake_;
};

TEST_F(SupersededTest, TheCommitThatRetiresAFileMovesItOutOfTheDatasetFolder) {
  ASSERT_OK_AND_ASSIGN(int64_t first, Replace(kDay1, "140 rows"));
  ASSERT_OK_AND_ASSIGN(int64_t second, Replace(kDay2, "144 rows"));
  // The folder holds what readers read, and nothing else: not even the emptied partition.
  EXPECT_EQ(InFolder(), std::vector<std::string>{"ingest_date=2025-01-02/" + PartFileName(second, 0)});
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("lake/raw/shop/offers/ingest_date=2025-01-01")));
  // The retired file is kept, recorded at its new place.
  const std::string moved = "_superseded/raw/shop/offers/ingest_date=2025-01-01/" + PartFileName(first, 0);
  EXPECT_EQ(Retired(), std::vector<std::string>{moved});
  EXPECT_EQ(ReadFile(dir_.Sub("lake/" + moved)), "140 rows");
  // A reopening writer's sweep keeps it (it is listed).
  Open({});
  EXPECT_EQ(ReadFile(dir_.Sub("lake/" + moved)), "140 rows");
}

TEST_F(SupersededTest, WhileAnotherBatchIsLiveTheMoveWaitsForTheNextRecovery) {
  ASSERT_OK_AND_ASSIGN(int64_t first, Replace(kDay1, "old"));
  ASSERT_OK_AND_ASSIGN(auto other, lake_->BeginBatch(DatasetId::Raw("usage")));  // holds the lock shared
  ASSERT_OK(Replace(kDay1, "new").status());
  EXPECT_EQ(InFolder().size(), 2u);  // no file is moved under a live batch
  ASSERT_OK(other.Abort("done"));
  ASSERT_OK_AND_ASSIGN(auto report, lake_->Recover(false));
  EXPECT_EQ(report.files_set_aside, 1);
  EXPECT_EQ(InFolder().size(), 1u);
  EXPECT_EQ(Retired(), std::vector<std::string>{"_superseded/raw/shop/offers/ingest_date=2025-01-01/" +
                                                PartFileName(first, 0)});
}

TEST_F(SupersededTest, AMoveInterruptedAfterItWasRecordedIsFinishedByTheNextRecovery) {
  for (const char* step : {"set_aside.after_record", "set_aside.after_rename:0"}) {
    SCOPED_TRACE(step);
    Open({});
    ASSERT_OK_AND_ASSIGN(int64_t first, Replace(kDay1, std::string("old ") + step));
    Open([step](std::string_view at) {
      return at == step ? Status::IOError("injected at " + std::string(at)) : Status::OK();
    });
    ASSERT_OK_AND_ASSIGN(int64_t second, Replace(kDay1, "new"));  // committed; the move stops at `step`
    ASSERT_OK_AND_ASSIGN(auto live, lake_->CommittedFiles(kOffers));
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].batch_id, second);
    Open({});  // the next writer: recovery (with its sweep) finishes the move
    EXPECT_EQ(InFolder(), std::vector<std::string>{"ingest_date=2025-01-01/" + PartFileName(second, 0)});
    const std::string moved = "_superseded/raw/shop/offers/ingest_date=2025-01-01/" + PartFileName(first, 0);
    EXPECT_EQ(ReadFile(dir_.Sub("lake/" + moved)), std::string("old ") + step);
    ASSERT_OK(lake_->Vacuum(std::chrono::seconds(0)).status());  // the next step starts with no retired file
    EXPECT_TRUE(Retired().empty());
    EXPECT_FALSE(std::filesystem::exists(dir_.Sub("lake/" + moved)));
  }
}

TEST_F(SupersededTest, VacuumKeepsWhatKeepSaysAndADryRunDeletesNothing) {
  ASSERT_OK_AND_ASSIGN(int64_t first, Replace(kDay1, "a"));
  ASSERT_OK_AND_ASSIGN(int64_t second, Replace(kDay1, "b"));
  ASSERT_OK(Replace(kDay1, "c").status());
  VacuumOptions options;
  options.min_age = std::chrono::seconds(0);
  options.keep = [&](const FileInfo& f) -> Result<bool> { return f.batch_id == second; };
  options.dry_run = true;
  ASSERT_OK_AND_ASSIGN(auto planned, lake_->Vacuum(options));
  EXPECT_EQ(planned.files_removed, 1);
  EXPECT_EQ(planned.files_kept, 1);
  ASSERT_EQ(planned.removed.size(), 1u);
  EXPECT_EQ(planned.removed[0].batch_id, first);
  EXPECT_EQ(Retired().size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("lake/" + planned.removed[0].path)));

  options.dry_run = false;
  ASSERT_OK_AND_ASSIGN(auto done, lake_->Vacuum(options));
  EXPECT_EQ(done.files_removed, 1);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("lake/" + planned.removed[0].path)));
  EXPECT_EQ(Retired(), std::vector<std::string>{"_superseded/raw/shop/offers/ingest_date=2025-01-01/" +
                                                PartFileName(second, 0)});
}

}  // namespace
}  // namespace custlake::lake
