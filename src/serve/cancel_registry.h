// Which connection a CancelRequest names: backend pid and secret key (sent
// in BackendKeyData) → that connection's session. Thread-safe: connections
// add and remove themselves; a cancelling connection interrupts under the
// lock, so a session is never interrupted after its connection removed it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <utility>

#include "query/lake_session.h"

namespace custlake::serve {

class CancelRegistry {
 public:
  void Add(int32_t pid, int32_t secret, query::LakeSession* session) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_[pid] = {secret, session};
  }
  void Remove(int32_t pid) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(pid);
  }
  /// Interrupts the statement of connection `pid` when `secret` is its key.
  void Cancel(int32_t pid, int32_t secret) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(pid);
    if (it != entries_.end() && it->second.first == secret) it->second.second->Interrupt();
  }

 private:
  std::mutex mu_;
  std::map<int32_t, std::pair<int32_t, query::LakeSession*>> entries_;
};

}  // namespace custlake::serve
