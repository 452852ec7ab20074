// A landing or truth file written atomically: bytes go to a hidden
// temporary ("<dir>/.<name>.tmp") and Commit() renames it into place, so a
// reader polling the folder (the ingest) never sees half a file, and a run
// that dies leaves only dot-files behind.
//
// Unbuffered on purpose: callers format into their own large, reused
// buffers and hand over megabytes at a time. Owned by one thread; the
// destructor removes an uncommitted temporary.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace custlake::generate {

class OutputFile {
 public:
  /// Opens the temporary for `path` (the parent folder must exist).
  static Result<std::unique_ptr<OutputFile>> Create(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status Write(std::string_view bytes);
  /// Closes the file and renames it to its final name.
  Status Commit();
  int64_t bytes_written() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  OutputFile(std::string path, std::string tmp, int fd) : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd) {}
  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  int64_t bytes_ = 0;
};

/// Creates `dir` and its parents; the error names the folder.
Status MakeDirectories(const std::string& dir);

/// A reused output buffer in front of an OutputFile: Reserve() room, write
/// through the returned pointer, Advance(); Flush() when Pending() is large.
class ByteBuffer {
 public:
  explicit ByteBuffer(size_t capacity = size_t{8} << 20) : data_(new char[capacity]), capacity_(capacity) {}
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
  /// Writes the contents to `file` and empties the buffer.
  Status FlushTo(OutputFile* file) {
    Status st = file->Write(view());
    size_ = 0;
    return st;
  }

 private:
  void Grow(size_t need);
  std::unique_ptr<char[]> data_;
  size_t capacity_;
  size_t size_ = 0;
};

}  // namespace custlake::generate
