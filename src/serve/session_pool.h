// A pool of sandboxed query::LakeSessions for the HTTP API: one session per
// request in flight (a LakeSession serves one thread at a time), at most
// `max_sessions` open. Each session is tagged with the lake's generation
// when it opened (the newest committed batch: a build that publishes a
// warehouse version, or new churn/CLV scores, makes a new one); Acquire()
// hands out only sessions of the current generation, so new requests see the
// new version at once, while a query in flight finishes on the version it
// started with (retired files stay on disk until a vacuum). Sessions of one
// generation share one sandboxed database (query::LiveLake), so opening a
// session is a DuckDB connection, not the lake's views made again.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "common/status.h"
#include "query/lake_session.h"
#include "query/live_lake.h"

namespace custlake::serve {

class SessionPool {
 public:
  SessionPool(std::string lake_root, query::SandboxOptions options, int max_sessions);

  /// A session on loan; goes back to the pool (or is closed, if stale) when destroyed.
  class Lease {
   public:
    Lease(SessionPool* pool, std::unique_ptr<query::LakeSession> session, int64_t generation)
        : pool_(pool), session_(std::move(session)), generation_(generation) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    query::LakeSession* operator->() const { return session_.get(); }
    query::LakeSession* get() const { return session_.get(); }
    int64_t generation() const { return generation_; }

   private:
    SessionPool* pool_;
    std::unique_ptr<query::LakeSession> session_;
    int64_t generation_;
  };

  /// A session over the lake as it is now; waits for one to come back when
  /// all are busy (up to the statement timeout, then a Transient error).
  Result<Lease> Acquire();
  /// The lake's generation: the newest committed batch id (0 for an empty lake).
  Result<int64_t> Generation();
  /// The current warehouse version (the batch that published it), nullopt before any build.
  Result<std::optional<int64_t>> WarehouseVersion();

 private:
  void Return(std::unique_ptr<query::LakeSession> session, int64_t generation);

  query::LiveLake lake_;
  const int max_sessions_;
  std::mutex mu_;
  std::condition_variable returned_;
  int64_t generation_ = -1;                     ///< of the idle sessions
  std::vector<std::unique_ptr<query::LakeSession>> idle_;
  int open_ = 0;  ///< idle + on loan
};

}  // namespace custlake::serve
