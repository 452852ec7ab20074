// The commit protocol under failure. One workload (an ingest-like batch:
// two raw files in two partitions, a quarantine file and count, a cursor
// move, a landing-file checksum, a schema) is committed while failing at
// every step of the protocol in turn, three ways:
//   - the step returns an error (Commit must roll back by itself);
//   - the process dies at the step (fork + _exit), and a reader looks at
//     the lake before any recovery, then a writer re-opens it;
//   - the process is SIGKILLed while it sits inside a step.
// Each time: readers see all of the batch or none of it, cursors move only
// with it, and after recovery plus a re-run the lake equals one clean run.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "lake/checksum.h"
#include "lake/file_util.h"
#include "lake/lake.h"
#include "lake/lake_testing.h"

namespace custlake::lake {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

const DatasetId kUsage = DatasetId::Raw("usage");
const DatasetId kBad = DatasetId::Quarantine("usage");
const std::string kLanding = "landing file content\n";
const std::string kCursor = "landing.usage";

// The workload, idempotent like a real ingest: a landing file already
// ingested is skipped (AlreadyExists from RecordIngestedFile).
Status IngestOnce(Lake& lake) {
  BatchOptions options;
  options.lineage.source = "landing/usage";
  options.lineage.file = "landing/usage/a.ndjson";
  ASSIGN_OR_RETURN(auto batch, lake.BeginBatch(kUsage, options));
  Status seen = batch.RecordIngestedFile(Sha256Hex(kLanding), "landing/usage/a.ndjson", 21);
  if (seen.code() == StatusCode::kAlreadyExists) return batch.Abort("already ingested");
  RETURN_NOT_OK(seen);
  ASSIGN_OR_RETURN(auto cursor, batch.ReadCursor(kCursor));
  (void)cursor;
  ASSIGN_OR_RETURN(auto p1, batch.NewPart({{"event_date", "2024-05-01"}}));
  ASSIGN_OR_RETURN(auto p2, batch.NewPart({{"event_date", "2024-05-02"}}));
  ASSIGN_OR_RETURN(auto q, batch.NewPart(kBad, {}, "ndjson"));
  WriteFile(p1.staging_path, "rows of the first of May");
  WriteFile(p2.staging_path, "rows of the second of May");
  WriteFile(q.staging_path, "{broken");
  RETURN_NOT_OK(batch.AddFile(p1, 2, R"({"lines":[1,2]})"));
  RETURN_NOT_OK(batch.AddFile(p2, 3));
  RETURN_NOT_OK(batch.AddFile(q, 1));
  RETURN_NOT_OK(batch.AddQuarantined(1, "malformed json"));
  RETURN_NOT_OK(batch.SetCursor(kCursor, "a.ndjson"));
  RETURN_NOT_OK(batch.SetSchema(R"({"event_id":"VARCHAR"})"));
  return batch.Commit();
}

// Everything that defines the lake's content, with batch numbers (which
// differ between a clean run and a recovered one) taken out of file names.
struct Snapshot {
  std::map<std::string, std::string> committed;  // normalised path -> content
  std::set<std::string> on_disk;                 // normalised paths under the zones
  std::set<std::string> staging;                 // anything under _staging
  std::map<std::string, std::string> cursors;
  std::set<std::string> ingested;
  std::map<std::string, int64_t> quarantined;
  std::set<std::string> datasets;
  int committed_batches = 0;
  int writing_batches = 0;

