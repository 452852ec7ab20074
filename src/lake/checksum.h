// Content checksums of byte strings and files.
// - SHA-256 (OpenSSL's EVP interface, the library's optimised kernels): the
//   checksum the lake records for every committed file.
// - XXH3-128 (libxxhash, ~6x faster here): the identity of a landing file,
//   the key of ingested_files (a landing file whose identity is already
//   there was ingested before and is skipped). Not cryptographic: it tells
//   contents apart, as rsync's xxh128 file checksums do; whoever can write a
//   landing folder decides what the lake ingests anyway. Landing files of a
//   dataset recorded with sha256 (before 2026-12) keep being identified by
//   sha256 (ingest checks which one a dataset holds).
// Sha256 objects are not thread-safe; the free functions are.
#pragma once

#include <cstdint>
#include <functional>
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
/// XXH3-128 of `data` as 32 lowercase hex digits (its canonical byte order).
std::string Xxh128Hex(std::string_view data);

enum class ContentHash { kSha256, kXxh128 };
/// How many hex digits a hash of this kind is written as.
constexpr int HexDigits(ContentHash hash) { return hash == ContentHash::kSha256 ? 64 : 32; }

/// The hash of a file's content as lowercase hex digits (64 for SHA-256, 32
/// for XXH3-128), read in 1 MiB blocks (a buffer reused per thread).
/// `bytes`, when given, gets the number of bytes hashed.
Result<std::string> HashFile(const std::string& path, ContentHash hash, int64_t* bytes = nullptr);
/// The hash of the file's first `length` bytes (fewer when the file is
/// shorter: `*bytes` says how many); `also` sees each piece hashed.
Result<std::string> HashFilePrefix(const std::string& path, ContentHash hash, int64_t length, int64_t* bytes,
                                   const std::function<void(std::string_view)>& also);
/// SHA-256 of a file's content.
inline Result<std::string> Sha256File(const std::string& path) { return HashFile(path, ContentHash::kSha256); }

}  // namespace custlake::lake
