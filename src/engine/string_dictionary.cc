#include "engine/string_dictionary.h"

#include <algorithm>
#include <cstring>

namespace custlake::engine {

namespace {

// A short string's hash: its 8-byte words folded through a multiply-xorshift
// (the values are at most kMaxValueBytes long).
uint64_t HashText(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (s.size() * 0xA24BAED4963EE407ULL);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x9FB21C651E98DF25ULL;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0x9FB21C651E98DF25ULL;
  return h ^ (h >> 32);
}

}  // namespace

StringDictionary::StringDictionary() : slots_(kSlots, 0) {
  spans_.reserve(kMaxValues);
  arena_.reserve(16 << 10);
}

uint32_t StringDictionary::Lookup(std::string_view s, uint64_t hash) const {
  size_t slot = hash & (kSlots - 1);
  while (true) {
    const uint32_t entry = slots_[slot];
    if (entry == 0 || value(entry - 1) == s) return static_cast<uint32_t>(slot);
    slot = (slot + 1) & (kSlots - 1);
  }
}

int32_t StringDictionary::Index(std::string_view s) {
  if (closed_) return -1;
  if (s.size() > kMaxValueBytes) {
    closed_ = true;
    return -1;
  }
  const uint32_t slot = Lookup(s, HashText(s));
  if (slots_[slot] != 0) return static_cast<int32_t>(slots_[slot] - 1);
  if (spans_.size() == kMaxValues || s.find('\0') != std::string_view::npos) {
    closed_ = true;
    return -1;
  }
  spans_.push_back(static_cast<uint64_t>(arena_.size()) << 32 | s.size());
  arena_.append(s);
  arena_.push_back('\0');
  slots_[slot] = static_cast<uint32_t>(spans_.size());
  return static_cast<int32_t>(spans_.size() - 1);
}

void StringDictionary::Clear() {
  if (!spans_.empty()) std::fill(slots_.begin(), slots_.end(), 0);
  spans_.clear();
  arena_.clear();
  closed_ = false;
}

}  // namespace custlake::engine