  bool operator==(const Snapshot&) const = default;
  bool Empty() const { return committed.empty() && cursors.empty() && ingested.empty() && committed_batches == 0; }
};

// "part-17-0.parquet" -> "part-N-0.parquet".
std::string Normalise(const std::string& path) {
  std::string out = path;
  size_t pos = out.rfind("part-");
  if (pos == std::string::npos) return out;
  size_t start = pos + 5, end = start;
  while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
  if (end > start && end < out.size() && out[end] == '-') out.replace(start, end - start, "N");
  return out;
}

void PrintTo(const Snapshot& s, std::ostream* os) {
  *os << "committed:";
  for (const auto& [p, c] : s.committed) *os << " " << p;
  *os << " on_disk:";
  for (const auto& p : s.on_disk) *os << " " << p;
  *os << " staging:" << s.staging.size() << " cursors:" << s.cursors.size() << " ingested:" << s.ingested.size()
      << " batches committed/writing:" << s.committed_batches << "/" << s.writing_batches;
}

Result<Snapshot> Snap(Lake& lake) {
  Snapshot s;
  ASSIGN_OR_RETURN(auto datasets, lake.ListDatasets());
  for (const auto& d : datasets) s.datasets.insert(d.id.ToString());
  for (const DatasetId& ds : {kUsage, kBad}) {
    ASSIGN_OR_RETURN(auto files, lake.CommittedFiles(ds));
    for (const auto& f : files) {
      std::string content = ReadFile(f.absolute_path);
      if (Sha256Hex(content) != f.checksum) return Status::Corruption("checksum mismatch " + f.path);
      s.committed[Normalise(f.path)] = content;
    }
  }
  for (Zone z : AllZones()) {
    ASSIGN_OR_RETURN(auto files, ListFilesRecursive(lake.layout().ZoneDir(z)));
    for (const auto& f : files) s.on_disk.insert(Normalise(std::string(ZoneName(z)) + "/" + f));
  }
  for (const auto& e : std::filesystem::directory_iterator(lake.layout().StagingRoot())) {
    s.staging.insert(e.path().filename().string());
  }
  ASSIGN_OR_RETURN(auto cursors, lake.ListCursors());
  for (const auto& c : cursors) s.cursors[c.key] = c.value;
  ASSIGN_OR_RETURN(auto found, lake.FindIngestedFile(kUsage, Sha256Hex(kLanding)));
  if (found) s.ingested.insert(found->source_path);
  ASSIGN_OR_RETURN(auto q, lake.ListQuarantine());
  for (const auto& c : q) s.quarantined[c.dataset.ToString() + ":" + c.reason] += c.record_count;
  ASSIGN_OR_RETURN(auto batches, lake.ListBatches());
  for (const auto& b : batches) {
    s.committed_batches += b.state == BatchState::kCommitted;
    s.writing_batches += b.state == BatchState::kWriting;
  }
  return s;
}

// What readers may see: all of the batch or nothing, and cursors and
// checksums exactly when the files are there.
void ExpectAllOrNothing(const Snapshot& s, const Snapshot& clean, const std::string& step) {
  if (s.committed.empty()) {
    EXPECT_TRUE(s.cursors.empty()) << step;
    EXPECT_TRUE(s.ingested.empty()) << step;
    EXPECT_TRUE(s.quarantined.empty()) << step;
    EXPECT_EQ(s.committed_batches, 0) << step;
  } else {
    EXPECT_EQ(s.committed, clean.committed) << step;
    EXPECT_EQ(s.cursors, clean.cursors) << step;
    EXPECT_EQ(s.ingested, clean.ingested) << step;
    EXPECT_EQ(s.quarantined, clean.quarantined) << step;
  }
}

class CommitTest : public ::testing::Test {
 protected:
  // A clean run's snapshot and the fail-point steps it passes through.
  static void SetUpTestSuite() {
    TempDir dir;
    std::vector<std::string> steps;
    LakeOptions o;
    o.fail_point = [&steps](std::string_view step) {
      if (step.rfind("commit.", 0) == 0) steps.emplace_back(step);
      return Status::OK();
    };
    auto lake = Lake::Init(dir.Sub("lake"), o);
    ASSERT_TRUE(lake.ok());
    ASSERT_OK(IngestOnce(**lake));
    auto snap = Snap(**lake);
    ASSERT_TRUE(snap.ok()) << snap.status().ToString();
    clean_ = new Snapshot(*snap);
    steps_ = new std::vector<std::string>(steps);
  }
  static void TearDownTestSuite() {
    delete clean_;
    delete steps_;
  }

