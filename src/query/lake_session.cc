#include "query/lake_session.h"

#include <nlohmann/json.hpp>

#include "query/lake_database.h"
#include "query/watchdog.h"

namespace custlake::query {
using engine::QuoteIdent;

std::string ViewName(const std::string& dataset_name) {
  std::string out = dataset_name;
  for (char& c : out) {
    if (c == '/' || c == '-' || c == '.') c = '_';
  }
  return out;
}

std::string CurrentStateSelect(const std::string& relation, const std::string& schema_json) {
  auto j = nlohmann::json::parse(schema_json, nullptr, false);
  if (!j.is_object() || j.value("format", "") != "custlake-import/1" ||
      j.value("incremental", "") != "lastmodified") {
    return "";
  }
  const std::string check = j.value("check_column", "");
  if (check.empty() || !j.contains("merge_key") || !j["merge_key"].is_array() || j["merge_key"].empty())
    return "";
  std::string keys;
  for (const auto& k : j["merge_key"]) {
    if (!k.is_string()) return "";
    keys += (keys.empty() ? "" : ", ") + QuoteIdent(k.get<std::string>());
  }
  // (key, check) is unique in such a dataset (the import drops re-read
  // versions it already holds), so the newest version is well defined.
  return "SELECT * FROM " + relation + " QUALIFY row_number() OVER (PARTITION BY " + keys + " ORDER BY " +
         QuoteIdent(check) + " DESC) = 1";
}

LakeSession::LakeSession(std::shared_ptr<const LakeDatabase> database, std::unique_ptr<engine::Session> session)
    : database_(std::move(database)), session_(std::move(session)), options_(database_->options()) {}

const std::vector<ViewInfo>& LakeSession::views() const { return database_->views(); }

std::optional<int64_t> LakeSession::warehouse_version() const { return database_->warehouse_version(); }

bool LakeSession::HasView(const std::string& name) const {
  for (const ViewInfo& view : views()) {
    if (view.name == name) return true;
  }
  return false;
}

Result<std::unique_ptr<LakeSession>> LakeSession::Open(const std::string& lake_root, const SandboxOptions& options) {
  ASSIGN_OR_RETURN(std::shared_ptr<LakeDatabase> database, LakeDatabase::Open(lake_root, options));
  return database->Connect();
}

Result<engine::QueryResult> LakeSession::Run(const std::string& sql) {
  return Watched([&] { return session_->QueryReadOnly(sql, options_.max_rows); });
}

Result<engine::QueryResult> LakeSession::Run(const std::string& sql,
                                             const std::vector<std::optional<std::string>>& params) {
  if (auto answer = AnswerFromMemory(sql, params)) return std::move(*answer);
  return Watched([&] { return session_->QueryReadOnlyWithParams(sql, params, options_.max_rows); });
}

std::optional<engine::QueryResult> LakeSession::AnswerFromMemory(
    const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  KeyLookupCache::Reader read;
  read.run = [&](const std::string& query, int64_t max_rows) {
    return Watched([&] { return session_->QueryReadOnly(query, max_rows); });
  };
  read.stream = [&](const std::string& query, const auto& on_columns, const auto& on_chunk) {
    return Stream(query, on_columns, on_chunk);
  };
  return database_->lookups().Answer(sql, params, options_.max_rows, read);
}

Status LakeSession::Stream(const std::string& sql,
                           const std::function<Status(const engine::QueryResult& shape)>& on_columns,
                           const std::function<Status(const engine::TextChunk& chunk)>& on_chunk) {
  return Watched([&]() -> Result<engine::QueryResult> {
           RETURN_NOT_OK(session_->ForEachTextChunk(sql, on_columns, on_chunk));
           return engine::QueryResult();
         })
      .status();
}

Result<engine::QueryResult> LakeSession::RunWithParams(const std::string& sql,
                                                       const std::vector<std::optional<std::string>>& params) {
  return Watched([&] { return session_->QueryWithParams(sql, params, options_.max_rows); });
}

Result<engine::QueryResult> LakeSession::Watched(const std::function<Result<engine::QueryResult>()>& query) {
  Watchdog& watchdog = Watchdog::Shared();
  const uint64_t alarm =
      watchdog.Arm(Watchdog::Clock::now() + options_.timeout, [session = session_.get()] { session->Interrupt(); });
  Result<engine::QueryResult> result = query();
  const bool timed_out = watchdog.Disarm(alarm);
  if (timed_out && !result.ok()) {
    return Status::Cancelled("query cancelled after the time limit of " +
                             std::to_string(options_.timeout.count()) + " ms");
  }
  return result;
}

}  // namespace custlake::query
