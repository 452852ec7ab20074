// LandingQueue: the bounded hand-off between `custlake ingest --watch`'s
// scanner thread (lists the landing folders every poll_seconds) and the
// ingesting thread (forms batches, parses, commits).
//
// Bounded by files and by bytes (watch_queue_files, watch_queue_bytes): when
// it is full, TryPush refuses and the scanner stops listing that source
// until the next scan, so the landing folder itself holds the backlog
// (back-pressure: nothing is read or buffered for files that wait). A file
// is in the queue at most once, from TryPush until the consumer calls Done
// for it (ingested, skipped or failed), so a slow batch is never queued
// twice. The queue holds paths and sizes only, never content; a crash
// loses nothing (the files are still in the folder).
//
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ingest/file_scanner.h"

namespace custlake::ingest {

class LandingQueue {
 public:
  LandingQueue(size_t max_files, int64_t max_bytes);

  /// Queues `file` unless it is already queued or being ingested (true), or
  /// refuses because the queue is full (false). An empty queue always takes
  /// one file, however large.
  bool TryPush(const LandingFile& file);
  /// Queued or being ingested.
  bool Contains(const std::string& path) const;
  /// Takes queued files in order, up to `max_bytes` (at least one when any
  /// is queued); they stay known until Done.
  std::vector<LandingFile> Take(int64_t max_bytes);
  /// The consumer is finished with these files.
  void Done(const std::vector<LandingFile>& files);
  /// Waits until something is queued, or `timeout` passes.
  void WaitForWork(std::chrono::milliseconds timeout);

  size_t queued_files() const;
  int64_t queued_bytes() const;

 private:
  bool Full(int64_t more_bytes) const;

  const size_t max_files_;
  const int64_t max_bytes_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<LandingFile> queue_;
  int64_t bytes_ = 0;
  std::set<std::string> known_;  ///< queued or taken, not yet Done
};

}  // namespace custlake::ingest
