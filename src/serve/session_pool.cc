#include "serve/session_pool.h"

#include "lake/layout.h"
#include "warehouse/publisher.h"

namespace custlake::serve {

SessionPool::SessionPool(std::string lake_root, query::SandboxOptions options, int max_sessions)
    : lake_root_(std::move(lake_root)), options_(std::move(options)), max_sessions_(max_sessions) {}

SessionPool::Lease::~Lease() {
  if (session_) pool_->Return(std::move(session_), generation_);
}

Status SessionPool::OpenMetastore() {
  if (metastore_) return Status::OK();
  lake::MetastoreOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(metastore_, lake::Metastore::Open(lake::Layout(lake_root_).MetastorePath(), read_only));
  return Status::OK();
}

Result<std::optional<int64_t>> SessionPool::WarehouseVersion() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_NOT_OK(OpenMetastore());
  ASSIGN_OR_RETURN(auto current, warehouse::CurrentVersion(metastore_.get(), lake::Layout(lake_root_)));
  if (!current) return std::optional<int64_t>();
  return std::optional<int64_t>(current->version);
}

Result<int64_t> SessionPool::Generation() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_NOT_OK(OpenMetastore());
  ASSIGN_OR_RETURN(auto newest, metastore_->ListBatches(std::nullopt, lake::BatchState::kCommitted, 1));
  return newest.empty() ? int64_t{0} : newest[0].batch_id;
}

Result<SessionPool::Lease> SessionPool::Acquire() {
  ASSIGN_OR_RETURN(const int64_t generation, Generation());
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (generation != generation_) {  // a new build or new scores: the idle sessions are stale
      open_ -= static_cast<int>(idle_.size());
      idle_.clear();
      generation_ = generation;
    }
    const bool free = returned_.wait_for(lock, options_.timeout, [&] {
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
  auto session = query::LakeSession::Open(lake_root_, options_);
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
