// `custlake ingest --watch`: a scanner thread feeding bounded queues, the
// calling thread ingesting from them (see Watch in ingester.h).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "ingest/file_scanner.h"
#include "ingest/ingester.h"
#include "ingest/landing_queue.h"

namespace custlake::ingest {

Result<IngestStats> Watch(lake::Lake* lake, const IngestConfig& config, const IngestOptions& options,
                          const std::vector<std::string>& only) {
  IngestStats total;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<SourceIngester>> ingesters;
  std::vector<std::unique_ptr<LandingQueue>> queues;
  for (const auto& [name, source] : config.sources) {
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    ASSIGN_OR_RETURN(auto ing, SourceIngester::Open(lake, SourceSpec{source, std::nullopt}, options));
    ingesters.push_back(std::move(ing));
    queues.push_back(std::make_unique<LandingQueue>(static_cast<size_t>(options.watch_queue_files),
                                                    options.watch_queue_bytes));
  }
  if (ingesters.empty()) return Status::InvalidArgument("no [ingest.NAME] source to watch");
  auto stopped = [&] { return options.stop != nullptr && options.stop->load(); };

  // The scanner: lists each folder, queues what is new, sleeps poll_seconds.
  std::atomic<bool> finished{false};
  std::mutex error_mu;
  Status scan_error = Status::OK();
  std::thread scanner([&] {
    while (!finished.load() && !stopped()) {
      for (size_t i = 0; i < ingesters.size() && !finished.load(); i++) {
        const SourceConfig& c = ingesters[i]->config();
        auto files = ScanLandingFolder(c.path, c.pattern, c.min_age_seconds);
        if (!files.ok()) {
          std::lock_guard<std::mutex> lock(error_mu);
          scan_error = files.status().WithContext("ingest." + c.name);
          finished.store(true);
          break;
        }
        ingesters[i]->ForgetFilesNotIn(*files);
        for (const auto& f : *files) {
          if (queues[i]->Contains(f.path) || ingesters[i]->KnownUnchanged(f)) continue;
          if (!queues[i]->TryPush(f)) break;  // full: the rest waits in the folder
        }
      }
      const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(config.poll_seconds);
      while (!finished.load() && !stopped() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  });
  struct JoinScanner {
    std::atomic<bool>& finished;
    std::thread& t;
    ~JoinScanner() {
      finished.store(true);
      t.join();
    }
  } join_scanner{finished, scanner};

  while (!stopped()) {
    {
      std::lock_guard<std::mutex> lock(error_mu);
      RETURN_NOT_OK(scan_error);
    }
    bool did = false;
    for (size_t i = 0; i < ingesters.size() && !stopped(); i++) {
      // Two batches' worth: the second is parsed while the first commits.
      std::vector<LandingFile> files = queues[i]->Take(2 * options.batch_bytes);
      if (files.empty()) continue;
      did = true;
      auto stats = ingesters[i]->IngestLanding(files);
      queues[i]->Done(files);
      RETURN_NOT_OK(stats.status());
      // Files found already ingested are reported once per run at most.
      std::erase_if(stats->file_reports, [](const FileReport& r) { return r.skipped; });
      stats->files_skipped = 0;
      total.Add(*stats);
    }
    if (!did) queues.front()->WaitForWork(std::chrono::milliseconds(queues.size() == 1 ? 100 : 20));
  }
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return total;
}

}  // namespace custlake::ingest
