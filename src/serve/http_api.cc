#include "serve/http_api.h"

#include <cmath>

#include "query/result_format.h"
#include "serve/dashboard_sql.h"
#include "serve/pg_auth_method.h"
#include "warehouse/model_loader.h"

namespace custlake::serve {

namespace {

bool Contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

constexpr int64_t kMaxExactInDouble = int64_t{1} << 53;

/// A value as JSON a browser reads exactly: JsonValue's exact numbers, and
/// integers past 2^53 (which JavaScript would round) as strings.
nlohmann::json WebValue(const engine::QueryResult& r, size_t row, size_t col) {
  if (r.nulls[row][col]) return nullptr;
  nlohmann::json v = query::JsonValue(r.rows[row][col], r.kinds[col], r.types[col]);
  if (v.is_number_integer()) {
    const bool big = v.is_number_unsigned() ? v.get<uint64_t>() > static_cast<uint64_t>(kMaxExactInDouble)
                                            : std::llabs(v.get<int64_t>()) > kMaxExactInDouble;
    if (big) return r.rows[row][col];
  }
  if (v.is_number_float() && !std::isfinite(v.get<double>())) return r.rows[row][col];
  return v;
}

}  // namespace

bool RunningQueries::Add(const std::string& id, query::LakeSession* session) {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.emplace(id, Entry{session, false}).second;
}

bool RunningQueries::Remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  const bool cancelled = it->second.cancelled;
  entries_.erase(it);
  return cancelled;
}

bool RunningQueries::Cancel(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  it->second.cancelled = true;
  it->second.session->Interrupt();  // under the lock: the session cannot go back to the pool meanwhile
  return true;
}

void ResponseCache::Put(int64_t generation, const std::string& key, const nlohmann::json& value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (generation < generation_) return;  // an answer from a version already replaced
  if (generation != generation_ || entries_.size() >= kMaxEntries) entries_.clear();
  generation_ = generation;
  entries_[key] = value;
}

CachedReply ResponseCache::GetOrCompute(int64_t generation, const std::string& key,
                                        const std::function<CachedReply()>& compute) {
  std::shared_ptr<Flight> flight;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (generation == generation_) {
      if (auto it = entries_.find(key); it != entries_.end()) return {200, it->second, generation};
    }
    auto [it, first] = flights_.try_emplace({generation, key}, nullptr);
    if (!first) {  // another caller computes it: wait for its answer
      flight = it->second;
      waiting_++;
      landed_.wait(lock, [&] { return flight->done; });
      waiting_--;
      return flight->reply;
    }
    flight = it->second = std::make_shared<Flight>();
  }
  CachedReply reply;
  try {
    reply = compute();
  } catch (...) {  // the waiting callers must not wait forever; the caller's handler reports it
    std::lock_guard<std::mutex> lock(mu_);
    flight->reply = {500, {{"error", "internal error while computing " + key}}, -1};
    flight->done = true;
    flights_.erase({generation, key});
    landed_.notify_all();
    throw;
  }
  if (reply.status == 200 && reply.generation >= 0) Put(reply.generation, key, reply.body);
  std::lock_guard<std::mutex> lock(mu_);
  flight->reply = reply;
  flight->done = true;
  flights_.erase({generation, key});
  landed_.notify_all();
  return reply;
}

size_t ResponseCache::Waiting() {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_;
}

ApiContext::ApiContext(HttpOptions opts)
    : options(std::move(opts)),
      queries(options.lake_root, options.sandbox, options.max_sessions),
      dashboard(options.lake_root, DashboardSandbox(options.sandbox), options.max_sessions),
      auth(options.lake_root, !IsLoopbackHost(options.host)) {}

Result<const std::vector<warehouse::Model>*> ApiContext::Models() {
  std::lock_guard<std::mutex> lock(models_mu_);
  if (!models_) {
    ASSIGN_OR_RETURN(warehouse::ProjectModels loaded, warehouse::LoadProjectModels(options.models_dir));
    models_ = std::move(loaded.models);
  }
  return &*models_;
}

void ReplyJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

int ErrorHttpStatus(const Status& status) {
  const std::string& m = status.message();
  int code = 500;
  if (status.code() == StatusCode::kCancelled) {
    code = 408;
  } else if (Contains(m, "not a query") || Contains(m, "Permission Error") || Contains(m, "disabled by configuration")) {
    code = 403;
  } else if (status.code() == StatusCode::kNotFound) {
    code = 404;
  } else if (status.transient()) {
    code = 503;
  } else if (status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kSourceError) {
    code = 400;
  }
  return code;
}

void ReplyError(httplib::Response& res, const Status& status) {
  ReplyJson(res, ErrorHttpStatus(status), {{"error", status.message()}});
}

Result<nlohmann::json> ParseJsonBody(const httplib::Request& req) {
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Status::InvalidArgument(req.path + ": the request body must be a JSON object (Content-Type: application/json)");
  }
  return body;
}

nlohmann::json ResultJson(const engine::QueryResult& result, size_t begin, size_t end) {
  nlohmann::json columns = nlohmann::json::array();
  for (size_t c = 0; c < result.columns.size(); c++) {
    columns.push_back({{"name", result.columns[c]}, {"type", result.types[c]}});
  }
  nlohmann::json rows = nlohmann::json::array();
  for (size_t row = begin; row < std::min(end, result.rows.size()); row++) {
    nlohmann::json values = nlohmann::json::array();
    for (size_t c = 0; c < result.columns.size(); c++) values.push_back(WebValue(result, row, c));
    rows.push_back(std::move(values));
  }
  return {{"columns", std::move(columns)}, {"rows", std::move(rows)}};
}

nlohmann::json Cell(const engine::QueryResult& result, size_t row, const std::string& name) {
  for (size_t c = 0; c < result.columns.size(); c++) {
    if (result.columns[c] == name && row < result.rows.size()) return WebValue(result, row, c);
  }
  return nullptr;
}

std::optional<int64_t> ErrorPosition(const std::string& sql, const std::string& message) {
  // DuckDB ends an error with "LINE n: <the line, maybe cut to ...>" and a caret line below it.
  const size_t at = message.rfind("\nLINE ");
  if (at == std::string::npos) return std::nullopt;
  const size_t colon = message.find(": ", at);
  const size_t eol = message.find('\n', at + 1);
  if (colon == std::string::npos || eol == std::string::npos || colon > eol) return std::nullopt;
  const size_t caret = message.find('^', eol);
  if (caret == std::string::npos) return std::nullopt;
  const int64_t line = std::atoll(message.c_str() + at + 6);
  const int64_t column = static_cast<int64_t>(caret - (eol + 1)) - static_cast<int64_t>(colon + 2 - (at + 1));
  std::string shown = message.substr(colon + 2, eol - colon - 2);
  int64_t skipped = 0;
  if (shown.starts_with("...")) {
    shown = shown.substr(3);
    skipped = 3;
  }
  if (shown.ends_with("...")) shown.resize(shown.size() - 3);
  size_t line_start = 0;
  for (int64_t n = 1; n < line && line_start != std::string::npos; n++) {
    line_start = sql.find('\n', line_start);
    if (line_start != std::string::npos) ++line_start;
  }
  if (line_start == std::string::npos || line < 1 || column < skipped) return std::nullopt;
  const size_t found = sql.find(shown.substr(0, std::min<size_t>(shown.size(), 40)), line_start);
  const size_t base = found == std::string::npos ? line_start : found;
  return static_cast<int64_t>(base) + column - skipped;
}

}  // namespace custlake::serve
