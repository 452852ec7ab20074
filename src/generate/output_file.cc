#include "generate/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <system_error>

namespace custlake::generate {

Result<std::unique_ptr<OutputFile>> OutputFile::Create(const std::string& path, bool direct) {
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmp = dir + "." + name + ".tmp";
  const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  int fd = direct ? ::open(tmp.c_str(), flags | O_DIRECT, 0644) : -1;
  if (fd < 0) {  // not asked for, or a file system without O_DIRECT (tmpfs)
    direct = false;
    fd = ::open(tmp.c_str(), flags, 0644);
  }
  if (fd < 0) {
    return Status::IOError("cannot create " + tmp + ": " + std::strerror(errno) +
                           " (check that the folder exists and is writable)");
  }
  return std::unique_ptr<OutputFile>(new OutputFile(path, std::move(tmp), fd, direct));
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

Status OutputFile::Write(std::string_view bytes) {
  RETURN_NOT_OK(WriteRaw(bytes.data(), bytes.size()));
  bytes_ += static_cast<int64_t>(bytes.size());
  return Status::OK();
}

Status OutputFile::WriteLastPadded(char* data, size_t size, size_t capacity) {
  const size_t padded = (size + kBlock - 1) / kBlock * kBlock;
  if (padded > capacity) return Status::Internal("OutputFile: no room to pad the last block of " + tmp_);
  std::memset(data + size, 0, padded - size);
  RETURN_NOT_OK(WriteRaw(data, padded));
  bytes_ += static_cast<int64_t>(size);
  padded_ = padded != size;
  return Status::OK();
}

Status OutputFile::WriteRaw(const char* p, size_t left) {
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
  return Status::OK();
}

Status OutputFile::Commit() {
  if (fd_ < 0) return Status::Internal("OutputFile::Commit called twice for " + path_);
  if (padded_ && ::ftruncate(fd_, bytes_) != 0) {
    return Status::IOError("cannot cut " + tmp_ + " to size: " + std::strerror(errno));
  }
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

char* ByteBuffer::Allocate(size_t capacity, bool aligned) {
  // Room for padding the last block of a direct file.
  const size_t block = OutputFile::kBlock;
  char* p = aligned ? static_cast<char*>(std::aligned_alloc(block, (capacity + 2 * block) / block * block))
                    : static_cast<char*>(std::malloc(std::max<size_t>(capacity, 1)));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void ByteBuffer::Grow(size_t need) {
  size_t cap = std::max(need, capacity_ * 2);
  std::unique_ptr<char[], Free> bigger(Allocate(cap, aligned_));
  std::memcpy(bigger.get(), data_.get(), size_);
  data_ = std::move(bigger);
  capacity_ = cap;
}

Status ByteBuffer::FlushTo(OutputFile* file, bool last) {
  if (!file->direct()) {
    Status st = file->Write(view());
    size_ = 0;
    return st;
  }
  if (!aligned_) return Status::Internal("a direct OutputFile needs an aligned ByteBuffer");
  if (last) {
    Status st = file->WriteLastPadded(data_.get(), size_, capacity_ + OutputFile::kBlock);
    size_ = 0;
    return st;
  }
  const size_t whole = size_ / OutputFile::kBlock * OutputFile::kBlock;
  Status st = file->Write(std::string_view(data_.get(), whole));
  std::memmove(data_.get(), data_.get() + whole, size_ - whole);
  size_ -= whole;
  return st;
}

}  // namespace custlake::generate