  static Snapshot* clean_;
  static std::vector<std::string>* steps_;
};
Snapshot* CommitTest::clean_ = nullptr;
std::vector<std::string>* CommitTest::steps_ = nullptr;

TEST_F(CommitTest, CleanRunHasEveryProtocolStep) {
  const std::vector<std::string> expected = {
      "commit.start",          "commit.after_verify",   "commit.after_fsync_file:0", "commit.after_fsync_file:1",
      "commit.after_fsync_file:2", "commit.after_reserve", "commit.after_rename:0", "commit.after_rename:1",
      "commit.after_rename:2"};
  ASSERT_GE(steps_->size(), expected.size() + 3);
  EXPECT_EQ(std::vector<std::string>(steps_->begin(), steps_->begin() + expected.size()), expected);
  EXPECT_EQ(steps_->at(steps_->size() - 3), "commit.before_transaction");
  EXPECT_EQ(steps_->at(steps_->size() - 2), "commit.in_transaction");
  EXPECT_EQ(steps_->back(), "commit.after_transaction");
  // Three files in two raw partitions plus quarantine; new folders' parents synced too.
  EXPECT_EQ(clean_->committed.size(), 3u);
  EXPECT_EQ(clean_->on_disk.size(), 3u);
  EXPECT_TRUE(clean_->staging.empty());
  EXPECT_EQ(clean_->committed_batches, 1);
}

TEST_F(CommitTest, ErrorAtEveryStepRollsBackCompletely) {
  for (const std::string& step : *steps_) {
    SCOPED_TRACE(step);
    TempDir dir;
    std::string fail_at = step;
    LakeOptions o;
    o.fail_point = [&fail_at](std::string_view s) {
      return s == fail_at ? Status::IOError("injected at " + fail_at) : Status::OK();
    };
    ASSERT_OK_AND_ASSIGN(auto lake, Lake::Init(dir.Sub("lake"), o));
    Status st = IngestOnce(*lake);
    ASSERT_OK_AND_ASSIGN(Snapshot after, Snap(*lake));
    if (step == "commit.after_transaction") {
      // Past the commit point: the batch is in, the error is ignored.
      ASSERT_OK(st);
      EXPECT_EQ(after, *clean_);
    } else {
      ASSERT_FALSE(st.ok());
      EXPECT_NE(st.message().find("nothing was committed"), std::string::npos) << st.message();
      // Commit cleaned up by itself: no files anywhere, batch aborted.
      EXPECT_TRUE(after.Empty()) << ::testing::PrintToString(after);
      EXPECT_TRUE(after.on_disk.empty()) << ::testing::PrintToString(after);
      EXPECT_TRUE(after.staging.empty());
      EXPECT_EQ(after.writing_batches, 0);
    }
    fail_at.clear();
    ASSERT_OK(IngestOnce(*lake));  // the re-run (a no-op if it already went in)
    ASSERT_OK_AND_ASSIGN(Snapshot rerun, Snap(*lake));
    rerun.writing_batches = 0;
    EXPECT_EQ(rerun.committed, clean_->committed);
    EXPECT_EQ(rerun.on_disk, clean_->on_disk);
    EXPECT_EQ(rerun.cursors, clean_->cursors);
    EXPECT_EQ(rerun.ingested, clean_->ingested);
    EXPECT_EQ(rerun.quarantined, clean_->quarantined);
    EXPECT_EQ(rerun.committed_batches, 1);
  }
}

// Runs IngestOnce in a child that dies (_exit) at `step`. Returns its exit code.
int CrashChild(const std::string& root, const std::string& step) {
  pid_t pid = fork();
  if (pid == 0) {
    LakeOptions o;
    o.fail_point = [step](std::string_view s) {
      if (s == step) _exit(42);
      return Status::OK();
    };
    auto lake = Lake::Open(root, o);
    if (!lake.ok()) _exit(1);
    Status st = IngestOnce(**lake);
    _exit(st.ok() ? 0 : 2);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(CommitTest, CrashAtEveryStepThenRecoveryEqualsCleanRun) {
  for (const std::string& step : *steps_) {
    SCOPED_TRACE(step);
    TempDir dir;
    std::string root = dir.Sub("lake");
    { ASSERT_OK(Lake::Init(root).status()); }
    ASSERT_EQ(CrashChild(root, step), 42);

    // A reader, before anyone recovers: all or nothing.
    LakeOptions ro;
    ro.read_only = true;
    ASSERT_OK_AND_ASSIGN(auto reader, Lake::Open(root, ro));
    ASSERT_OK_AND_ASSIGN(Snapshot crashed, Snap(*reader));
    ExpectAllOrNothing(crashed, *clean_, step);
    const bool went_in = !crashed.committed.empty();
    EXPECT_EQ(went_in, step == "commit.after_transaction");

    // A writer re-opens: recovery leaves either nothing or exactly the batch.
    ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(root));
    ASSERT_OK_AND_ASSIGN(Snapshot recovered, Snap(*lake));
    EXPECT_TRUE(recovered.staging.empty());
    EXPECT_EQ(recovered.writing_batches, 0);
    if (went_in) {
      EXPECT_EQ(recovered, *clean_) << ::testing::PrintToString(recovered);
    } else {
      EXPECT_TRUE(recovered.Empty()) << ::testing::PrintToString(recovered);
      EXPECT_TRUE(recovered.on_disk.empty()) << ::testing::PrintToString(recovered);
    }
    // The re-run.
    ASSERT_OK(IngestOnce(*lake));
    ASSERT_OK_AND_ASSIGN(Snapshot rerun, Snap(*lake));
    EXPECT_EQ(rerun.committed, clean_->committed);
    EXPECT_EQ(rerun.on_disk, clean_->on_disk);
    EXPECT_EQ(rerun.cursors, clean_->cursors);
    EXPECT_EQ(rerun.ingested, clean_->ingested);
    EXPECT_EQ(rerun.quarantined, clean_->quarantined);
    EXPECT_EQ(rerun.datasets, clean_->datasets);
    EXPECT_EQ(rerun.committed_batches, 1);
    EXPECT_TRUE(rerun.staging.empty());
  }
}

TEST_F(CommitTest, CrashDuringRecoveryIsRepairedByTheNextRecovery) {
  // Leave a dead batch with files renamed into place, then crash recovery
  // at each of its steps; the next recovery must still end clean.
  for (const std::string recover_step : {"recover.after_batch:1", "recover.after_staging", "recover.after_sweep"}) {
    SCOPED_TRACE(recover_step);
    TempDir dir;
    std::string root = dir.Sub("lake");
    { ASSERT_OK(Lake::Init(root).status()); }
    ASSERT_EQ(CrashChild(root, "commit.after_rename:1"), 42);
    pid_t pid = fork();
    if (pid == 0) {
      LakeOptions o;
      o.fail_point = [recover_step](std::string_view s) {
        if (s == recover_step) _exit(42);
        return Status::OK();
      };
      auto lake = Lake::Open(root, o);
      _exit(lake.ok() ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_EQ(WEXITSTATUS(status), 42);
    ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(root));
    ASSERT_OK_AND_ASSIGN(Snapshot recovered, Snap(*lake));
    EXPECT_TRUE(recovered.Empty()) << ::testing::PrintToString(recovered);
    EXPECT_TRUE(recovered.on_disk.empty()) << ::testing::PrintToString(recovered);
    EXPECT_TRUE(recovered.staging.empty());
    ASSERT_OK(IngestOnce(*lake));
    ASSERT_OK_AND_ASSIGN(Snapshot rerun, Snap(*lake));
    EXPECT_EQ(rerun.committed, clean_->committed);
    EXPECT_EQ(rerun.on_disk, clean_->on_disk);
  }
}

TEST_F(CommitTest, SigkillMidCommitWhileAnotherProcessWatches) {
  TempDir dir;
  std::string root = dir.Sub("lake");
  { ASSERT_OK(Lake::Init(root).status()); }
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    LakeOptions o;
    o.fail_point = [&](std::string_view s) {
      if (s == "commit.after_rename:1") {
        (void)!write(ready[1], "r", 1);
        while (true) pause();  // wait to be killed, holding the batch's lock
      }
      return Status::OK();
    };
    auto lake = Lake::Open(root, o);
    if (lake.ok()) (void)IngestOnce(**lake);
    _exit(1);
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);

  // While the child is live mid-commit: two files are in their final place,
  // yet readers see nothing, and a writer's recovery must leave them alone.
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(root));
  ASSERT_OK_AND_ASSIGN(Snapshot during, Snap(*lake));
  EXPECT_TRUE(during.committed.empty());
  EXPECT_EQ(during.on_disk.size(), 2u) << ::testing::PrintToString(during);
  EXPECT_EQ(during.writing_batches, 1);
  ASSERT_OK_AND_ASSIGN(auto report, lake->Recover());
  EXPECT_FALSE(report.ran);

  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));

  // The kernel dropped the child's lock: recovery runs now.
  ASSERT_OK_AND_ASSIGN(report, lake->Recover());
  EXPECT_TRUE(report.ran);
  EXPECT_EQ(report.batches_aborted, 1);
  EXPECT_EQ(report.files_removed, 2);
  ASSERT_OK_AND_ASSIGN(Snapshot recovered, Snap(*lake));
  EXPECT_TRUE(recovered.Empty());
  EXPECT_TRUE(recovered.on_disk.empty());
  EXPECT_TRUE(recovered.staging.empty());
  ASSERT_OK(IngestOnce(*lake));
  ASSERT_OK_AND_ASSIGN(Snapshot rerun, Snap(*lake));
  EXPECT_EQ(rerun.committed, clean_->committed);
  EXPECT_EQ(rerun.cursors, clean_->cursors);
  ASSERT_OK_AND_ASSIGN(auto batches, lake->ListBatches());
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].state, BatchState::kAborted);
  EXPECT_NE(batches[1].error.find("abandoned"), std::string::npos) << batches[1].error;
}

