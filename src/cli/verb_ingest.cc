// custlake ingest: landing files into the raw zone, exactly once (NiFi's
// GetFile → ConvertRecord → PutHDFS). Sources come from [ingest.NAME] in
// custlake.toml, or ad hoc with --from/--format/--dataset.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <memory>

#include "cli/cli.h"
#include "common/progress.h"
#include "ingest/ingest_config.h"
#include "ingest/ingester.h"
#include "ingest/schema.h"
#include "lake/lake.h"

namespace custlake::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};  ///< the first SIGINT/SIGTERM received

void OnSignal(int sig) {
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
  g_stop.store(true);
}

// Exit codes beyond main's 0/1/2: a run stopped by a signal exits 128 + the
// signal (130 for SIGINT), as shells report it; one that ingested what it
// could read but found unreadable files exits 3.
constexpr int kExitPartial = 3;

// A test seam: CUSTLAKE_TEST_SIGNAL_AT=<step> (an ingest step hook name such
// as "ingest.parsed_file:b.ndjson") raises SIGINT at that step, so tests
// interrupt a run at an exact point without timing. Unset in production.
lake::FailPointHook SignalAtHook() {
  const char* at = std::getenv("CUSTLAKE_TEST_SIGNAL_AT");
  if (at == nullptr || *at == '\0') return {};
  return [step = std::string(at)](std::string_view name) {
    if (name == step) std::raise(SIGINT);
    return Status::OK();
  };
}

// The summary's exit code and the run's end in the metastore: interrupted
// (a signal in a run that is not --watch, whose way to stop it is one),
// partial (unreadable files), or as `stats` says.
Status EndIngestRun(lake::Lake* lake, int64_t run_id, const Result<ingest::IngestStats>& stats, bool watch,
                    nlohmann::json* summary) {
  const int sig = g_signal.load();
  if (stats.ok() && sig != 0 && !watch) {
    const std::string why = fmt::format(
        "interrupted by {}: the batches committed before it stay; {} files{} were not looked at, the next "
        "`custlake ingest` picks them up",
        sig == SIGINT ? "SIGINT" : "SIGTERM", stats->files_left,
        stats->sources_left > 0 ? fmt::format(" and {} sources", stats->sources_left) : "");
    (*summary)["interrupted"] = why;
    (*summary)["exit_code"] = 128 + sig;
    spdlog::warn("ingest: {}", why);
    return lake->EndRun(run_id, Status::Cancelled(why), summary->dump());
  }
  if (stats.ok() && stats->files_unreadable > 0) {
    const std::string why =
        fmt::format("{} landing files could not be read and were not ingested (the others were); fix them and run "
                    "again: {}",
                    stats->files_unreadable, (*summary)["unreadable_files"].dump());
    (*summary)["exit_code"] = kExitPartial;
    for (const auto& f : stats->file_reports) {
      if (!f.unreadable.empty()) spdlog::warn("ingest: {}: not ingested: {}", f.path, f.unreadable);
    }
    return lake->EndRun(run_id, lake::RunStatus::kPartial, summary->dump(), why);
  }
  return lake->EndRun(run_id, stats.ok() ? Status::OK() : stats.status(), summary->dump());
}

struct IngestArgs {
  std::vector<std::string> sources;  ///< names of [ingest.NAME] to run (empty = all)
  bool watch = false;
  std::string from, format = "ndjson", dataset, key, schema, pattern = "*";
  std::vector<std::string> files;  ///< filled for ad hoc runs by the scanner
  bool with_files = false;
};

