// Exactly-once under kill -9: a run killed at many points (inside the lake's
// commit protocol via its fail points, and at arbitrary times with SIGKILL),
// then run again to completion, leaves the same lake as one clean run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "generate/generator.h"
#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;

// Runs a full ingest of usage + tickets in a child process; the child dies
// with _exit(137) at the `kill_at`-th fail-point call (0 = never).
pid_t SpawnIngest(const std::string& landing, const std::string& lake_root, int kill_at) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  auto calls = std::make_shared<std::atomic<int>>(0);
  lake::FailPointHook hook;
  if (kill_at > 0) {
    hook = [calls, kill_at](std::string_view) -> Status {
      if (++*calls == kill_at) _exit(137);
      return Status::OK();
    };
  }
  auto lake = OpenLake(lake_root, hook);
  if (!lake.ok()) _exit(3);
  IngestOptions opts;
  opts.batch_bytes = 1 << 20;
  opts.batch_memory_bytes = 1 << 20;  // rows spill to parts too: kills between spills and commits
  for (auto spec : {testing::UsageSource(landing), testing::TicketSource(landing)}) {
    auto ing = SourceIngester::Open(lake->get(), spec, opts);
    if (!ing.ok()) _exit(4);
    auto st = (*ing)->RunOnce();
    if (!st.ok()) _exit(5);
  }
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

TEST(IngestCrash, KilledRunsEndLikeOneCleanRun) {
  const std::string dir = FreshDir("crash");
  generate::GeneratorOptions go;
  go.customers = 300;
  go.months = 2;
  go.history_months = 1;
  ASSERT_OK_AND_ASSIGN(auto gen, generate::Generate(go, nullptr, dir + "/landing", dir + "/truth"));
  (void)gen;

  // Clean run.
  ASSERT_EQ(Wait(SpawnIngest(dir + "/landing", dir + "/clean", 0)), 0);

  // Killed at fail points 1, 2, 3, 5, 8, 13, 21, then at arbitrary times.
  const std::string crashed = dir + "/crashed";
  int killed = 0;
  for (int k : {1, 2, 3, 5, 8, 13, 21}) {
    const int rc = Wait(SpawnIngest(dir + "/landing", crashed, k));
    if (rc == 137) killed++;
    ASSERT_TRUE(rc == 137 || rc == 0) << "exit " << rc << " at kill point " << k;
  }
  for (int ms : {30, 120, 400}) {
    const pid_t pid = SpawnIngest(dir + "/landing", crashed, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    kill(pid, SIGKILL);
    const int rc = Wait(pid);
    ASSERT_TRUE(rc == 128 + SIGKILL || rc == 0) << rc;
  }
  EXPECT_GT(killed, 0);
  ASSERT_EQ(Wait(SpawnIngest(dir + "/landing", crashed, 0)), 0);

  ASSERT_OK_AND_ASSIGN(auto clean_lake, OpenLake(dir + "/clean"));
  ASSERT_OK_AND_ASSIGN(auto crashed_lake, OpenLake(crashed));
  const std::string a = Fingerprint(clean_lake.get());
  const std::string b = Fingerprint(crashed_lake.get());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.find("error"), std::string::npos) << a;
}

}  // namespace
}  // namespace custlake::ingest
