// Exactly-once under kill -9: a run killed at many points (inside the lake's
// commit protocol via its fail points, and in the middle of parsing a batch
// via the ingester's step hook), then run again to completion, leaves the
// same lake as one clean run. Every kill point is one that a clean run
// passes (counted first), so each kill lands mid-run on any machine: a
// child that finishes instead fails the test.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "generate/generator.h"
#include "ingest/ingest_test_util.h"
#include "support/cli_runner.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;

// Where a child dies (_exit(137)): at the `lake_call`-th call of the
// lake's fail points, or when the ingester has parsed the file named
// `parsed_file` (0 / "" = never). A clean child (neither) writes how many
// fail-point calls it made to `calls_out`.
struct KillAt {
  int lake_call = 0;
  std::string parsed_file;
};

pid_t SpawnIngest(const std::string& landing, const std::string& lake_root, const KillAt& kill,
                  const std::string& calls_out = "") {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  auto calls = std::make_shared<std::atomic<int>>(0);
  lake::FailPointHook hook = [calls, at = kill.lake_call](std::string_view) -> Status {
    if (++*calls == at) _exit(137);
    return Status::OK();
  };
  auto lake = OpenLake(lake_root, hook);
  if (!lake.ok()) _exit(3);
  IngestOptions opts;
  opts.batch_bytes = 1 << 20;
  opts.batch_memory_bytes = 1 << 20;  // rows spill to parts too: kills between spills and commits
  opts.step_hook = [step = "ingest.parsed_file:" + kill.parsed_file](std::string_view name) -> Status {
    if (name == step) _exit(137);
    return Status::OK();
  };
  for (auto spec : {testing::UsageSource(landing), testing::TicketSource(landing)}) {
    auto ing = SourceIngester::Open(lake->get(), spec, opts);
    if (!ing.ok()) _exit(4);
    auto st = (*ing)->RunOnce();
    if (!st.ok()) _exit(5);
  }
  if (!calls_out.empty()) testing::WriteFile(calls_out, std::to_string(calls->load()));
  _exit(0);
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

std::string Fingerprint(lake::Lake* lake) {
  std::string out;
  const char* row_hash = "SELECT count(*) || ':' || coalesce(sum(hash(event_id, customer_id, ts, bytes, _source_file, "
                         "_source_line, event_date)), 0) FROM t";
  out += QueryDataset(lake, lake::DatasetId::Raw("usage"), row_hash).ValueOr("error") + "|";
  out += QueryDataset(lake, lake::DatasetId::Quarantine("usage"),
                      "SELECT count(*) || ':' || coalesce(sum(hash(_source_file, _source_line, reason, raw)), 0) FROM t")
             .ValueOr("error") +
         "|";
  out += QueryDataset(lake, lake::DatasetId::Raw("tickets"),
                      "SELECT count(*) || ':' || coalesce(sum(hash(ticket_id, opened_at, messages::VARCHAR)), 0) FROM t")
             .ValueOr("error");
  return out;
}

// Usage files in the order the ingester reads them.
std::vector<std::string> UsageFiles(const std::string& landing) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(landing + "/usage")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(IngestCrash, KilledRunsEndLikeOneCleanRun) {
  const std::string dir = FreshDir("crash");
  generate::GeneratorOptions go;
  go.customers = 300;
  go.months = 2;
  go.history_months = 1;
  ASSERT_OK_AND_ASSIGN(auto gen, generate::Generate(go, nullptr, dir + "/landing", dir + "/truth"));
  (void)gen;

  // A clean run, counting the fail-point calls it passes.
  ASSERT_EQ(Wait(SpawnIngest(dir + "/landing", dir + "/clean", {}, dir + "/calls")), 0);
  const int calls = std::stoi(custlake::testing::ReadWholeFile(dir + "/calls"));
  ASSERT_GT(calls, 8);
  const std::vector<std::string> files = UsageFiles(dir + "/landing");
  ASSERT_GT(files.size(), 3u);
  ASSERT_OK_AND_ASSIGN(auto clean_lake, OpenLake(dir + "/clean"));
  const std::string clean = Fingerprint(clean_lake.get());
  EXPECT_EQ(clean.find("error"), std::string::npos) << clean;

  // Kill points spread over the whole run: in the lake's commit protocol
  // (first, early, middle, late and last call) and while a batch is parsed
  // (the first, a middle and the last usage file).
  std::vector<KillAt> kills;
  for (int at : {1, 2, calls / 3, calls / 2, 2 * calls / 3, calls}) kills.push_back({at, ""});
  for (size_t i : {size_t{0}, files.size() / 2, files.size() - 1}) kills.push_back({0, files[i]});

  // Each on a fresh lake: the kill must land (the child never finishes),
  // and the re-run ends like the clean run.
  for (size_t k = 0; k < kills.size(); k++) {
    const std::string crashed = fmt::format("{}/crashed{}", dir, k);
    const std::string where = fmt::format("kill at fail-point call {} / parsed file '{}'", kills[k].lake_call,
                                          kills[k].parsed_file);
    ASSERT_EQ(Wait(SpawnIngest(dir + "/landing", crashed, kills[k])), 137) << where;
    ASSERT_EQ(Wait(SpawnIngest(dir + "/landing", crashed, {})), 0) << where;
    ASSERT_OK_AND_ASSIGN(auto crashed_lake, OpenLake(crashed));
    EXPECT_EQ(Fingerprint(crashed_lake.get()), clean) << where;
  }
}

}  // namespace
}  // namespace custlake::ingest
