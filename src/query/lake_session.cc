#include "query/lake_session.h"

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "lake/layout.h"
#include "lake/metastore.h"
#include "warehouse/publisher.h"
#include "warehouse/segments.h"

namespace custlake::query {
namespace fs = std::filesystem;
using engine::QuoteIdent;
using engine::QuoteLiteral;

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

LakeSession::LakeSession(std::unique_ptr<engine::Database> db, std::unique_ptr<engine::Session> session,
                         SandboxOptions options, std::vector<ViewInfo> views,
                         std::optional<int64_t> warehouse_version)
    : db_(std::move(db)),
      session_(std::move(session)),
      options_(std::move(options)),
      views_(std::move(views)),
      warehouse_version_(warehouse_version) {}

bool LakeSession::HasView(const std::string& name) const {
  for (const ViewInfo& view : views_) {
    if (view.name == name) return true;
  }
  return false;
}

Result<std::unique_ptr<LakeSession>> LakeSession::Open(const std::string& lake_root, const SandboxOptions& options) {
  std::error_code ec;
  fs::path root = fs::canonical(lake_root, ec);
  if (ec) return Status::NotFound("no lake at " + lake_root + ": run 'custlake init' first");
  lake::Layout layout(root.string());
  // Readers never write the metastore (nor migrate it): a reader of an older
  // lake's schema fails with a clear message instead of changing the file.
  lake::MetastoreOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(auto metastore, lake::Metastore::Open(layout.MetastorePath(), read_only));

  engine::DatabaseOptions db_options;
  db_options.threads = options.threads;
  db_options.memory_limit = options.memory_limit;
  db_options.settings["autoinstall_known_extensions"] = "false";
  db_options.settings["autoload_known_extensions"] = "false";
  ASSIGN_OR_RETURN(auto db, engine::Database::Open(db_options));
  ASSIGN_OR_RETURN(auto session, db->Connect());

  RETURN_NOT_OK(session->Execute("CREATE SCHEMA raw"));
  RETURN_NOT_OK(session->Execute("CREATE SCHEMA quarantine"));
  std::vector<ViewInfo> views;
  std::string allowed;  // every file a view reads, for allowed_paths
  ASSIGN_OR_RETURN(auto datasets, metastore->ListDatasets());
  std::set<std::string> raw_names;  // a dataset's own view wins over another's _current
  for (const lake::DatasetInfo& dataset : datasets) {
    if (dataset.id.zone == lake::Zone::kRaw) raw_names.insert(ViewName(dataset.id.name));
  }
  for (const lake::DatasetInfo& dataset : datasets) {
    const bool raw = dataset.id.zone == lake::Zone::kRaw;
    if (!raw && dataset.id.zone != lake::Zone::kQuarantine) continue;
    ASSIGN_OR_RETURN(auto files, metastore->ListFiles(dataset.id));
    // Quarantine keeps whole unreadable files byte for byte beside its
    // Parquet (files/<checksum>-<name>); the view reads the Parquet rows.
    std::string list;
    int64_t count = 0;
    for (const lake::FileInfo& file : files) {
      if (!raw && !file.path.ends_with(".parquet")) continue;
      std::string path = layout.Absolute(file.path);
      list += (list.empty() ? "" : ", ") + QuoteLiteral(path);
      allowed += (allowed.empty() ? "" : ", ") + QuoteLiteral(path);
      ++count;
    }
    if (count == 0) continue;
    const std::string schema = raw ? "raw" : "quarantine";
    const std::string name = ViewName(dataset.id.name);
    RETURN_NOT_OK(session
                      ->Execute("CREATE VIEW " + schema + "." + QuoteIdent(name) +
                                " AS SELECT * FROM read_parquet([" + list +
                                "], hive_partitioning = true, union_by_name = true)")
                      .WithContext("view over " + dataset.id.ToString()));
    views.push_back(ViewInfo{schema + "." + name, dataset.id.ToString(), count});
    if (!raw) continue;
    const std::string current = name + "_current";
    const std::string body = CurrentStateSelect("raw." + QuoteIdent(name), dataset.schema_json);
    if (!body.empty() && !raw_names.count(current)) {
      RETURN_NOT_OK(session->Execute("CREATE VIEW raw." + QuoteIdent(current) + " AS " + body)
                        .WithContext("current-state view over " + dataset.id.ToString()));
      views.push_back(ViewInfo{"raw." + current, dataset.id.ToString(), count});
    }
  }
  // The current warehouse version (the live .duckdb file of warehouse/versions,
  // switched by one metastore transaction per build): attached read-only as
  // catalog `warehouse`, each table also a view in main, so readers see one
  // whole published build and never a half-built one.
  std::optional<int64_t> warehouse_version;
  {
    ASSIGN_OR_RETURN(auto current, warehouse::CurrentVersion(metastore.get(), layout));
    if (current) {
      warehouse_version = current->version;
      // With the segment files its facts live in (warehouse/segments.h).
      ASSIGN_OR_RETURN(auto files, warehouse::AttachVersion(session.get(), current->path, "warehouse"));
      for (const std::string& file : files) allowed += (allowed.empty() ? "" : ", ") + QuoteLiteral(file);
      ASSIGN_OR_RETURN(auto tables, session->Query("SELECT table_name FROM information_schema.tables WHERE table_catalog = "
                                                   "'warehouse' AND table_schema = 'main' AND NOT starts_with(table_name, '_') "
                                                   "ORDER BY table_name"));
      for (const auto& row : tables.rows) {
        RETURN_NOT_OK(session->Execute("CREATE VIEW main." + QuoteIdent(row[0]) + " AS SELECT * FROM warehouse.main." +
                                       QuoteIdent(row[0])));
        views.push_back(ViewInfo{row[0], "warehouse/" + row[0], 1});
      }
    }
  }
  for (const std::string& sql : options.setup_sql) RETURN_NOT_OK(session->Execute(sql).WithContext("session setup"));
  // Lock down: from here on the session reads the listed files and nothing else.
  if (!allowed.empty()) RETURN_NOT_OK(session->Execute("SET allowed_paths = [" + allowed + "]"));
  // Timestamps read the same on every machine: in UTC, as the lake stores them.
  RETURN_NOT_OK(session->Execute("SET TimeZone = 'UTC'"));
  RETURN_NOT_OK(session->Execute("SET enable_external_access = false"));
  RETURN_NOT_OK(session->Execute("SET lock_configuration = true"));
  return std::unique_ptr<LakeSession>(
      new LakeSession(std::move(db), std::move(session), options, std::move(views), warehouse_version));
}

Result<engine::QueryResult> LakeSession::Run(const std::string& sql) {
  return Watched([&] { return session_->QueryReadOnly(sql, options_.max_rows); });
}

Result<engine::QueryResult> LakeSession::RunWithParams(const std::string& sql,
                                                       const std::vector<std::optional<std::string>>& params) {
  return Watched([&] { return session_->QueryWithParams(sql, params, options_.max_rows); });
}

Result<engine::QueryResult> LakeSession::Watched(const std::function<Result<engine::QueryResult>()>& query) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false, timed_out = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, options_.timeout, [&] { return done; })) {
      timed_out = true;
      session_->Interrupt();
    }
  });
  Result<engine::QueryResult> result = query();
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_one();
  watchdog.join();
  if (timed_out && !result.ok()) {
    return Status::Cancelled("query cancelled after the time limit of " +
                             std::to_string(options_.timeout.count()) + " ms");
  }
  return result;
}

}  // namespace custlake::query
