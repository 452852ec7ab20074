// What the HTTP API's handlers share: the options, the session pools, the
// registry of running queries (for cancel), the dashboard cache, and the
// helpers that turn results and errors into JSON replies.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"
#include "engine/engine.h"
#include "serve/dashboard_index.h"
#include "serve/http_auth.h"
#include "serve/http_options.h"
#include "serve/session_pool.h"
#include "warehouse/model.h"

namespace custlake::serve {

/// Queries running for the SQL editor by the client's query_id, so
/// POST /api/query/cancel can interrupt one (from another request's thread).
class RunningQueries {
 public:
  /// Registers `id`; false when a query of that id is running already.
  bool Add(const std::string& id, query::LakeSession* session);
  /// Removes `id`; true when it was cancelled while it ran.
  bool Remove(const std::string& id);
  /// Interrupts the query `id`; false when no such query runs.
  bool Cancel(const std::string& id);

 private:
  struct Entry {
    query::LakeSession* session;
    bool cancelled = false;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

/// One dashboard answer: its HTTP status, its JSON body, and the lake generation
/// it was computed on (-1: none, e.g. an error before a session was had).
struct CachedReply {
  int status = 200;
  nlohmann::json body;
  int64_t generation = -1;
};

/// Results of trusted (dashboard) queries by (lake generation, endpoint, parameters):
/// a generation never changes, so a cached answer stays true for it. Bounded:
/// cleared whole when it grows past `max_entries` or the generation moves on.
/// Identical requests that miss it while one of them computes the answer wait
/// for that one's answer instead of computing it again (single-flight).
class ResponseCache {
 public:
  /// The cached answer for `key` in `generation`, else `compute()`'s, computed
  /// once for all the callers asking for (generation, key) while it runs; a
  /// 200 answer is kept (under the generation it was computed on), others
  /// (errors, 503 before a build) go to the callers waiting only.
  CachedReply GetOrCompute(int64_t generation, const std::string& key, const std::function<CachedReply()>& compute);
  /// Callers waiting now for an answer another caller computes (tests and logs).
  size_t Waiting();

 private:
  void Put(int64_t generation, const std::string& key, const nlohmann::json& value);
  /// An answer being computed: its reply once `done`, for the callers waiting on it.
  struct Flight {
    bool done = false;
    CachedReply reply;
  };
  static constexpr size_t kMaxEntries = 512;
  std::mutex mu_;
  std::condition_variable landed_;
  int64_t generation_ = -1;
  std::map<std::string, nlohmann::json> entries_;
  std::map<std::pair<int64_t, std::string>, std::shared_ptr<Flight>> flights_;
  size_t waiting_ = 0;
};

struct ApiContext {
  explicit ApiContext(HttpOptions opts);
  /// The warehouse's models (built-in, with the project's), loaded once.
  Result<const std::vector<warehouse::Model>*> Models();

  HttpOptions options;
  SessionPool queries;    ///< the SQL editor's sessions: exactly the sandbox `custlake query` has
  SessionPool dashboard;  ///< trusted dashboard SQL; missing score datasets read as empty views
  RunningQueries running;
  ResponseCache cache;
  DashboardIndexes dashboard_index;  ///< the served generation's dashboard numbers in memory
  WebAuth auth;

 private:
  std::mutex models_mu_;
  std::optional<std::vector<warehouse::Model>> models_;
};

/// Sends `body` as JSON with HTTP status `status`.
void ReplyJson(httplib::Response& res, int status, const nlohmann::json& body);
/// The HTTP status that fits a Status's kind (and its message's: a sandbox
/// refusal is 403, a timeout 408); ReplyError sends it.
int ErrorHttpStatus(const Status& status);
/// {"error": message} with the HTTP status that fits the Status's kind (and
/// the message's: a sandbox refusal is 403, a timeout 408).
void ReplyError(httplib::Response& res, const Status& status);
/// The request's JSON body as an object, or a 400 error naming what is wrong.
Result<nlohmann::json> ParseJsonBody(const httplib::Request& req);

/// {"columns": [{"name", "type"}], "rows": [[...]]}, values exact (DECIMAL and
/// integers beyond 2^53 as strings), rows [begin, end) of the result.
nlohmann::json ResultJson(const engine::QueryResult& result, size_t begin = 0, size_t end = SIZE_MAX);
/// The value of row `row`, column `name` as JSON (null when absent or NULL).
nlohmann::json Cell(const engine::QueryResult& result, size_t row, const std::string& name);

/// The character offset in `sql` of the error DuckDB points at ("LINE n:" and a caret), if any.
std::optional<int64_t> ErrorPosition(const std::string& sql, const std::string& message);

}  // namespace custlake::serve
