// Short strings on the hot paths (JSON field names, dictionary values,
// dedup keys): equality and their bytes as whole words, in a few loads
// instead of a call to memcmp or a byte-by-byte copy (whose word load
// would then stall on the stores).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace custlake {

namespace short_text_internal {
template <typename T>
inline T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
}  // namespace short_text_internal

/// a[0, n) == b[0, n); reads no byte outside either range.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  using short_text_internal::Load;
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    return Load<uint64_t>(a) == Load<uint64_t>(b) && Load<uint64_t>(a + n - 8) == Load<uint64_t>(b + n - 8);
  }
  if (n >= 4) return Load<uint32_t>(a) == Load<uint32_t>(b) && Load<uint32_t>(a + n - 4) == Load<uint32_t>(b + n - 4);
  return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

inline bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && SameBytes(a.data(), b.data(), a.size());
}

/// The bytes of p[0, n) as two words, every byte in at least one of them:
/// the first and the last 8 bytes (n >= 8), 4 bytes (n >= 4), or the first,
/// middle and last byte in *first and 0 in *last (n < 4). They overlap when
/// n < 16; with n they identify a string of up to 16 bytes. Reads no byte
/// outside the range.
inline void EdgeWords(const char* p, size_t n, uint64_t* first, uint64_t* last) {
  using short_text_internal::Load;
  if (n >= 8) {
    *first = Load<uint64_t>(p);
    *last = Load<uint64_t>(p + n - 8);
  } else if (n >= 4) {
    *first = Load<uint32_t>(p);
    *last = Load<uint32_t>(p + n - 4);
  } else {
    *first = n == 0 ? 0
                    : static_cast<uint8_t>(p[0]) | static_cast<uint64_t>(static_cast<uint8_t>(p[n / 2])) << 8 |
                          static_cast<uint64_t>(static_cast<uint8_t>(p[n - 1])) << 16;
    *last = 0;
  }
}

}  // namespace custlake
