// SHA-256 of byte strings and files: the content checksum the lake records
// for every committed file and the key of ingested_files (a landing file
// whose checksum is already there was ingested before and is skipped).
// Computed by OpenSSL's EVP interface (the library's optimised kernels).
// Sha256 objects are not thread-safe; the free functions are.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct evp_md_ctx_st;

namespace custlake::lake {

/// Incremental SHA-256 (FIPS 180-4).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  /// 64 lowercase hex digits. The object must not be updated afterwards.
  std::string HexDigest();

 private:
  evp_md_ctx_st* ctx_;
};

/// SHA-256 of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);
/// SHA-256 of a file's content, read in 1 MiB blocks (a buffer reused per thread).
Result<std::string> Sha256File(const std::string& path);

}  // namespace custlake::lake
