#include "query/lake_database.h"

#include <filesystem>
#include <set>

#include "lake/layout.h"
#include "lake/metastore.h"
#include "query/reader_views.h"
#include "warehouse/publisher.h"
#include "warehouse/segments.h"

namespace custlake::query {
namespace fs = std::filesystem;
using engine::QuoteIdent;
using engine::QuoteLiteral;

namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

/// What the views read, gathered for the lockdown's allowed_paths.
struct Allowed {
  std::string list;
  void Add(const std::string& path) { list += (list.empty() ? "" : ", ") + QuoteLiteral(path); }
};

/// raw.<name> and quarantine.<name> over each dataset's committed files (and
/// raw.<name>_current for a lastmodified import).
Status CreateLakeViews(engine::Session* session, lake::Metastore* metastore, const lake::Layout& layout,
                       std::vector<ViewInfo>* views, Allowed* allowed) {
  RETURN_NOT_OK(session->Execute("CREATE SCHEMA raw"));
  RETURN_NOT_OK(session->Execute("CREATE SCHEMA quarantine"));
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
      allowed->Add(path);
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
    views->push_back(ViewInfo{schema + "." + name, dataset.id.ToString(), count});
    if (!raw) continue;
    const std::string current = name + "_current";
    const std::string body = CurrentStateSelect("raw." + QuoteIdent(name), dataset.schema_json);
    if (!body.empty() && !raw_names.count(current)) {
      RETURN_NOT_OK(session->Execute("CREATE VIEW raw." + QuoteIdent(current) + " AS " + body)
                        .WithContext("current-state view over " + dataset.id.ToString()));
      views->push_back(ViewInfo{"raw." + current, dataset.id.ToString(), count});
    }
  }
  return Status::OK();
}

/// The current warehouse version (the live .duckdb file of warehouse/versions,
/// switched by one metastore transaction per build): attached read-only as
/// catalog `warehouse`, each table also a view in main, so readers see one
/// whole published build and never a half-built one. Then the reader views.
Result<std::optional<int64_t>> AttachWarehouse(engine::Session* session, lake::Metastore* metastore,
                                               const lake::Layout& layout, std::vector<ViewInfo>* views,
                                               Allowed* allowed) {
  ASSIGN_OR_RETURN(auto current, warehouse::CurrentVersion(metastore, layout));
  if (!current) return std::optional<int64_t>();
  // With the segment files its facts live in (warehouse/segments.h).
  ASSIGN_OR_RETURN(auto files, warehouse::AttachVersion(session, current->path, "warehouse"));
  for (const std::string& file : files) allowed->Add(file);
  ASSIGN_OR_RETURN(auto tables, session->Query("SELECT table_name FROM information_schema.tables WHERE table_catalog = "
                                               "'warehouse' AND table_schema = 'main' AND NOT starts_with(table_name, '_') "
                                               "ORDER BY table_name"));
  for (const auto& row : tables.rows) {
    RETURN_NOT_OK(session->Execute("CREATE VIEW main." + QuoteIdent(row[0]) + " AS SELECT * FROM warehouse.main." +
                                   QuoteIdent(row[0])));
    views->push_back(ViewInfo{row[0], "warehouse/" + row[0], 1});
  }
  for (const std::string& name : CreateReaderViews(session, current->version)) {
    views->push_back(ViewInfo{name, "view/" + name, 0});
  }
  return std::optional<int64_t>(current->version);
}

/// From here on the database reads the listed files and nothing else. Every
/// setting is global, so it holds for each session connected later.
Status LockDown(engine::Session* session, const Allowed& allowed) {
  if (!allowed.list.empty()) RETURN_NOT_OK(session->Execute("SET GLOBAL allowed_paths = [" + allowed.list + "]"));
  // Timestamps read the same on every machine: in UTC, as the lake stores them.
  RETURN_NOT_OK(session->Execute("SET GLOBAL TimeZone = 'UTC'"));
  RETURN_NOT_OK(session->Execute("SET GLOBAL enable_external_access = false"));
  return session->Execute("SET GLOBAL lock_configuration = true");
}

}  // namespace

Result<std::shared_ptr<LakeDatabase>> LakeDatabase::Open(const std::string& lake_root, const SandboxOptions& options,
                                                         int64_t generation) {
  std::shared_ptr<LakeDatabase> database(new LakeDatabase());
  database->options_ = options;
  database->generation_ = generation;
  engine::DatabaseOptions db_options;
  db_options.threads = options.threads;
  db_options.memory_limit = options.memory_limit;
  db_options.settings["autoinstall_known_extensions"] = "false";
  db_options.settings["autoload_known_extensions"] = "false";
  ASSIGN_OR_RETURN(database->db_, engine::Database::Open(db_options));
  ASSIGN_OR_RETURN(auto setup, database->db_->Connect());
  RETURN_NOT_OK(database->Build(lake_root, setup.get()));
  std::set<std::string> warehouse_tables;  // lower-case: DuckDB's names are case-insensitive
  for (const ViewInfo& view : database->views_) {
    if (view.dataset.starts_with("warehouse/")) warehouse_tables.insert(Lower(view.name));
  }
  // Copies are built off the request path, each in a session of its own on db_ (the cache goes
  // first: lookups_ is declared after db_, so a build is stopped and joined while db_ stands).
  database->lookups_ = std::make_unique<KeyLookupCache>(
      options.lookup_memory_bytes,
      [tables = std::move(warehouse_tables)](const std::string& name) { return tables.count(Lower(name)) > 0; },
      [db = database->db_.get(), path = database->search_path_]() -> Result<std::unique_ptr<engine::Session>> {
        ASSIGN_OR_RETURN(auto session, db->Connect());
        if (!path.empty()) RETURN_NOT_OK(session->Execute("SET search_path = " + QuoteLiteral(path)));
        return session;
      });
  return database;
}

Status LakeDatabase::Build(const std::string& lake_root, engine::Session* setup) {
  std::error_code ec;
  fs::path root = fs::canonical(lake_root, ec);
  if (ec) return Status::NotFound("no lake at " + lake_root + ": run 'custlake init' first");
  lake::Layout layout(root.string());
  // Readers never write the metastore (nor migrate it): a reader of an older
  // lake's schema fails with a clear message instead of changing the file.
  lake::MetastoreOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(auto metastore, lake::Metastore::Open(layout.MetastorePath(), read_only));
  Allowed allowed;
  RETURN_NOT_OK(CreateLakeViews(setup, metastore.get(), layout, &views_, &allowed));
  ASSIGN_OR_RETURN(warehouse_version_, AttachWarehouse(setup, metastore.get(), layout, &views_, &allowed));
  for (const std::string& sql : options_.setup_sql) RETURN_NOT_OK(setup->Execute(sql).WithContext("session setup"));
  // search_path is a connection's own setting: each session is given the one the setup left
  // (read from DuckDB's own table: the setup may define a current_setting() of its own).
  ASSIGN_OR_RETURN(auto path, setup->Query("SELECT value FROM duckdb_settings() WHERE name = 'search_path'"));
  search_path_ = path.Scalar();
  return LockDown(setup, allowed);
}

Result<std::unique_ptr<LakeSession>> LakeDatabase::Connect() {
  ASSIGN_OR_RETURN(auto session, db_->Connect());
  // The lockdown lets search_path (and nothing else) be set still.
  if (!search_path_.empty()) RETURN_NOT_OK(session->Execute("SET search_path = " + QuoteLiteral(search_path_)));
  return std::unique_ptr<LakeSession>(new LakeSession(shared_from_this(), std::move(session)));
}

}  // namespace custlake::query
