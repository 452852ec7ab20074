#include "ingest/dedup_index.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/short_text.h"

namespace custlake::ingest {

namespace {
inline uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}
}  // namespace

uint64_t KeyFingerprint(std::string_view key) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (key.size() * 0xA24BAED4963EE407ULL);
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, key.data() + i, 8);
    h = Mix(h ^ w) * 0x9FB21C651E98DF25ULL;
  }
  // The last bytes in whole loads (EdgeWords, overlapping what the loop
  // took; with the length in the seed every byte still counts).
  const size_t n = key.size(), rest = n - i;
  uint64_t tail = 0;
  if (rest > 0) {
    uint64_t first, last;
    EdgeWords(key.data(), n, &first, &last);
    tail = n >= 8 ? last : first | last << 32;
  }
  h = Mix(h ^ tail ^ (static_cast<uint64_t>(rest) << 56));
  return h == 0 ? 1 : h;
}

DedupIndex::DedupIndex(size_t initial_slots) : slots_(initial_slots, 0), mask_(initial_slots - 1) {}

bool DedupIndex::Insert(uint64_t fp) {
  if ((size_ + 1) * 10 > slots_.size() * 7) Grow();
  size_t i = fp & mask_;
  while (true) {
    if (slots_[i] == fp) return false;
    if (slots_[i] == 0) {
      slots_[i] = fp;
      size_++;
      return true;
    }
    i = (i + 1) & mask_;
  }
}

bool DedupIndex::Contains(uint64_t fp) const {
  size_t i = fp & mask_;
  while (slots_[i] != 0) {
    if (slots_[i] == fp) return true;
    i = (i + 1) & mask_;
  }
  return false;
}

void DedupIndex::Erase(uint64_t fp) {
  size_t i = fp & mask_;
  while (slots_[i] != fp) {
    if (slots_[i] == 0) return;
    i = (i + 1) & mask_;
  }
  // Backward-shift deletion keeps linear probing correct without tombstones.
  size_t j = i;
  while (true) {
    slots_[i] = 0;
    while (true) {
      j = (j + 1) & mask_;
      if (slots_[j] == 0) {
        size_--;
        return;
      }
      const size_t home = slots_[j] & mask_;
      // Move slots_[j] to i if its home is not cyclically in (i, j].
      const bool in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!in_range) break;
    }
    slots_[i] = slots_[j];
    i = j;
  }
}

void DedupIndex::Grow() {
  std::vector<uint64_t> old(slots_.size() * 2, 0);
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  size_ = 0;
  for (const uint64_t fp : old) {
    if (fp != 0) Insert(fp);
  }
}

PartitionedDedupIndex::PartitionedDedupIndex(Loader loader, size_t budget_keys)
    : loader_(std::move(loader)), budget_keys_(budget_keys) {}

Result<DedupIndex*> PartitionedDedupIndex::Get(int64_t day) {
  if (last_ != nullptr && day == last_day_) return last_;
  auto it = parts_.find(day);
  if (it == parts_.end()) {
    auto index = std::make_unique<DedupIndex>(1 << 10);
    RETURN_NOT_OK(loader_(day, index.get()));
    loads_++;
    keys_ += index->size();
    lru_.push_front(day);
    it = parts_.emplace(day, Part{std::move(index), lru_.begin(), {}}).first;
  } else if (it->second.lru != lru_.begin()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  auto& epochs = it->second.epochs;
  if (epochs.empty() || epochs.back() != epoch_) epochs.push_back(epoch_);
  last_day_ = day;
  last_ = it->second.index.get();
  return last_;
}

Result<bool> PartitionedDedupIndex::Insert(int64_t day, uint64_t fp) {
  ASSIGN_OR_RETURN(DedupIndex * index, Get(day));
  const bool fresh = index->Insert(fp);
  keys_ += fresh ? 1 : 0;
  return fresh;
}

void PartitionedDedupIndex::Prefetch(int64_t day, uint64_t fp) const {
  if (last_ != nullptr && day == last_day_) {
    last_->Prefetch(fp);
    return;
  }
  const auto it = parts_.find(day);
  if (it != parts_.end()) it->second.index->Prefetch(fp);
}

void PartitionedDedupIndex::Erase(int64_t day, uint64_t fp) {
  auto it = parts_.find(day);
  if (it == parts_.end()) return;
  const size_t before = it->second.index->size();
  it->second.index->Erase(fp);
  keys_ -= before - it->second.index->size();
}

void PartitionedDedupIndex::Trim(const std::vector<int64_t>& open_epochs) {
  for (auto& [day, p] : parts_) {
    std::erase_if(p.epochs, [&](int64_t e) {
      return std::find(open_epochs.begin(), open_epochs.end(), e) == open_epochs.end();
    });
  }
  for (auto l = lru_.end(); keys_ > budget_keys_ && l != lru_.begin();) {
    --l;
    auto it = parts_.find(*l);
    if (!it->second.epochs.empty()) continue;  // pinned: keys only in memory
    keys_ -= it->second.index->size();
    parts_.erase(it);
    l = lru_.erase(l);
  }
  last_ = nullptr;
}

void PartitionedDedupIndex::Clear() {
  keys_ = 0;
  parts_.clear();
  lru_.clear();
  last_ = nullptr;
}

size_t PartitionedDedupIndex::keys() const { return keys_; }

size_t PartitionedDedupIndex::memory_bytes() const {
  size_t n = 0;
  for (const auto& [day, p] : parts_) n += p.index->memory_bytes();
  return n;
}

}  // namespace custlake::ingest
