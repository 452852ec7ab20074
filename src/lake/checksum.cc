#include "lake/checksum.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace custlake::lake {

namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  // Allocation failure or a FIPS provider without SHA-256 is not recoverable here.
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Update(const void* data, size_t size) { EVP_DigestUpdate(ctx_, data, size); }

std::string Sha256::HexDigest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, md, &len);
  return Hex(md, len);
}

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.HexDigest();
}

namespace {

// Streaming XXH3-128, digest in its canonical (big-endian) byte order.
class Xxh128 {
 public:
  Xxh128() : state_(XXH3_createState()) {
    if (state_ == nullptr || XXH3_128bits_reset(state_) != XXH_OK) std::abort();
  }
  ~Xxh128() { XXH3_freeState(state_); }
  Xxh128(const Xxh128&) = delete;
  Xxh128& operator=(const Xxh128&) = delete;
  void Update(const void* data, size_t size) { XXH3_128bits_update(state_, data, size); }
  std::string HexDigest() {
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(state_));
    return Hex(c.digest, sizeof(c.digest));
  }

 private:
  XXH3_state_t* state_;
};

using ChunkFn = std::function<void(std::string_view)>;

// Hashes up to `limit` bytes (< 0: all), showing each piece to `also`.
template <typename Hasher>
Result<std::string> HashFd(int fd, const std::string& path, int64_t* bytes, int64_t limit = -1,
                           const ChunkFn& also = {}) {
  Hasher h;
  // Reused per thread: this machine is slow to touch fresh memory.
  thread_local std::vector<char> buf(1 << 20);
  int64_t total = 0;
  while (limit < 0 || total < limit) {
    const size_t want = limit < 0 ? buf.size() : static_cast<size_t>(std::min<int64_t>(limit - total, buf.size()));
    const ssize_t n = ::read(fd, buf.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("cannot read " + path + " to checksum it: " + std::strerror(errno));
    }
    if (n == 0) break;
    h.Update(buf.data(), static_cast<size_t>(n));
    if (also) also(std::string_view(buf.data(), static_cast<size_t>(n)));
    total += n;
  }
  if (bytes != nullptr) *bytes = total;
  return h.HexDigest();
}

}  // namespace

std::string Xxh128Hex(std::string_view data) {
  Xxh128 h;
  h.Update(data.data(), data.size());
  return h.HexDigest();
}

Result<std::string> HashFile(const std::string& path, ContentHash hash, int64_t* bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + " to checksum it: " + std::strerror(errno));
  Result<std::string> sum = hash == ContentHash::kSha256 ? HashFd<Sha256>(fd, path, bytes) : HashFd<Xxh128>(fd, path, bytes);
  ::close(fd);
  return sum;
}

Result<std::string> HashFilePrefix(const std::string& path, ContentHash hash, int64_t length, int64_t* bytes,
                                   const ChunkFn& also) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + " to checksum it: " + std::strerror(errno));
  Result<std::string> sum = hash == ContentHash::kSha256 ? HashFd<Sha256>(fd, path, bytes, length, also)
                                                          : HashFd<Xxh128>(fd, path, bytes, length, also);
  ::close(fd);
  return sum;
}

}  // namespace custlake::lake
