// --watch stopping: SIGTERM (handled as the CLI does: a flag) arriving in
// the middle of a batch, while it is parsed or while it commits, finishes
// that batch (committed whole, never half), ingests nothing more, and a
// later run ends like one clean run. Deterministic: the signal is raised
// from the ingester's and the lake's test seams at exact steps.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include <fmt/format.h>

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

std::atomic<bool> g_stop{false};
void OnSigterm(int) { g_stop.store(true); }

class SigtermHandler {
 public:
  SigtermHandler() {
    struct sigaction sa {};
    sa.sa_handler = OnSigterm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &old_);
    g_stop.store(false);
  }
  ~SigtermHandler() { sigaction(SIGTERM, &old_, nullptr); }

 private:
  struct sigaction old_ {};
};

std::string Events(const std::string& prefix, int n) {
  std::string out;
  for (int i = 0; i < n; i++) {
    out += fmt::format(R"({{"event_id":"{}{}","customer_id":{},"ts":"2025-05-0{}T10:00:00Z"}})", prefix, i, i % 5,
                       1 + i % 3) +
           "\n";
  }
  return out;
}

IngestConfig Config(const std::string& landing) {
  IngestConfig c;
  c.poll_seconds = 0.05;
  SourceConfig s = testing::UsageSource(landing).config;
  s.key = "event_id";
  s.required = {"event_id", "customer_id", "ts"};
  s.partition_field = "ts";
  c.sources["usage"] = s;
  return c;
}

std::string Fingerprint(lake::Lake* lake) {
  return QueryDataset(lake, lake::DatasetId::Raw("usage"),
                      "SELECT count(*) || ':' || sum(hash(event_id, _source_file, _source_line)) FROM t")
      .ValueOr("error");
}

// Where the signal arrives: while b.ndjson is parsed, or inside the commit
// of b's batch (after its first file was renamed into the lake).
enum class At { kParsing, kCommitting };

void RunStopCase(At at) {
  SigtermHandler handler;
  const std::string dir = FreshDir(at == At::kParsing ? "watch_stop_parse" : "watch_stop_commit");
  const std::string landing = dir + "/landing/usage";
  fs::create_directories(landing);
  WriteFile(landing + "/a.ndjson", Events("a", 300));
  WriteFile(landing + "/b.ndjson", Events("b", 300));
  WriteFile(landing + "/c.ndjson", Events("c", 300));
  int commits = 0;
  lake::FailPointHook lake_hook;
  if (at == At::kCommitting) {
    lake_hook = [&commits](std::string_view step) {
      if (step == "commit.start") commits++;
      if (commits == 2 && step == "commit.after_rename:0") kill(getpid(), SIGTERM);  // b's batch
      return Status::OK();
    };
  }
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake", lake_hook));
  IngestOptions opts;
  opts.batch_bytes = 1;  // one file a batch
  opts.stop = &g_stop;
  if (at == At::kParsing) {
    opts.step_hook = [](std::string_view step) {
      if (step == "ingest.parsed_file:b.ndjson") kill(getpid(), SIGTERM);
      return Status::OK();
    };
  }
  const IngestConfig config = Config(dir + "/landing");
  ASSERT_OK_AND_ASSIGN(auto stats, Watch(lake.get(), config, opts));
  EXPECT_TRUE(g_stop.load());
  // a and b committed whole, c left alone.
  EXPECT_EQ(stats.files, 2);
  EXPECT_EQ(stats.committed, 600);
  ASSERT_OK_AND_ASSIGN(auto per_file, QueryDataset(lake.get(), lake::DatasetId::Raw("usage"),
                                                   "SELECT string_agg(f || '=' || n, ',' ORDER BY f) FROM (SELECT "
                                                   "parse_filename(_source_file) AS f, count(*) AS n FROM t GROUP BY 1)"));
  EXPECT_EQ(per_file, "a.ndjson=300,b.ndjson=300");
  ASSERT_OK_AND_ASSIGN(auto summary, lake->Summary());
  EXPECT_TRUE(summary.writing_batches.empty());
  ASSERT_OK_AND_ASSIGN(auto seen_c, lake->FindIngestedFile(lake::DatasetId::Raw("usage"), lake::Xxh128Hex(Events("c", 300))));
  EXPECT_FALSE(seen_c.has_value());

  // Started again, the rest is ingested; the lake equals one clean run's.
  g_stop.store(false);
  opts.step_hook = nullptr;
  ASSERT_OK_AND_ASSIGN(auto lake2, OpenLake(dir + "/lake"));
  ASSERT_OK_AND_ASSIGN(auto rest, IngestAll(lake2.get(), config, opts));
  EXPECT_EQ(rest.files, 1);
  EXPECT_EQ(rest.files_skipped, 2);
  ASSERT_OK_AND_ASSIGN(seen_c, lake2->FindIngestedFile(lake::DatasetId::Raw("usage"), lake::Xxh128Hex(Events("c", 300))));
  EXPECT_TRUE(seen_c.has_value());
  ASSERT_OK_AND_ASSIGN(auto clean, OpenLake(dir + "/clean"));
  ASSERT_OK(IngestAll(clean.get(), config, IngestOptions{}));
  EXPECT_EQ(Fingerprint(lake2.get()), Fingerprint(clean.get()));
}

TEST(IngestWatchStop, SigtermWhileABatchIsParsedFinishesItAndStops) { RunStopCase(At::kParsing); }
TEST(IngestWatchStop, SigtermWhileABatchCommitsFinishesItAndStops) { RunStopCase(At::kCommitting); }

// The scanner → ingester queue is bounded: with room for one file, a
// second scan finds the folder's other files still waiting there, and
// every file is still ingested exactly once.
TEST(IngestWatchStop, BoundedQueueLeavesTheBacklogInTheFolder) {
  SigtermHandler handler;
  const std::string dir = FreshDir("watch_queue");
  const std::string landing = dir + "/landing/usage";
  fs::create_directories(landing);
  for (int i = 0; i < 6; i++) WriteFile(landing + fmt::format("/f{}.ndjson", i), Events(fmt::format("f{}_", i), 20));
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  IngestOptions opts;
  opts.batch_bytes = 1;
  opts.watch_queue_files = 1;
  opts.stop = &g_stop;
  int parsed = 0;
  opts.step_hook = [&parsed](std::string_view step) {
    if (step.rfind("ingest.parsed_file:", 0) == 0 && ++parsed == 6) kill(getpid(), SIGTERM);
    return Status::OK();
  };
  ASSERT_OK_AND_ASSIGN(auto stats, Watch(lake.get(), Config(dir + "/landing"), opts));
  EXPECT_EQ(stats.files, 6);
  EXPECT_EQ(stats.committed, 120);
  ASSERT_OK_AND_ASSIGN(auto n, QueryDataset(lake.get(), lake::DatasetId::Raw("usage"), "SELECT count(DISTINCT _source_file) FROM t"));
  EXPECT_EQ(n, "6");
}

}  // namespace
}  // namespace custlake::ingest
