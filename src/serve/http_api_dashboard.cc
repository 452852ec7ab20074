// The dashboard's endpoints: GET /api/filters, /api/dashboard, /api/at-risk,
// /api/drilldown and /api/influencers. Their SQL is src/serve/dashboard/*.sql;
// the filters are bound parameters; answers are cached per lake generation, and
// the default (unfiltered) ones computed ahead by WarmDashboard.
#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

#include "serve/dashboard_index.h"

#include "serve/http_batch_sources.h"
#include "serve/http_dashboard_query.h"
#include "serve/http_routes.h"

namespace custlake::serve {

namespace {

/// "segment=a&..." as a cache key: the endpoint and its bound values.
std::string CacheKey(const std::string& endpoint, const Params& params) {
  std::string key = endpoint;
  for (const auto& p : params) key += p ? "\x1f" + *p : "\x1e";
  return key;
}

Result<nlohmann::json> Filters(DashboardRun& run) {
  ASSIGN_OR_RETURN(auto values, run.Query("filter_values", {}));
  nlohmann::json body = {{"segments", nlohmann::json::array()},
                         {"regions", nlohmann::json::array()},
                         {"plans", nlohmann::json::array()}};
  for (const auto& row : values.rows) body[row[0] + "s"].push_back(row[1]);
  ASSIGN_OR_RETURN(auto dates, run.Query("filter_dates", {}));
  body["date_min"] = Cell(dates, 0, "date_min");
  body["date_max"] = Cell(dates, 0, "date_max");
  return body;
}

/// The dashboard's answer from the generation's in-memory index when the warm-up thread has built it
/// (DashboardIndex: the same numbers in a few ms), else from its SQL.
Result<nlohmann::json> Dashboard(ApiContext& ctx, DashboardRun& run, const Params& filters) {
  if (auto index = ctx.dashboard_index.Get(run.generation())) {
    if (auto body = index->Answer(filters, run.has_clv(), run.has_churn())) {
      (*body)["missing"] = run.Missing();
      return std::move(*body);
    }
  }
  return DashboardFromSql(run, filters);
}

/// The reasons of a scored row as a list (reason_1..3, those present).
nlohmann::json Reasons(const engine::QueryResult& result, size_t row) {
  nlohmann::json reasons = nlohmann::json::array();
  for (const char* column : {"reason_1", "reason_2", "reason_3"}) {
    nlohmann::json reason = Cell(result, row, column);
    if (reason.is_string() && !reason.get<std::string>().empty()) reasons.push_back(reason);
  }
  return reasons;
}

/// The at-risk list from the generation's in-memory index when built (DashboardIndex::AtRisk), else its SQL.
Result<nlohmann::json> AtRisk(ApiContext& ctx, DashboardRun& run, const Params& params) {
  if (auto index = ctx.dashboard_index.Get(run.generation())) {
    const Params filters(params.begin(), params.begin() + 5);
    if (auto body = index->AtRisk(filters, std::stoll(*params[5]))) {
      (*body)["missing"] = run.Missing();
      return std::move(*body);
    }
  }
  return AtRiskFromSql(run, params);
}

const std::set<std::string>& DrilldownMetrics() {
  static const std::set<std::string> kMetrics{"active_customers", "monthly_churn_rate", "revenue", "avg_clv",
                                              "value_at_risk"};
  return kMetrics;
}

Result<nlohmann::json> Drilldown(const std::string& lake_root, DashboardRun& run, const std::string& metric,
                                 const Params& filters) {
  ASSIGN_OR_RETURN(auto result, run.Query("drilldown_" + metric, filters));
  nlohmann::json body = ResultJson(result);
  RETURN_NOT_OK(FillBatchSources(lake_root, body));
  body["truncated"] = result.truncated;
  body["missing"] = run.Missing();
  return body;
}

/// "customers on a monthly contract are 3.1× as likely to churn".
std::string InfluencerText(const std::string& feature, const std::string& value, double ratio) {
  std::string who = feature == "contract" ? "customers on a " + value + " contract"
                    : feature == "plan"   ? "customers on the " + value + " plan"
                    : feature == "region" ? "customers in " + value
                                          : value + " customers";
  char times[32];
  std::snprintf(times, sizeof times, "%.1f", ratio);
  return who + " are " + times + "× as likely to churn";
}

Result<nlohmann::json> Influencers(DashboardRun& run) {
  ASSIGN_OR_RETURN(auto result, run.Query("influencers", {}));
  nlohmann::json factors = nlohmann::json::array();
  for (size_t row = 0; row < result.rows.size(); row++) {
    const nlohmann::json ratio = Cell(result, row, "ratio");
    const std::string feature = result.rows[row][0], value = result.rows[row][1];
    factors.push_back({{"feature", feature},
                       {"condition", feature + " = " + value},
                       {"value", value},
                       {"filter", {{feature, value}}},
                       {"ratio", ratio},
                       {"customers", Cell(result, row, "customers")},
                       {"text", ratio.is_number() ? InfluencerText(feature, value, ratio.get<double>())
                                                  : "every churned " + feature + " was " + value}});
  }
  nlohmann::json body = {{"factors", std::move(factors)}, {"missing", run.Missing()}};
  if (run.has_churn()) {
    ASSIGN_OR_RETURN(auto reasons, run.Query("influencer_reasons", {}));
    body["model_reasons"] = ObjectRows(reasons);
  } else {
    body["model_reasons"] = nullptr;
  }
  return body;
}

/// The at-risk list's answer: the filters and its length ($6).
CachedReply AnswerAtRisk(ApiContext& ctx, Params params, const std::string& limit) {
  params.push_back(limit);
  return AnswerDashboard(ctx, CacheKey("at-risk", params), [&](DashboardRun& run) { return AtRisk(ctx, run, params); });
}

CachedReply AnswerDashboardPage(ApiContext& ctx, const Params& filters) {
  return AnswerDashboard(ctx, CacheKey("dashboard", filters),
                         [&](DashboardRun& run) { return Dashboard(ctx, run, filters); });
}

/// The at-risk list's length when the request names none, and the one the dashboard page
/// asks for (web/src/pages/dashboard.ts), which WarmDashboard computes ahead.
constexpr const char* kDefaultAtRiskLimit = "50";
constexpr const char* kPageAtRiskLimit = "25";

}  // namespace

Result<nlohmann::json> DashboardFromSql(DashboardRun& run, const Params& filters) {
  ASSIGN_OR_RETURN(auto kpis, run.Query("kpis", filters));
  nlohmann::json body;
  body["kpis"] = {{"active_customers", Cell(kpis, 0, "active_customers")},
                  {"monthly_churn_rate", Cell(kpis, 0, "monthly_churn_rate")},
                  {"revenue", Cell(kpis, 0, "revenue")},
                  {"avg_clv", run.has_clv() ? Cell(kpis, 0, "avg_clv") : nlohmann::json()},
                  {"value_at_risk",
                   run.has_clv() && run.has_churn() ? Cell(kpis, 0, "value_at_risk") : nlohmann::json()}};
  for (const char* series : {"churn_by_month", "cohort_retention", "usage_trend", "tickets_vs_churn"}) {
    ASSIGN_OR_RETURN(auto rows, run.Query(series, filters));
    body[series] = ObjectRows(rows);
  }
  if (run.has_clv()) {
    ASSIGN_OR_RETURN(auto clv, run.Query("clv_distribution", filters));
    body["clv_distribution"] = ObjectRows(clv);
  } else {
    body["clv_distribution"] = nullptr;
  }
  body["missing"] = run.Missing();
  return body;
}

Result<nlohmann::json> AtRiskFromSql(DashboardRun& run, const Params& params) {
  ASSIGN_OR_RETURN(auto result, run.Query("at_risk", params));
  nlohmann::json rows = nlohmann::json::array();
  for (size_t row = 0; row < result.rows.size(); row++) {
    nlohmann::json out;
    for (const char* column : {"customer_id", "name", "segment", "plan", "p_churn", "clv", "value_at_risk"}) {
      out[column] = Cell(result, row, column);
    }
    out["reasons"] = Reasons(result, row);
    rows.push_back(std::move(out));
  }
  return nlohmann::json{{"rows", std::move(rows)}, {"missing", run.Missing()}};
}

void BuildDashboardIndex(ApiContext& ctx) {
  auto session = ctx.dashboard.Acquire();
  if (!session.ok()) return spdlog::warn("building the dashboard's index: {}", session.status().ToString());
  DashboardRun run(std::move(*session));
  if (ctx.dashboard_index.Tried(run.generation())) return;
  if (!run.warehouse_version() || !run.has_marts()) return ctx.dashboard_index.Put(run.generation(), nullptr);
  const auto start = std::chrono::steady_clock::now();
  auto index = DashboardIndex::Build(*run.session());
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!index.ok()) {
    spdlog::info("the dashboard's SQL answers generation {} (no in-memory index: {})", run.generation(),
                 index.status().ToString());
    return ctx.dashboard_index.Put(run.generation(), nullptr);
  }
  spdlog::info("dashboard index of generation {}: {} customers, {} spans, {} mart rows, {:.1f} MiB, built in {:.0f} ms",
               run.generation(), (*index)->customers(), (*index)->spans(), (*index)->mart_rows(),
               static_cast<double>((*index)->MemoryBytes()) / (1 << 20), ms);
  ctx.dashboard_index.Put(run.generation(), std::move(*index));
}

