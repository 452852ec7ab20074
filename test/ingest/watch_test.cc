// `custlake ingest --watch` as users run it: a child process watching a
// landing folder. Files dropped in are committed within seconds (polled
// through the lake, with a generous deadline), and SIGTERM ends the process
// cleanly: exit 0, no batch left half-written, the run recorded as ok.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

#ifndef CUSTLAKE_BIN
#error "CUSTLAKE_BIN (the custlake executable) must be defined by the build"
#endif

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;

constexpr auto kDeadline = std::chrono::seconds(90);

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Writes under a name the pattern ignores, then renames: the watcher never
// sees half a file.
void DropFile(const fs::path& dir, const std::string& name, const std::string& text) {
  WriteFile(dir / ("." + name + ".part"), text);
  fs::rename(dir / ("." + name + ".part"), dir / name);
}

std::string Events(int from, int n) {
  std::string out;
  for (int i = from; i < from + n; i++) {
    out += fmt::format(R"({{"event_id":"w{}","customer_id":{},"ts":"2025-03-0{}T10:00:00Z","event_type":"login"}})",
                       i, i % 7, 1 + i % 3) +
           "\n";
  }
  return out;
}

// Committed raw rows of `dataset`, read the way readers do (read-only lake).
int64_t CommittedRows(const std::string& lake_root, const std::string& dataset) {
  lake::LakeOptions o;
  o.read_only = true;
  auto lake = lake::Lake::Open(lake_root, o);
  if (!lake.ok()) return -1;
  auto files = (*lake)->CommittedFiles(lake::DatasetId::Raw(dataset));
  if (!files.ok()) return -1;
  int64_t rows = 0;
  for (const auto& f : *files) rows += f.row_count;
  return rows;
}

bool WaitForRows(const std::string& lake_root, int64_t want) {
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < until) {
    if (CommittedRows(lake_root, "usage") == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(IngestWatch, CommitsDroppedFilesAndStopsCleanlyOnSigterm) {
  const fs::path dir = FreshDir("watch");
  const fs::path landing = dir / "landing" / "usage";
  fs::create_directories(landing);
  WriteFile(dir / "custlake.toml", R"([lake]
root = "lake"

[ingest.settings]
poll_seconds = 0.2
dedup_memory_bytes = 1048576

[ingest.usage]
path = "landing/usage"
pattern = "*.ndjson"
format = "ndjson"
dataset = "usage"
key = "event_id"
required = ["event_id", "customer_id", "ts"]
partition_field = "ts"
after = "archive"
)");
  const std::string lake_root = (dir / "lake").string();
  const std::string log = (dir / "watch.log").string();

  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execl(CUSTLAKE_BIN, CUSTLAKE_BIN, "-C", dir.c_str(), "--json", "ingest", "--watch", static_cast<char*>(nullptr));
    _exit(127);
  }
  auto dump_log = [&] {
    std::ifstream in(log);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };

  // A file dropped while the watcher runs is committed, and archived.
  DropFile(landing, "a.ndjson", Events(0, 50));
  ASSERT_TRUE(WaitForRows(lake_root, 50)) << dump_log();
  // A second file, with one duplicate of the first and one bad line.
  DropFile(landing, "b.ndjson", Events(49, 31) + "not json\n");
  ASSERT_TRUE(WaitForRows(lake_root, 80)) << dump_log();
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < until &&
         (fs::exists(landing / "a.ndjson") || fs::exists(landing / "b.ndjson"))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(fs::exists(landing / "a.ndjson"));
  EXPECT_FALSE(fs::exists(landing / "b.ndjson"));
  EXPECT_TRUE(fs::exists(dir / "lake" / "archive" / "usage" / "a.ndjson"));
  EXPECT_TRUE(fs::exists(dir / "lake" / "archive" / "usage" / "b.ndjson"));

  // SIGTERM: the process finishes and exits 0 within the deadline.
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  pid_t done = 0;
  const auto stop_until = std::chrono::steady_clock::now() + kDeadline;
  while ((done = waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < stop_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "custlake ingest --watch did not stop on SIGTERM\n" << dump_log();
  }
  ASSERT_TRUE(WIFEXITED(status)) << dump_log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << dump_log();
  const std::string out = dump_log();
  EXPECT_NE(out.find("\"stopped_by_signal\":true"), std::string::npos) << out;

  // Nothing half-done: no batch left writing, the run is recorded ok, and
  // the lake holds exactly the 80 distinct events plus the bad line.
  ASSERT_OK_AND_ASSIGN(auto lake, lake::Lake::Open(lake_root));
  ASSERT_OK_AND_ASSIGN(auto summary, lake->Summary());
  EXPECT_TRUE(summary.writing_batches.empty());
  ASSERT_OK_AND_ASSIGN(auto runs, lake->ListRuns(5));
  ASSERT_FALSE(runs.empty());
  EXPECT_EQ(runs.front().verb, "ingest");
  EXPECT_EQ(runs.front().status, lake::RunStatus::kOk);
  EXPECT_EQ(CommittedRows(lake_root, "usage"), 80);
  ASSERT_OK_AND_ASSIGN(auto rec, IngestReconciliation(lake.get()));
  EXPECT_EQ(rec["usage"]["records"].get<int64_t>(), 82);
  EXPECT_EQ(rec["usage"]["duplicates"].get<int64_t>(), 1);
  EXPECT_EQ(rec["usage"]["quarantined"].get<int64_t>(), 1);
}

}  // namespace
}  // namespace custlake::ingest
