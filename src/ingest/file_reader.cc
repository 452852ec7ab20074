#include "ingest/file_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace custlake::ingest {

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
  }
  return "none";
}

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<size_t> ReadFd(int fd, char* dst, size_t cap, const std::string& path) {
  while (true) {
    const ssize_t n = ::read(fd, dst, cap);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return Status::IOError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
}

class PlainReader : public FileReader {
 public:
  /// `limit`: bytes to deliver at most (< 0: up to the end of the file).
  PlainReader(int fd, std::string path, std::string prefix, int64_t limit = -1)
      : fd_(fd), path_(std::move(path)), prefix_(std::move(prefix)), limit_(limit) {}
  Result<size_t> Read(char* dst, size_t cap) override {
    if (limit_ >= 0) cap = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(cap), limit_ - read_));
    if (cap == 0) return size_t{0};
    if (pos_ < prefix_.size()) {
      const size_t n = std::min(cap, prefix_.size() - pos_);
      std::memcpy(dst, prefix_.data() + pos_, n);
      pos_ += n;
      read_ += static_cast<int64_t>(n);
      return n;
    }
    ASSIGN_OR_RETURN(size_t n, ReadFd(fd_.get(), dst, cap, path_));
    read_ += static_cast<int64_t>(n);
    return n;
  }
  Compression compression() const override { return Compression::kNone; }
  int64_t raw_bytes_read() const override { return read_; }

 private:
  Fd fd_;
  std::string path_;
  std::string prefix_;
  int64_t limit_ = -1;
  size_t pos_ = 0;
  int64_t read_ = 0;
};

constexpr size_t kInChunk = 1 << 20;

class GzipReader : public FileReader {
 public:
  GzipReader(int fd, std::string path, std::string prefix) : fd_(fd), path_(std::move(path)), in_(kInChunk) {
    std::memcpy(in_.data(), prefix.data(), prefix.size());
    std::memset(&zs_, 0, sizeof(zs_));
    zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
    zs_.avail_in = static_cast<uInt>(prefix.size());
    read_ = static_cast<int64_t>(prefix.size());
    ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;
  }
  ~GzipReader() override { inflateEnd(&zs_); }

  Result<size_t> Read(char* dst, size_t cap) override {
    if (!ok_) return Status::Internal("zlib initialisation failed");
    if (done_) return size_t{0};
    zs_.next_out = reinterpret_cast<Bytef*>(dst);
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(cap, 1u << 30));
    while (zs_.avail_out > 0) {
      if (zs_.avail_in == 0 && !eof_) {
        ASSIGN_OR_RETURN(size_t n, ReadFd(fd_.get(), in_.data(), in_.size(), path_));
        read_ += static_cast<int64_t>(n);
        if (n == 0) eof_ = true;
        zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
        zs_.avail_in = static_cast<uInt>(n);
      }
      if (zs_.avail_in == 0 && eof_) {
        if (in_member_) {
          return Status::Corruption(fmt::format("{}: truncated gzip stream (ends at byte {} inside a member)",
                                                path_, read_));
        }
        done_ = true;
        break;
      }
      in_member_ = true;
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&zs_);
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::Corruption(fmt::format("{}: corrupt gzip data near byte {}: {}", path_,
                                              read_ - static_cast<int64_t>(zs_.avail_in),
                                              zs_.msg != nullptr ? zs_.msg : "inflate failed"));
      }
      if (rc == Z_BUF_ERROR && zs_.avail_in > 0) break;  // output full
    }
    return static_cast<size_t>(reinterpret_cast<char*>(zs_.next_out) - dst);
  }
  Compression compression() const override { return Compression::kGzip; }
  int64_t raw_bytes_read() const override { return read_; }

 private:
  Fd fd_;
  std::string path_;
  std::vector<char> in_;
  z_stream zs_;
  bool ok_ = false;
  bool eof_ = false;
  bool done_ = false;
  bool in_member_ = false;
  int64_t read_ = 0;
};

