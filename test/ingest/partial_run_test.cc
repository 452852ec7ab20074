// Runs that do not finish everything say so, as a user sees it through the
// binary: SIGINT during a one-shot ingest (exit 130, "interrupted" on
// stderr, in the JSON and in `status`; the committed batches stay and the
// next run picks up the rest), and a landing file that cannot be read (the
// others are ingested; exit 3; the file and its reason in the JSON, and
// `status` shows the run as partial). The signal is raised at an exact step
// through the CLI's test seam (CUSTLAKE_TEST_SIGNAL_AT): no timing.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "ingest/ingest_test_util.h"
#include "support/cli_runner.h"

#ifndef CUSTLAKE_BIN
#error "CUSTLAKE_BIN (the custlake executable) must be defined by the build"
#endif

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using custlake::testing::CliOutcome;
using custlake::testing::RunCli;
using testing::FreshDir;
using testing::WriteFile;

std::string Events(const std::string& prefix, int n) {
  std::string out;
  for (int i = 0; i < n; i++) {
    out +=
        fmt::format(R"({{"event_id":"{}{}","customer_id":{},"ts":"2025-05-01T10:00:00Z"}})", prefix, i, i) +
        "\n";
  }
  return out;
}

// A project whose [ingest.usage] reads landing/usage in batches of 1 MiB of
// input (the least batch_bytes allows).
fs::path Project(const std::string& name) {
  const fs::path dir = FreshDir(name);
  fs::create_directories(dir / "landing" / "usage");
  WriteFile((dir / "custlake.toml").string(), R"([lake]
root = "lake"

[ingest.settings]
batch_bytes = 1048576

[ingest.usage]
path = "landing/usage"
pattern = "*.ndjson"
format = "ndjson"
key = "event_id"
min_age_seconds = 0
)");
  return dir;
}

CliOutcome Custlake(const fs::path& dir, std::vector<std::string> args,
                    const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), {"-C", dir.string()});
  return RunCli(dir, CUSTLAKE_BIN, args, env);
}

std::string LastRunStatus(const fs::path& dir) {
  const CliOutcome st = Custlake(dir, {"--json", "status"});
  const auto j = st.Json();
  if (!j.is_object() || !j.contains("runs") || j["runs"].empty()) return "no runs: " + st.out + st.err;
  return j["runs"][0].value("status", "");
}

TEST(IngestPartialRun, SigintStopsAfterTheBatchAndSaysSo) {
  const fs::path dir = Project("sigint");
  // Over half a MiB each: one file per batch.
  constexpr int kEvents = 10000;
  for (const char* name : {"a", "b", "c"}) {
    WriteFile((dir / "landing/usage" / (std::string(name) + ".ndjson")).string(), Events(name, kEvents));
  }
  ASSERT_GT(fs::file_size(dir / "landing/usage/a.ndjson"), 550000u);
  // A second source, after usage: the signal comes before it starts.
  std::ofstream(dir / "custlake.toml", std::ios::app) << R"(
[ingest.zmore]
path = "landing/more"
pattern = "*.ndjson"
format = "ndjson"
dataset = "more"
min_age_seconds = 0
)";
  fs::create_directories(dir / "landing/more");
  WriteFile((dir / "landing/more/m.ndjson").string(), Events("m", 2));

  const CliOutcome stopped =
      Custlake(dir, {"--json", "ingest"}, {"CUSTLAKE_TEST_SIGNAL_AT=ingest.parsed_file:a.ndjson"});
  EXPECT_EQ(stopped.exit_code, 130) << stopped.err;
  EXPECT_NE(stopped.err.find("interrupted by SIGINT"), std::string::npos) << stopped.err;
  const auto j = stopped.Json();
  ASSERT_TRUE(j.is_object()) << stopped.out;
  EXPECT_FALSE(j["ok"].get<bool>());
  EXPECT_TRUE(j.contains("interrupted"));
  EXPECT_EQ(j["committed"].get<int64_t>(), kEvents);  // a.ndjson's batch, committed whole
  EXPECT_EQ(j["files_left"].get<int64_t>(), 2);
  EXPECT_EQ(j["sources_left"].get<int64_t>(), 1);
  EXPECT_NE(stopped.err.find("2 files and 1 sources were not looked at"), std::string::npos) << stopped.err;
  EXPECT_EQ(LastRunStatus(dir), "interrupted");

  // The next run picks up the rest.
  const CliOutcome rest = Custlake(dir, {"--json", "ingest"});
  EXPECT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(rest.Json()["committed"].get<int64_t>(), 2 * kEvents + 2);
  EXPECT_EQ(rest.Json()["files_skipped"].get<int64_t>(), 1);
  EXPECT_EQ(LastRunStatus(dir), "ok");
}

