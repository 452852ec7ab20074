#include "serve/session_pool.h"


namespace custlake::serve {

SessionPool::SessionPool(std::string lake_root, query::SandboxOptions options, int max_sessions)
    : lake_(std::move(lake_root), std::move(options)), max_sessions_(max_sessions) {}

SessionPool::Lease::~Lease() {
  if (session_) pool_->Return(std::move(session_), generation_);
}

Result<std::optional<int64_t>> SessionPool::WarehouseVersion() { return lake_.WarehouseVersion(); }

Result<int64_t> SessionPool::Generation() { return lake_.Generation(); }

Result<SessionPool::Lease> SessionPool::Acquire() {
  ASSIGN_OR_RETURN(const int64_t generation, Generation());
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (generation != generation_) {  // a new build or new scores: the idle sessions are stale
      open_ -= static_cast<int>(idle_.size());
      idle_.clear();
      generation_ = generation;
    }
    const bool free = returned_.wait_for(lock, lake_.options().timeout, [&] {
      return !idle_.empty() || open_ < max_sessions_;
    });
    if (!free) {
      return Status::Transient("all " + std::to_string(max_sessions_) +
                               " query sessions stayed busy; try again (or raise --max-sessions)");
    }
    if (!idle_.empty() && generation_ == generation) {
      auto session = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(session), generation);
    }
    ++open_;
  }
  auto session = lake_.Connect();
  if (!session.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    returned_.notify_one();
    return session.status();
  }
  return Lease(this, std::move(*session), generation);
}

void SessionPool::Return(std::unique_ptr<query::LakeSession> session, int64_t generation) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation == generation_) {
      idle_.push_back(std::move(session));
    } else {
      --open_;  // stale: closed below, outside the lock
    }
  }
  returned_.notify_one();
}

}  // namespace custlake::serve
