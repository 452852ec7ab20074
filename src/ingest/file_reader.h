// FileReader: the bytes of a landing file, decompressed on the fly.
//
// Compression is recognised by content, not by name: gzip (1f 8b, also
// concatenated members) and zstd (28 b5 2f fd, also several frames); anything
// else is read as it is. A damaged stream (truncated gzip, bad zstd frame)
// is an error with the compressed byte offset, which the ingester turns into
// a whole-file quarantine.
//
// A FileReader owns its file descriptor and its decompression buffers; one
// thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace custlake::ingest {

enum class Compression { kNone, kGzip, kZstd };
const char* CompressionName(Compression c);

class FileReader {
 public:
  static Result<std::unique_ptr<FileReader>> Open(const std::string& path);
  /// A plain (uncompressed) file read from byte `offset` (what a file that
  /// grew appended) up to byte `end` (< 0: its end; the length its checksum
  /// covered, so bytes appended meanwhile wait for the next run). A
  /// compressed file is read whole (`end` ignored); from an offset > 0 it is
  /// an error.
  static Result<std::unique_ptr<FileReader>> OpenAt(const std::string& path, int64_t offset, int64_t end = -1);
  virtual ~FileReader() = default;

  /// Reads up to `cap` decompressed bytes into `dst`; 0 at the end.
  virtual Result<size_t> Read(char* dst, size_t cap) = 0;
  virtual Compression compression() const = 0;
  /// Compressed bytes consumed so far.
  virtual int64_t raw_bytes_read() const = 0;
};

}  // namespace custlake::ingest