VerbResult RunIngest(const GlobalOptions& global, const IngestArgs& args) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ingest::IngestConfig ic;
  if (args.from.empty()) {
    ASSIGN_OR_RETURN(ic, ingest::LoadIngestConfig(config.file.string()));
    if (ic.sources.empty()) {
      return Status::ConfigError(fmt::format(
          "{} has no [ingest.NAME] source; add one (see docs/ingest.md) or use --from DIR --format F --dataset D",
          config.file.string()));
    }
  } else {
    if (args.dataset.empty()) return Status::InvalidArgument("--from needs --dataset NAME");
    ingest::SourceConfig s;
    s.name = args.dataset;
    s.path = std::filesystem::absolute(args.from).lexically_normal().string();
    s.pattern = args.pattern;
    s.format = args.format;
    s.dataset = args.dataset;
    s.key = args.key;
    s.schema_file = args.schema.empty() ? "" : std::filesystem::absolute(args.schema).string();
    ic.sources[s.name] = s;
  }
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Init(config.lake_root.string()));
  std::vector<std::string> run_args = {args.watch ? "--watch" : ""};
  ASSIGN_OR_RETURN(int64_t run_id, lake->BeginRun("ingest", run_args));

  g_stop.store(false);
  g_signal.store(0);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sa.sa_flags = SA_RESTART;  // reads, fsyncs and SQLite calls in flight just carry on
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  ingest::IngestOptions opts = ingest::IngestOptions::FromConfig(ic);
  opts.stop = &g_stop;
  opts.run_id = run_id;
  opts.step_hook = SignalAtHook();
  if (!global.quiet) opts.log = [](const std::string& line) { spdlog::info("{}", line); };
  // A progress line on a terminal (quiet in pipes, with --json or --quiet).
  Progress progress("ingest");
  opts.progress = [&progress](const ingest::IngestProgress& p) {
    progress.SetNote(fmt::format("{}/{} files", p.files_done, p.files_total));
    progress.SetTotalBytes(p.bytes_total);
    progress.Update(p.records, p.bytes_done);
  };
  Result<ingest::IngestStats> stats = args.watch ? ingest::Watch(lake.get(), ic, opts, args.sources)
                                                 : ingest::IngestAll(lake.get(), ic, opts, args.sources);
  progress.Finish();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  nlohmann::json summary = stats.ok() ? stats->ToJson(args.with_files) : nlohmann::json::object();
  summary["verb"] = "ingest";
  summary["stopped_by_signal"] = g_stop.load();
  RETURN_NOT_OK(EndIngestRun(lake.get(), run_id, stats, args.watch, &summary));
  if (!stats.ok()) return stats.status();
  PrintResult(global,
              fmt::format("ingest: {} files ({} already ingested, {} appended to, {} rewritten in place), {} records: "
                          "{} committed, {} quarantined, {} duplicates; {:.1f} MB in {:.2f} s ({:.1f} MB/s)",
                          stats->files, stats->files_skipped, stats->files_appended, stats->files_rewritten,
                          stats->records, stats->committed, stats->quarantined, stats->duplicates,
                          static_cast<double>(stats->bytes) / 1e6, stats->seconds, summary["mb_per_s"].get<double>()));
  return summary;
}

}  // namespace

VerbResult RunIngestSources(const GlobalOptions& global) { return RunIngest(global, IngestArgs{}); }

void RegisterIngest(CLI::App& app, VerbFn* run) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand("ingest", "ingest landing files (NDJSON, JSON, CSV; gzip/zstd) into the raw zone");
  cmd->add_option("sources", args->sources, "names of [ingest.NAME] sources to run (default: all)");
  cmd->add_flag("--watch", args->watch, "keep running: pick up new files as they arrive (SIGINT/SIGTERM stop cleanly)");
  cmd->add_option("--from", args->from, "ad hoc: a landing folder instead of the config's sources");
  cmd->add_option("--format", args->format, "ad hoc: ndjson, json or csv")->check(CLI::IsMember({"ndjson", "json", "csv"}));
  cmd->add_option("--dataset", args->dataset, "ad hoc: the target dataset (raw/NAME)");
  cmd->add_option("--key", args->key, "ad hoc: the deduplication key field");
  cmd->add_option("--schema", args->schema, "ad hoc: a schema file (JSON contract; see docs/ingest.md)");
  cmd->add_option("--pattern", args->pattern, "ad hoc: file-name glob (default *)");
  cmd->add_flag("--files", args->with_files, "list every file's reconciliation in the JSON summary");
  cmd->callback([run, args] { *run = [args](const GlobalOptions& g) { return RunIngest(g, *args); }; });
}

}  // namespace custlake::cli
