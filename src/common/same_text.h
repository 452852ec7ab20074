// SameText: string equality for the hot paths' short strings (JSON field
// names, dictionary values), in a few loads instead of a call to memcmp.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace custlake {

namespace same_text_internal {
template <typename T>
inline T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
}  // namespace same_text_internal

/// a[0, n) == b[0, n); reads no byte outside either range.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  using same_text_internal::Load;
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

}  // namespace custlake
