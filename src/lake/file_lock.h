// FileLock: an flock(2) on a file, released when the FileLock is destroyed
// (or the process dies: the kernel drops the lock, so a killed writer never
// leaves the lake locked).
//
// flock locks belong to the open file description, so two FileLocks in one
// process conflict exactly as two processes would. The lake uses one lock
// file, _lake.lock: every live batch holds it shared, recovery holds it
// exclusive (docs/lake-format.md, "Locking"). A FileLock is movable, not
// copyable, and not thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"

namespace custlake::lake {

class FileLock {
 public:
  enum class Mode { kShared, kExclusive };

  FileLock() = default;
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  /// Waits up to `timeout` for the lock (creating the file if needed).
  /// A timeout gives IOError naming the file and what to do.
  static Result<FileLock> Acquire(const std::string& path, Mode mode, std::chrono::milliseconds timeout);
  /// Does not wait: an unheld FileLock (held() == false) if someone else
  /// holds a conflicting lock.
  static Result<FileLock> TryAcquire(const std::string& path, Mode mode);

  bool held() const { return fd_ >= 0; }
  void Release();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace custlake::lake
