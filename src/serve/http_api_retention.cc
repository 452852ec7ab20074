// GET /api/retention: the retention plan `custlake retention plan` publishes
// (raw.retention_plan_summary and raw.retention_plan, docs/serve.md), its
// summary and the best `limit` customers. Until the plan exists the answer
// says what to run (never an error), like the churn and CLV scores do.
#include "serve/http_dashboard_query.h"
#include "serve/http_routes.h"

namespace custlake::serve {

namespace {

constexpr const char* kRunPlan = "custlake retention train && custlake retention plan --budget 10%";

Result<nlohmann::json> Retention(DashboardRun& run, const std::string& limit) {
  nlohmann::json body = {{"summary", nullptr}, {"rows", nlohmann::json::array()}};
  if (!run.session()->HasView("raw.retention_plan") ||
      !run.session()->HasView("raw.retention_plan_summary")) {
    body["missing"] = {{{"what", "retention"}, {"run", kRunPlan}}};
    return body;
  }
  ASSIGN_OR_RETURN(auto summary, run.Query("retention_summary", {}));
  if (!summary.rows.empty()) body["summary"] = ObjectRows(summary).front();
  ASSIGN_OR_RETURN(auto rows, run.Query("retention_plan", {limit}));
  body["rows"] = ObjectRows(rows);
  body["missing"] = nlohmann::json::array();
  return body;
}

}  // namespace

void RegisterRetentionApi(httplib::Server& server, ApiContext& ctx) {
  server.Get("/api/retention", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string limit = req.has_param("limit") ? req.get_param_value("limit") : "50";
    if (limit.empty() || limit.size() > 4 || limit.find_first_not_of("0123456789") != std::string::npos) {
      return ReplyError(res,
                        Status::InvalidArgument("limit=" + limit + " must be a whole number up to 9999"));
    }
    ReplyDashboard(ctx, res, "retention:" + limit, [&](DashboardRun& run) { return Retention(run, limit); });
  });
}

}  // namespace custlake::serve
