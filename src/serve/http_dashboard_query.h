// Running the dashboard's SQL for a request: the filters from the query
// string as bound parameters, a pooled session of the current lake
// generation, the answer cached per generation (and computed once for
// identical requests in flight), and the list of analytics that have not run
// yet ("missing").
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "serve/http_api.h"

namespace custlake::serve {

using Params = std::vector<std::optional<std::string>>;

/// segment, region, plan, from, to from the query string ($1..$5; empty or
/// absent = NULL); a 400 error naming a malformed date.
Result<Params> ParseFilters(const httplib::Request& req);

/// One request's view of the dashboard session it holds.
class DashboardRun {
 public:
  explicit DashboardRun(SessionPool::Lease session) : session_(std::move(session)) {}
  /// Runs the dashboard file `name` with `params` and `literals` (DashboardSql);
  /// NAME_from_facts instead when the warehouse version predates the dashboard's marts.
  Result<engine::QueryResult> Query(const std::string& name, const Params& params,
                                    const std::map<std::string, std::string>& literals = {});
  /// Whether the warehouse has the three mart_dashboard_* tables.
  bool has_marts() const;
  bool has_churn() const { return session_->HasView("raw.churn_scores"); }
  bool has_clv() const { return session_->HasView("raw.clv_scores"); }
  std::optional<int64_t> warehouse_version() const { return session_->warehouse_version(); }
  int64_t generation() const { return session_.generation(); }
  query::LakeSession* session() const { return session_.get(); }
  /// [{"what": "churn", "run": "..."}, ...] for the scores not published yet.
  nlohmann::json Missing() const;

 private:
  SessionPool::Lease session_;
};

/// `build(run)`'s JSON, or the cached answer for `key` in the current lake
/// generation (identical requests while it is computed wait for that one
/// answer: ResponseCache::GetOrCompute); 503 when no warehouse is published
/// yet (unless the answer does not need one).
CachedReply AnswerDashboard(ApiContext& ctx, const std::string& key,
                            const std::function<Result<nlohmann::json>(DashboardRun&)>& build,
                            bool needs_warehouse = true);

/// Sends AnswerDashboard's reply.
void ReplyDashboard(ApiContext& ctx, httplib::Response& res, const std::string& key,
                    const std::function<Result<nlohmann::json>(DashboardRun&)>& build,
                    bool needs_warehouse = true);

/// GET /api/dashboard's body (kpis, the five series, missing) from the dashboard's SQL files.
Result<nlohmann::json> DashboardFromSql(DashboardRun& run, const Params& filters);
/// GET /api/at-risk's body (rows, missing) from at_risk.sql; `params` the filters and the limit ($6).
Result<nlohmann::json> AtRiskFromSql(DashboardRun& run, const Params& params);
/// Builds the in-memory index of the generation the dashboard's pool serves
/// (DashboardIndex) unless tried already; logs why when it cannot.
void BuildDashboardIndex(ApiContext& ctx);

/// The rows as [{column: value}], values as ResultJson gives them.
nlohmann::json ObjectRows(const engine::QueryResult& result);

}  // namespace custlake::serve
