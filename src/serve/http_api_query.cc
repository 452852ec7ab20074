// The SQL editor's endpoints: POST /api/query (paged), /api/query/cancel and
// /api/query.csv. The user's SQL runs in a pooled query::LakeSession, the
// sandbox `custlake query` uses, under its row limit and statement timeout.
#include <chrono>

#include "query/result_format.h"
#include "serve/http_api.h"
#include "serve/http_routes.h"

namespace custlake::serve {

namespace {

struct QueryRequest {
  std::string sql;
  int64_t page = 0;
  int64_t page_size = 100;
  std::string query_id;
};

Result<QueryRequest> ParseQueryRequest(const httplib::Request& req) {
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(req));
  QueryRequest q;
  if (!body.contains("sql") || !body["sql"].is_string() || body["sql"].get<std::string>().empty()) {
    return Status::InvalidArgument(req.path + ": give the SQL as {\"sql\": \"SELECT ...\"}");
  }
  q.sql = body["sql"].get<std::string>();
  auto integer = [&](const char* key, int64_t* out, int64_t lo, int64_t hi) -> Status {
    if (!body.contains(key) || body[key].is_null()) return Status::OK();
    if (!body[key].is_number_integer() || body[key].get<int64_t>() < lo || body[key].get<int64_t>() > hi) {
      return Status::InvalidArgument(req.path + ": \"" + key + "\" must be an integer from " + std::to_string(lo) +
                                     " to " + std::to_string(hi));
    }
    *out = body[key].get<int64_t>();
    return Status::OK();
  };
  RETURN_NOT_OK(integer("page", &q.page, 0, int64_t{1} << 40));
  RETURN_NOT_OK(integer("page_size", &q.page_size, 1, 10000));
  if (body.contains("query_id") && body["query_id"].is_string()) q.query_id = body["query_id"].get<std::string>();
  return q;
}

/// Runs `sql` on a pooled session, registered under `query_id` (when given)
/// so a cancel can reach it. A cancelled query is a Cancelled status whose
/// message says so (409 to the client, apart from the timeout's 408).
Result<engine::QueryResult> RunUserQuery(ApiContext& ctx, const std::string& sql, const std::string& query_id,
                                         std::optional<int64_t>* version, bool* cancelled) {
  ASSIGN_OR_RETURN(SessionPool::Lease session, ctx.queries.Acquire());
  *version = session->warehouse_version();
  if (!query_id.empty()) ctx.running.Add(query_id, session.get());
  Result<engine::QueryResult> result = session->Run(sql);
  *cancelled = !query_id.empty() && ctx.running.Remove(query_id);
  return result;
}

void ReplyQueryError(httplib::Response& res, const std::string& sql, const Status& status, bool cancelled) {
  if (cancelled) {
    ReplyJson(res, 409, {{"error", "cancelled"}});
    return;
  }
  ReplyError(res, status);
  if (res.status != 400 && res.status != 403) return;
  std::string message = status.message();
  std::optional<int64_t> position = ErrorPosition(sql, message);
  const size_t line = message.find("\n\nLINE ");
  if (line != std::string::npos) message.resize(line);
  ReplyJson(res, res.status, {{"error", message}, {"position", position ? nlohmann::json(*position) : nlohmann::json()}});
}

void HandleQuery(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto request = ParseQueryRequest(req);
  if (!request.ok()) return ReplyError(res, request.status());
  const auto start = std::chrono::steady_clock::now();
  std::optional<int64_t> version;
  bool cancelled = false;
  auto result = RunUserQuery(ctx, request->sql, request->query_id, &version, &cancelled);
  if (!result.ok()) return ReplyQueryError(res, request->sql, result.status(), cancelled);
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const size_t begin = static_cast<size_t>(request->page * request->page_size);
  nlohmann::json body = ResultJson(*result, begin, begin + static_cast<size_t>(request->page_size));
  body["page"] = request->page;
  body["page_size"] = request->page_size;
  body["total_rows"] = result->rows.size();
  body["truncated"] = result->truncated;
  body["row_limit"] = ctx.options.sandbox.max_rows;
  body["elapsed_ms"] = elapsed_ms;
  body["warehouse_version"] = version ? nlohmann::json(*version) : nlohmann::json();
  ReplyJson(res, 200, body);
}

void HandleCancel(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ReplyError(res, body.status());
  if (!body->contains("query_id") || !(*body)["query_id"].is_string()) {
    return ReplyError(res, Status::InvalidArgument(req.path + ": give {\"query_id\": \"...\"} of a running query"));
  }
  ReplyJson(res, 200, {{"cancelled", ctx.running.Cancel((*body)["query_id"].get<std::string>())}});
}

void HandleCsv(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto request = ParseQueryRequest(req);
  if (!request.ok()) return ReplyError(res, request.status());
  std::optional<int64_t> version;
  bool cancelled = false;
  auto result = RunUserQuery(ctx, request->sql, request->query_id, &version, &cancelled);
  if (!result.ok()) return ReplyQueryError(res, request->sql, result.status(), cancelled);
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"query.csv\"");
  res.set_header("Cache-Control", "no-store");
  if (result->truncated) res.set_header("X-Custlake-Truncated", "true");
  res.set_content(query::FormatCsv(*result), "text/csv; charset=utf-8");
}

}  // namespace

void RegisterQueryApi(httplib::Server& server, ApiContext& ctx) {
  server.Post("/api/query", [&ctx](const httplib::Request& req, httplib::Response& res) { HandleQuery(ctx, req, res); });
  server.Post("/api/query/cancel",
              [&ctx](const httplib::Request& req, httplib::Response& res) { HandleCancel(ctx, req, res); });
  server.Post("/api/query.csv", [&ctx](const httplib::Request& req, httplib::Response& res) { HandleCsv(ctx, req, res); });
}

}  // namespace custlake::serve
