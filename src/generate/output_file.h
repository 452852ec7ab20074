// A landing or truth file written atomically: bytes go to a hidden
// temporary ("<dir>/.<name>.tmp") and Commit() renames it into place, so a
// reader polling the folder (the ingest) never sees half a file, and a run
// that dies leaves only dot-files behind.
//
// Unbuffered on purpose: callers format into their own large, reused
// buffers and hand over megabytes at a time. Owned by one thread; the
// destructor removes an uncommitted temporary.
//
// A file created `direct` is written with O_DIRECT where the file system
// allows it: straight from the caller's buffer to the disk, not through the
// page cache, whose freshly allocated pages cost this kind of machine more
// kernel time than the formatting costs user time. Direct writes must come
// from an aligned ByteBuffer through ByteBuffer::FlushTo, in whole blocks;
// the last, partial block is padded and the file cut to size at Commit.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace custlake::generate {

class OutputFile {
 public:
  /// Opens the temporary for `path` (the parent folder must exist).
  static Result<std::unique_ptr<OutputFile>> Create(const std::string& path, bool direct = false);
  /// Block size of direct writes.
  static constexpr size_t kBlock = 4096;
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status Write(std::string_view bytes);
  /// Direct files: writes `bytes` padded with zeros to a whole block; the
  /// padding is cut off at Commit. The last write of the file.
  Status WriteLastPadded(char* data, size_t size, size_t capacity);
  /// Closes the file and renames it to its final name.
  Status Commit();
  int64_t bytes_written() const { return bytes_; }
  const std::string& path() const { return path_; }
  bool direct() const { return direct_; }

 private:
  OutputFile(std::string path, std::string tmp, int fd, bool direct)
      : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd), direct_(direct) {}
  Status WriteRaw(const char* p, size_t left);
  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  bool direct_ = false;
  bool padded_ = false;
  int64_t bytes_ = 0;
};

/// Creates `dir` and its parents; the error names the folder.
Status MakeDirectories(const std::string& dir);

/// A reused output buffer in front of an OutputFile: Reserve() room, write
/// through the returned pointer, Advance(); Flush() when Pending() is large.
class ByteBuffer {
 public:
  /// `aligned`: block-aligned storage, for OutputFile's direct writes.
  explicit ByteBuffer(size_t capacity = size_t{8} << 20, bool aligned = false)
      : data_(Allocate(capacity, aligned)), capacity_(capacity), aligned_(aligned) {}
  /// Pointer with at least `n` writable bytes (grows the buffer if needed).
  char* Reserve(size_t n) {
    if (size_ + n > capacity_) Grow(size_ + n);
    return data_.get() + size_;
  }
  void Advance(char* end) { size_ = static_cast<size_t>(end - data_.get()); }
  void Append(std::string_view s) {
    char* p = Reserve(s.size());
    std::copy(s.begin(), s.end(), p);
    size_ += s.size();
  }
  size_t size() const { return size_; }
  std::string_view view() const { return {data_.get(), size_}; }
  void Clear() { size_ = 0; }
  /// Writes the contents to `file` and empties the buffer. For a direct
  /// file only whole blocks are written unless `last`; the rest stays.
  Status FlushTo(OutputFile* file, bool last = false);

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  static char* Allocate(size_t capacity, bool aligned);
  void Grow(size_t need);
  std::unique_ptr<char[], Free> data_;
  size_t capacity_;
  bool aligned_ = false;
  size_t size_ = 0;
};

}  // namespace custlake::generate