void WarmDashboard(ApiContext& ctx) {
  const Params unfiltered(5);
  // The filters first (the page's first call; two small statements), then the index, from which the
  // dashboard and the at-risk list are answered, then the influencers (SQL).
  const CachedReply filters = AnswerDashboard(ctx, "filters", Filters);
  BuildDashboardIndex(ctx);
  for (const CachedReply& reply :
       {filters, AnswerDashboardPage(ctx, unfiltered), AnswerAtRisk(ctx, unfiltered, kPageAtRiskLimit),
        AnswerDashboard(ctx, "influencers", Influencers)}) {
    if (reply.status != 200 && reply.status != 503) {
      spdlog::warn("computing the dashboard's default answers: HTTP {}: {}", reply.status, reply.body.dump());
    }
  }
}

void RegisterDashboardApi(httplib::Server& server, ApiContext& ctx) {
  server.Get("/api/filters", [&ctx](const httplib::Request&, httplib::Response& res) {
    ReplyDashboard(ctx, res, "filters", Filters);
  });
  server.Get("/api/dashboard", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto filters = ParseFilters(req);
    if (!filters.ok()) return ReplyError(res, filters.status());
    const CachedReply reply = AnswerDashboardPage(ctx, *filters);
    ReplyJson(res, reply.status, reply.body);
  });
  server.Get("/api/at-risk", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto params = ParseFilters(req);
    if (!params.ok()) return ReplyError(res, params.status());
    const std::string limit = req.has_param("limit") ? req.get_param_value("limit") : kDefaultAtRiskLimit;
    if (limit.empty() || limit.size() > 4 || limit.find_first_not_of("0123456789") != std::string::npos) {
      return ReplyError(res, Status::InvalidArgument("limit=" + limit + " must be a whole number up to 9999"));
    }
    const CachedReply reply = AnswerAtRisk(ctx, *params, limit);
    ReplyJson(res, reply.status, reply.body);
  });
  server.Get("/api/drilldown", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string metric = req.get_param_value("metric");
    if (!DrilldownMetrics().count(metric)) {
      return ReplyError(res, Status::InvalidArgument("metric='" + metric + "' is not a KPI: give one of "
                                                     "active_customers, monthly_churn_rate, revenue, avg_clv, "
                                                     "value_at_risk"));
    }
    auto filters = ParseFilters(req);
    if (!filters.ok()) return ReplyError(res, filters.status());
    ReplyDashboard(ctx, res, CacheKey("drilldown:" + metric, *filters),
                   [&](DashboardRun& run) { return Drilldown(ctx.options.lake_root, run, metric, *filters); });
  });
  server.Get("/api/influencers", [&ctx](const httplib::Request&, httplib::Response& res) {
    ReplyDashboard(ctx, res, "influencers", Influencers);
  });
}

}  // namespace custlake::serve