TEST_F(CommitTest, SameLandingFileIsIngestedOnce) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Init(dir.Sub("lake")));
  ASSERT_OK(IngestOnce(*lake));
  ASSERT_OK(IngestOnce(*lake));  // skipped: RecordIngestedFile says AlreadyExists
  ASSERT_OK_AND_ASSIGN(Snapshot s, Snap(*lake));
  EXPECT_EQ(s.committed, clean_->committed);
  EXPECT_EQ(s.committed_batches, 1);

  // Two batches racing for the same checksum: the second commit is refused whole.
  ASSERT_OK_AND_ASSIGN(auto a, lake->BeginBatch(kUsage));
  ASSERT_OK_AND_ASSIGN(auto b, lake->BeginBatch(kUsage));
  ASSERT_OK(a.RecordIngestedFile("feed", "landing/b.ndjson"));
  ASSERT_OK(b.RecordIngestedFile("feed", "landing/b-copy.ndjson"));
  EXPECT_EQ(b.RecordIngestedFile("feed", "landing/again.ndjson").code(), StatusCode::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(auto part, b.NewPart());
  WriteFile(part.staging_path, "dup");
  ASSERT_OK(b.AddFile(part, 0));
  ASSERT_OK(a.Commit());
  Status st = b.Commit();
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  EXPECT_FALSE(std::filesystem::exists(lake->layout().Absolute(kUsage.ToString() + "/" + part.path)));
  ASSERT_OK_AND_ASSIGN(auto found, lake->FindIngestedFile(kUsage, "feed"));
  EXPECT_EQ(found->batch_id, a.id());
}

