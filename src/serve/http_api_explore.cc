// The explorer's endpoints: GET /api/customer/<id> (customer 360),
// /api/catalog, /api/table/<schema>.<name> (sample rows and column stats),
// /api/lineage (the model DAG down from the sources) and /api/pipeline (what
// `custlake status` shows: runs, batches, quarantine, checks, freshness).
#include <map>
#include <regex>
#include <set>

#include "serve/http_batch_sources.h"
#include "serve/http_dashboard_query.h"
#include "serve/http_routes.h"
#include "serve/lake_catalog.h"

namespace custlake::serve {

namespace {

/// Fills `_source_file` and `_source_line` of the timeline's usage events and
/// tickets from the raw views, read only in the event_date partitions of
/// those events (their UTC day: the sessions run in UTC, so `date` starts
/// with it).
Status FillSourceLines(DashboardRun& run, const std::string& id, nlohmann::json& timeline) {
  std::map<std::string, std::set<std::string>> days{{"usage", {}}, {"ticket", {}}};
  for (const auto& event : timeline) {
    auto kind = days.find(event["kind"].get<std::string>());
    if (kind != days.end() && event["date"].is_string()) {
      kind->second.insert(event["date"].get<std::string>().substr(0, 10));
    }
  }
  if (days["usage"].empty() && days["ticket"].empty()) return Status::OK();
  std::map<std::string, std::string> literals;
  for (const auto& [kind, set] : days) {
    std::string list;
    for (const std::string& day : set) list += (list.empty() ? "DATE " : ", DATE ") + engine::QuoteLiteral(day);
    literals[kind + "_days"] = list.empty() ? "NULL" : list;
  }
  ASSIGN_OR_RETURN(auto lines, run.Query("customer_source_lines", Params{id}, literals));
  std::map<std::pair<std::string, std::string>, size_t> row_of;
  for (size_t r = 0; r < lines.rows.size(); ++r) row_of[{lines.rows[r][0], lines.rows[r][1]}] = r;
  for (auto& event : timeline) {
    if (!event["_source_key"].is_string()) continue;
    auto it = row_of.find({event["kind"].get<std::string>(), event["_source_key"].get<std::string>()});
    if (it == row_of.end()) continue;
    event["_source_file"] = Cell(lines, it->second, "_source_file");
    event["_source_line"] = Cell(lines, it->second, "_source_line");
  }
  return Status::OK();
}

Result<nlohmann::json> Customer(const std::string& lake_root, DashboardRun& run, const std::string& id) {
  const Params params{id};
  ASSIGN_OR_RETURN(auto versions, run.Query("customer_versions", params));
  if (versions.rows.empty()) {
    return Status::NotFound("no customer " + id + " in dim_customer (of warehouse version " +
                            std::to_string(run.warehouse_version().value_or(0)) + ")");
  }
  nlohmann::json body;
  body["versions"] = ObjectRows(versions);
  body["attributes"] = body["versions"].back();
  // The landing file and line of usage and tickets come from the raw views the demo's staging reads.
  const bool raw_lines = run.session()->HasView("raw.usage") && run.session()->HasView("raw.tickets");
  ASSIGN_OR_RETURN(auto timeline, run.Query("customer_timeline", params));
  body["timeline"] = ObjectRows(timeline);
  if (raw_lines) RETURN_NOT_OK(FillSourceLines(run, id, body["timeline"]));
  RETURN_NOT_OK(FillBatchSources(lake_root, body["timeline"]));
  ASSIGN_OR_RETURN(auto scores, run.Query("customer_scores", params));
  const nlohmann::json p_churn = Cell(scores, 0, "p_churn");
  if (p_churn.is_null()) {
    body["churn"] = nullptr;
  } else {
    nlohmann::json reasons = nlohmann::json::array();
    for (const char* column : {"reason_1", "reason_2", "reason_3"}) {
      if (nlohmann::json r = Cell(scores, 0, column); r.is_string()) reasons.push_back(r);
    }
    body["churn"] = {{"p_churn", p_churn}, {"reasons", reasons}};
  }
  const nlohmann::json p_alive = Cell(scores, 0, "p_alive");
  body["clv"] = p_alive.is_null() ? nlohmann::json()
                                  : nlohmann::json{{"p_alive", p_alive},
                                                   {"clv_12m", Cell(scores, 0, "clv_12m")},
                                                   {"expected_purchases_12m", Cell(scores, 0, "expected_purchases_12m")}};
  body["missing"] = run.Missing();
  return body;
}

}  // namespace

void RegisterExploreApi(httplib::Server& server, ApiContext& ctx) {
  server.Get(R"(/api/customer/([^/]+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    static const std::regex kId(R"(-?\d{1,18})");
    if (!std::regex_match(id, kId)) {
      return ReplyError(res, Status::InvalidArgument("customer id '" + id + "' is not a whole number"));
    }
    ReplyDashboard(ctx, res, "customer:" + id, [&](DashboardRun& run) { return Customer(ctx.options.lake_root, run, id); });
  });
  server.Get("/api/catalog", [&ctx](const httplib::Request&, httplib::Response& res) {
    ReplyDashboard(ctx, res, "catalog", [&](DashboardRun& run) { return Catalog(ctx, run); }, false);
  });
  server.Get(R"(/api/table/([^/]+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    ReplyDashboard(ctx, res, "table:" + name, [&](DashboardRun& run) { return TableDetail(run, name); }, false);
  });
  server.Get("/api/lineage", [&ctx](const httplib::Request&, httplib::Response& res) {
    ReplyDashboard(ctx, res, "lineage", [&](DashboardRun&) { return Lineage(ctx); }, false);
  });
  server.Get("/api/pipeline", [&ctx](const httplib::Request&, httplib::Response& res) {
    ReplyDashboard(ctx, res, "pipeline", [&](DashboardRun& run) { return Pipeline(ctx, run); }, false);
  });
}

}  // namespace custlake::serve
