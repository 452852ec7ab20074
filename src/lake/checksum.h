// SHA-256 of byte strings and files: the content checksum the lake records
// for every committed file and the key of ingested_files (a landing file
// whose checksum is already there was ingested before and is skipped).
// Sha256 objects are not thread-safe; the free functions are.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace custlake::lake {

/// Incremental SHA-256 (FIPS 180-4).
class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  /// 64 lowercase hex digits. The object must not be updated afterwards.
  std::string HexDigest();

 private:
  void Block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_;
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string Sha256Hex(std::string_view data);
/// Reads the file in 1 MiB chunks.
Result<std::string> Sha256File(const std::string& path);

}  // namespace custlake::lake