TEST_F(CommitTest, CursorMovesOnlyWithItsBatchAndConcurrentMovesConflict) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Init(dir.Sub("lake")));
  ASSERT_OK_AND_ASSIGN(auto a, lake->BeginBatch(DatasetId::Raw("sic/customers")));
  ASSERT_OK_AND_ASSIGN(auto b, lake->BeginBatch(DatasetId::Raw("sic/customers")));
  ASSERT_OK_AND_ASSIGN(auto seen_a, a.ReadCursor("sic.customers"));
  ASSERT_OK_AND_ASSIGN(auto seen_b, b.ReadCursor("sic.customers"));
  EXPECT_FALSE(seen_a.has_value());
  ASSERT_OK(a.SetCursor("sic.customers", "2024-05-01"));
  ASSERT_OK(b.SetCursor("sic.customers", "2024-05-01"));
  ASSERT_OK_AND_ASSIGN(auto mid, lake->GetCursor("sic.customers"));
  EXPECT_FALSE(mid.has_value());  // not before Commit
  ASSERT_OK(a.Commit());
  Status st = b.Commit();
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  ASSERT_OK_AND_ASSIGN(auto info, lake->GetBatch(b.id()));
  EXPECT_EQ(info->state, BatchState::kAborted);
  ASSERT_OK_AND_ASSIGN(auto now, lake->GetCursor("sic.customers"));
  EXPECT_EQ(now, std::optional<std::string>("2024-05-01"));
  ASSERT_OK_AND_ASSIGN(auto cursors, lake->ListCursors());
  ASSERT_EQ(cursors.size(), 1u);
  EXPECT_EQ(cursors[0].batch_id, a.id());
}

}  // namespace
}  // namespace custlake::lake
