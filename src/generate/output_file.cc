#include "generate/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace custlake::generate {

Result<std::unique_ptr<OutputFile>> OutputFile::Create(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmp = dir + "." + name + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError("cannot create " + tmp + ": " + std::strerror(errno) +
                           " (check that the folder exists and is writable)");
  }
  return std::unique_ptr<OutputFile>(new OutputFile(path, std::move(tmp), fd));
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

Status OutputFile::Write(std::string_view bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("cannot write " + tmp_ + ": " + std::strerror(errno) +
                             " (is the disk full?)");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  bytes_ += static_cast<int64_t>(bytes.size());
  return Status::OK();
}

Status OutputFile::Commit() {
  if (fd_ < 0) return Status::Internal("OutputFile::Commit called twice for " + path_);
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) {
    ::unlink(tmp_.c_str());
    return Status::IOError("cannot close " + tmp_ + ": " + std::strerror(errno));
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp_.c_str());
    return Status::IOError("cannot rename " + tmp_ + " to " + path_ + ": " + err);
  }
  return Status::OK();
}

Status MakeDirectories(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create folder " + dir + ": " + ec.message());
  return Status::OK();
}

void ByteBuffer::Grow(size_t need) {
  size_t cap = std::max(need, capacity_ * 2);
  std::unique_ptr<char[]> bigger(new char[cap]);
  std::memcpy(bigger.get(), data_.get(), size_);
  data_ = std::move(bigger);
  capacity_ = cap;
}

}  // namespace custlake::generate
