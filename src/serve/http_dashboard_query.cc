#include "serve/http_dashboard_query.h"

#include <regex>

#include "serve/dashboard_sql.h"

namespace custlake::serve {

Result<Params> ParseFilters(const httplib::Request& req) {
  Params params;
  for (const char* name : {"segment", "region", "plan", "from", "to"}) {
    std::string value = req.has_param(name) ? req.get_param_value(name) : "";
    if (value.empty()) {
      params.emplace_back(std::nullopt);
      continue;
    }
    static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
    if ((std::string(name) == "from" || std::string(name) == "to") && !std::regex_match(value, kDate)) {
      return Status::InvalidArgument(std::string("filter '") + name + "=" + value +
                                     "' is not a date: give it as YYYY-MM-DD");
    }
    params.emplace_back(std::move(value));
  }
  return params;
}

bool DashboardRun::has_marts() const {
  return session_->HasView("mart_dashboard_months") && session_->HasView("mart_dashboard_cohorts") &&
         session_->HasView("mart_dashboard_customers");
}

Result<engine::QueryResult> DashboardRun::Query(const std::string& name, const Params& params,
                                                const std::map<std::string, std::string>& literals) {
  const std::string from_facts = name + "_from_facts";
  const bool use_facts = !has_marts() && DashboardSqlFiles().count(from_facts);
  ASSIGN_OR_RETURN(std::string sql, DashboardSqlFor(use_facts ? from_facts : name, params, literals));
  auto result = session_->RunWithParams(sql, params);
  if (!result.ok()) return result.status().WithContext("dashboard query " + name);
  return result;
}

nlohmann::json DashboardRun::Missing() const {
  nlohmann::json missing = nlohmann::json::array();
  if (!has_churn()) missing.push_back({{"what", "churn"}, {"run", "custlake churn train && custlake churn score"}});
  if (!has_clv()) missing.push_back({{"what", "clv"}, {"run", "custlake clv fit"}});
  return missing;
}

namespace {

/// `build(run)`'s answer on a session of the current lake generation (the reply's generation).
CachedReply Compute(ApiContext& ctx, const std::function<Result<nlohmann::json>(DashboardRun&)>& build,
                    bool needs_warehouse) {
  auto error = [](const Status& status) { return CachedReply{ErrorHttpStatus(status), {{"error", status.message()}}}; };
  auto session = ctx.dashboard.Acquire();
  if (!session.ok()) return error(session.status());
  DashboardRun run(std::move(*session));
  if (!run.warehouse_version() && needs_warehouse) {
    return {503,
            {{"error", "no warehouse version is published yet: run `custlake build` first"},
             {"missing", {{{"what", "warehouse"}, {"run", "custlake build"}}}}}};
  }
  auto body = build(run);
  if (!body.ok()) return error(body.status());
  (*body)["warehouse_version"] = run.warehouse_version() ? nlohmann::json(*run.warehouse_version()) : nullptr;
  return {200, std::move(*body), run.generation()};
}

}  // namespace

CachedReply AnswerDashboard(ApiContext& ctx, const std::string& key,
                            const std::function<Result<nlohmann::json>(DashboardRun&)>& build, bool needs_warehouse) {
  // The generation the pool answers from now (while a new one opens, the previous one: its answers may
  // come from the cache); an answer is kept under the generation it was computed on.
  auto generation = ctx.dashboard.ServingGeneration();
  if (!generation.ok()) return {ErrorHttpStatus(generation.status()), {{"error", generation.status().message()}}};
  return ctx.cache.GetOrCompute(*generation, key, [&] { return Compute(ctx, build, needs_warehouse); });
}

void ReplyDashboard(ApiContext& ctx, httplib::Response& res, const std::string& key,
                    const std::function<Result<nlohmann::json>(DashboardRun&)>& build, bool needs_warehouse) {
  const CachedReply reply = AnswerDashboard(ctx, key, build, needs_warehouse);
  ReplyJson(res, reply.status, reply.body);
}

nlohmann::json ObjectRows(const engine::QueryResult& result) {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t row = 0; row < result.rows.size(); row++) {
    nlohmann::json object = nlohmann::json::object();
    for (const std::string& column : result.columns) object[column] = Cell(result, row, column);
    rows.push_back(std::move(object));
  }
  return rows;
}

}  // namespace custlake::serve
