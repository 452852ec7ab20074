#include "engine/string_dictionary.h"

#include <algorithm>

namespace custlake::engine {

StringDictionary::StringDictionary() : slots_(kMinSlots, 0) {
  spans_.reserve(kMaxValues);
  arena_.reserve(16 << 10);
}

// A new value, for the empty `slot` Lookup found.
int32_t StringDictionary::Add(std::string_view s, uint64_t hash, size_t slot) {
  if (spans_.size() == kMaxValues || s.find('\0') != std::string_view::npos) return Close();
  if (2 * (spans_.size() + 1) > slots_.size()) {
    Grow();
    slot = Lookup(s, hash);
  }
  spans_.push_back(static_cast<uint64_t>(arena_.size()) << 32 | s.size());
  arena_.append(s);
  arena_.push_back('\0');
  slots_[slot] = (hash & ~kIndexMask) | spans_.size();
  return static_cast<int32_t>(spans_.size() - 1);
}

// Twice the slots, every value hashed into them again.
void StringDictionary::Grow() {
  slots_.assign(2 * slots_.size(), 0);
  for (size_t i = 0; i < spans_.size(); i++) {
    const std::string_view v = value(i);
    const uint64_t hash = Hash(v);
    slots_[Lookup(v, hash)] = (hash & ~kIndexMask) | (i + 1);
  }
}

void StringDictionary::Clear() {
  if (slots_.size() > kMinSlots) {
    slots_.assign(kMinSlots, 0);
  } else if (!spans_.empty()) {
    std::fill(slots_.begin(), slots_.end(), 0);
  }
  spans_.clear();
  arena_.clear();
  closed_ = false;
}

}  // namespace custlake::engine
