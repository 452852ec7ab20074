#include "lake/file_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include <fmt/format.h>

namespace custlake::lake {

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

void FileLock::Release() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    fd_ = -1;
  }
}

Result<FileLock> FileLock::TryAcquire(const std::string& path, Mode mode) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    return Status::IOError(fmt::format("open lock file '{}': {}", path, std::strerror(e)));
  }
  int op = (mode == Mode::kShared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  int rc;
  do {
    rc = ::flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return FileLock(fd);
  int e = errno;
  ::close(fd);
  if (e == EWOULDBLOCK) return FileLock();
  return Status::IOError(fmt::format("flock '{}': {}", path, std::strerror(e)));
}

Result<FileLock> FileLock::Acquire(const std::string& path, Mode mode,
                                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    ASSIGN_OR_RETURN(FileLock lock, TryAcquire(path, mode));
    if (lock.held()) return lock;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::IOError(fmt::format(
          "timed out after {} ms waiting for the {} lock on '{}': another custlake process is "
          "{}; wait for it to finish and retry",
          timeout.count(), mode == Mode::kShared ? "shared" : "exclusive", path,
          mode == Mode::kShared ? "cleaning up the lake" : "writing to the lake"));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace custlake::lake