class ZstdReader : public FileReader {
 public:
  ZstdReader(int fd, std::string path, std::string prefix)
      : fd_(fd), path_(std::move(path)), in_(ZSTD_DStreamInSize() > kInChunk ? ZSTD_DStreamInSize() : kInChunk) {
    std::memcpy(in_.data(), prefix.data(), prefix.size());
    input_ = {in_.data(), prefix.size(), 0};
    read_ = static_cast<int64_t>(prefix.size());
    ds_ = ZSTD_createDStream();
    ZSTD_initDStream(ds_);
  }
  ~ZstdReader() override { ZSTD_freeDStream(ds_); }

  Result<size_t> Read(char* dst, size_t cap) override {
    ZSTD_outBuffer out{dst, cap, 0};
    while (out.pos < out.size) {
      if (input_.pos == input_.size && !eof_) {
        ASSIGN_OR_RETURN(size_t n, ReadFd(fd_.get(), in_.data(), in_.size(), path_));
        read_ += static_cast<int64_t>(n);
        if (n == 0) eof_ = true;
        input_ = {in_.data(), n, 0};
      }
      if (input_.pos == input_.size && eof_) {
        if (pending_) {
          return Status::Corruption(fmt::format("{}: truncated zstd stream (ends at byte {} inside a frame)",
                                                path_, read_));
        }
        break;
      }
      const size_t rc = ZSTD_decompressStream(ds_, &out, &input_);
      if (ZSTD_isError(rc)) {
        return Status::Corruption(fmt::format("{}: corrupt zstd data near byte {}: {}", path_,
                                              read_ - static_cast<int64_t>(input_.size - input_.pos),
                                              ZSTD_getErrorName(rc)));
      }
      pending_ = rc != 0;
    }
    return out.pos;
  }
  Compression compression() const override { return Compression::kZstd; }
  int64_t raw_bytes_read() const override { return read_; }

 private:
  Fd fd_;
  std::string path_;
  std::vector<char> in_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  ZSTD_DStream* ds_ = nullptr;
  bool eof_ = false;
  bool pending_ = false;
  int64_t read_ = 0;
};

}  // namespace

Result<std::unique_ptr<FileReader>> FileReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  char magic[4];
  size_t got = 0;
  while (got < 4) {
    const ssize_t n = ::read(fd, magic + got, 4 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      return Status::IOError(fmt::format("cannot read {}: {}", path, std::strerror(e)));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  std::string prefix(magic, got);
  const auto* m = reinterpret_cast<const unsigned char*>(magic);
  if (got >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
    return std::unique_ptr<FileReader>(new GzipReader(fd, path, std::move(prefix)));
  }
  if (got >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
    return std::unique_ptr<FileReader>(new ZstdReader(fd, path, std::move(prefix)));
  }
  return std::unique_ptr<FileReader>(new PlainReader(fd, path, std::move(prefix)));
}

Result<std::unique_ptr<FileReader>> FileReader::OpenAt(const std::string& path, int64_t offset, int64_t end) {
  ASSIGN_OR_RETURN(auto probe, Open(path));
  if (probe->compression() != Compression::kNone) {
    if (offset == 0) return probe;
    return Status::InvalidArgument(fmt::format("{} is {}-compressed: it cannot be read from byte {}", path,
                                               CompressionName(probe->compression()), offset));
  }
  if (offset == 0 && end < 0) return probe;
  probe.reset();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) != static_cast<off_t>(offset)) {
    const int e = errno;
    ::close(fd);
    return Status::IOError(fmt::format("cannot seek to byte {} of {}: {}", offset, path, std::strerror(e)));
  }
  return std::unique_ptr<FileReader>(new PlainReader(fd, path, "", end < 0 ? -1 : std::max<int64_t>(0, end - offset)));
}

}  // namespace custlake::ingest
