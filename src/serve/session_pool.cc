#include "serve/session_pool.h"

#include <spdlog/spdlog.h>

namespace custlake::serve {

SessionPool::SessionPool(std::string lake_root, query::SandboxOptions options, int max_sessions)
    : lake_(std::move(lake_root), std::move(options)), max_sessions_(max_sessions) {}

SessionPool::~SessionPool() {
  if (opener_.joinable()) opener_.join();
}

SessionPool::Lease::~Lease() {
  if (session_) pool_->Return(std::move(session_), generation_);
}

Result<std::optional<int64_t>> SessionPool::WarehouseVersion() { return lake_.WarehouseVersion(); }

Result<int64_t> SessionPool::Generation() { return lake_.Generation(); }

Result<int64_t> SessionPool::ServingGeneration() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (serving_) return serving_->generation();
  }
  return Generation();
}

Status SessionPool::Prepare() {
  // LiveLake opens the newest generation's database once; a second caller waits for that open.
  ASSIGN_OR_RETURN(std::shared_ptr<query::LakeDatabase> database, lake_.Current());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (serving_ && serving_->generation() >= database->generation()) return Status::OK();
    open_ -= static_cast<int>(idle_.size());  // the old generation's idle sessions: closed
    idle_.clear();
    serving_ = std::move(database);
  }
  returned_.notify_all();
  return Status::OK();
}

void SessionPool::OpenInBackground() {
  if (opening_) return;
  if (opener_.joinable()) opener_.join();  // finished: it clears opening_ as its last step
  opening_ = true;
  opener_ = std::thread([this] {
    const Status status = Prepare();
    if (!status.ok()) spdlog::warn("opening the lake's new generation for the HTTP API: {}", status.ToString());
    std::lock_guard<std::mutex> lock(mu_);
    opening_ = false;
  });
}

Result<SessionPool::Lease> SessionPool::Acquire() {
  ASSIGN_OR_RETURN(const int64_t generation, Generation());
  bool serving = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    serving = serving_ != nullptr;
  }
  if (!serving) RETURN_NOT_OK(Prepare());  // nothing to answer from yet
  std::shared_ptr<query::LakeDatabase> database;
  {
    std::unique_lock<std::mutex> lock(mu_);
    // The new generation opens off this request's path; under this same lock the request takes a
    // session of the generation served now (unless it must wait for one to come back, meanwhile the
    // switch may happen).
    if (serving_->generation() < generation) OpenInBackground();
    const bool free = returned_.wait_for(lock, lake_.options().timeout, [&] {
      return !idle_.empty() || open_ < max_sessions_;
    });
    if (!free) {
      return Status::Transient("all " + std::to_string(max_sessions_) +
                               " query sessions stayed busy; try again (or raise --max-sessions)");
    }
    if (!idle_.empty()) {
      auto session = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(session), serving_->generation());
    }
    ++open_;
    database = serving_;
  }
  auto session = database->Connect();
  if (!session.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    returned_.notify_one();
    return session.status();
  }
  return Lease(this, std::move(*session), database->generation());
}

void SessionPool::Return(std::unique_ptr<query::LakeSession> session, int64_t generation) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (serving_ && generation == serving_->generation()) {
      idle_.push_back(std::move(session));
    } else {
      --open_;  // stale: closed below, outside the lock
    }
  }
  returned_.notify_one();
}

}  // namespace custlake::serve