// Root reads any file whatever its mode, so the entry that cannot be read is
// a symbolic link to nothing (as root too); a file without read permission
// joins it when the test does not run as root.
TEST(IngestPartialRun, UnreadableFileIsReportedAndTheOthersIngested) {
  const fs::path dir = Project("unreadable");
  const fs::path landing = dir / "landing/usage";
  WriteFile((landing / "a.ndjson").string(), Events("a", 2));
  fs::create_symlink(landing / "gone.json", landing / "b.ndjson");
  WriteFile((landing / "c.ndjson").string(), Events("c", 2));
  int64_t unreadable = 1;
  if (::geteuid() != 0) {
    WriteFile((landing / "d.ndjson").string(), Events("d", 2));
    ::chmod((landing / "d.ndjson").c_str(), 0);
    unreadable++;
  }

  const CliOutcome partial = Custlake(dir, {"--json", "ingest"});
  EXPECT_EQ(partial.exit_code, 3) << partial.err;
  const auto j = partial.Json();
  ASSERT_TRUE(j.is_object()) << partial.out;
  EXPECT_EQ(j["committed"].get<int64_t>(), 4);
  EXPECT_EQ(j["files_unreadable"].get<int64_t>(), unreadable);
  ASSERT_EQ(static_cast<int64_t>(j["unreadable_files"].size()), unreadable);
  EXPECT_NE(j["unreadable_files"][0]["file"].get<std::string>().find("b.ndjson"), std::string::npos);
  EXPECT_NE(j["unreadable_files"][0]["error"].get<std::string>().find("symbolic link"), std::string::npos);
  EXPECT_NE(partial.err.find("b.ndjson: not ingested"), std::string::npos) << partial.err;
  EXPECT_EQ(LastRunStatus(dir), "partial");

  // Made readable, it is ingested by the next run (it was not recorded as ingested).
  fs::remove(landing / "b.ndjson");
  WriteFile((landing / "b.ndjson").string(), Events("b", 2));
  fs::remove(landing / "d.ndjson");
  const CliOutcome fixed = Custlake(dir, {"--json", "ingest"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(fixed.Json()["committed"].get<int64_t>(), 2);
  EXPECT_EQ(LastRunStatus(dir), "ok");
}

// The same in-process, through the path where a file listed as readable
// fails when it is read for its checksum (as permission denied does): a
// folder handed over as a landing file (open() succeeds, read() fails),
// which root cannot read either.
TEST(IngestPartialRun, AFileThatFailsToBeReadIsLeftAndTheOthersIngested) {
  const fs::path dir = FreshDir("unreadable_in_process");
  const fs::path landing = dir / "landing/usage";
  fs::create_directories(landing / "b.ndjson");
  WriteFile((landing / "a.ndjson").string(), Events("a", 2));
  WriteFile((landing / "c.ndjson").string(), Events("c", 2));
  auto lake = testing::OpenLake((dir / "lake").string());
  ASSERT_TRUE(lake.ok());
  auto ingester = SourceIngester::Open(lake->get(), testing::UsageSource((dir / "landing").string()), {});
  ASSERT_TRUE(ingester.ok()) << ingester.status().ToString();
  std::vector<LandingFile> files;
  for (const char* name : {"a.ndjson", "b.ndjson", "c.ndjson"}) {
    LandingFile f;
    f.path = (landing / name).string();
    f.name = name;
    files.push_back(f);
  }
  auto stats = (*ingester)->IngestLanding(files);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->files, 2);
  EXPECT_EQ(stats->committed, 4);
  EXPECT_EQ(stats->files_unreadable, 1);
  const auto bad = std::find_if(stats->file_reports.begin(), stats->file_reports.end(),
                                [](const FileReport& r) { return !r.unreadable.empty(); });
  ASSERT_NE(bad, stats->file_reports.end());
  EXPECT_EQ(fs::path(bad->path).filename(), "b.ndjson");
  EXPECT_NE(bad->unreadable.find("Is a directory"), std::string::npos) << bad->unreadable;
  // Met again by the same ingester (--watch's next pass): not reported twice.
  auto again = (*ingester)->IngestLanding(files);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->files_unreadable, 0);
  EXPECT_EQ(again->files_skipped, 2);
}

}  // namespace
}  // namespace custlake::ingest
