// A pool of sandboxed query::LakeSessions for the HTTP API: one session per
// request in flight (a LakeSession serves one thread at a time), at most
// `max_sessions` open. Sessions of one lake generation (the newest committed
// batch: a build that publishes a warehouse version, or new churn/CLV scores,
// makes a new one) share one sandboxed database (query::LakeDatabase), so
// opening a session is a DuckDB connection, not the lake's views made again.
//
// The pool serves one generation's database at a time. When the lake moves
// on, the new generation's database is opened off the request path (by
// Prepare(): the server's warm-up thread calls it, and Acquire() starts it on
// a thread of the pool if no one has), and the pool keeps handing out sessions
// of the generation it serves until that open is done; then it switches, and
// new requests see the new version, while a query in flight finishes on the
// version it started with (retired files stay on disk until a vacuum). Only
// the very first open, with nothing to serve yet, is made on a request's path.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/status.h"
#include "query/lake_database.h"
#include "query/lake_session.h"
#include "query/live_lake.h"

namespace custlake::serve {

class SessionPool {
 public:
  SessionPool(std::string lake_root, query::SandboxOptions options, int max_sessions);
  ~SessionPool();  ///< waits for an open in progress

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

  /// A session over the generation the pool serves (opening the lake's
  /// database first if it serves none yet); when the lake has moved on, starts
  /// opening the new generation's database on a thread of its own and still
  /// answers from the one it serves. Waits for a session to come back when
  /// all are busy (up to the statement timeout, then a Transient error).
  Result<Lease> Acquire();
  /// Opens the database of the lake's newest generation unless the pool serves
  /// it already, then serves it (blocking: the warm-up thread's call, off the
  /// request path). An open of that generation in progress is waited for and
  /// shared, not made twice.
  Status Prepare();
  /// The generation Acquire hands out now: the one served, or the lake's
  /// newest when none is served yet.
  Result<int64_t> ServingGeneration();
  /// The lake's generation: the newest committed batch id (0 for an empty lake).
  Result<int64_t> Generation();
  /// The current warehouse version (the batch that published it), nullopt before any build.
  Result<std::optional<int64_t>> WarehouseVersion();

 private:
  void Return(std::unique_ptr<query::LakeSession> session, int64_t generation);
  /// With mu_ held: starts Prepare() on opener_ unless an open runs already.
  void OpenInBackground();

  query::LiveLake lake_;
  const int max_sessions_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::shared_ptr<query::LakeDatabase> serving_;  ///< the generation handed out; null before the first open
  std::vector<std::unique_ptr<query::LakeSession>> idle_;  ///< all of serving_'s generation
  int open_ = 0;                                           ///< idle + on loan
  bool opening_ = false;                                   ///< opener_ runs Prepare()
  std::thread opener_;
};

}  // namespace custlake::serve
