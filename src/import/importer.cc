// ImportAll / ImportSource: every configured table of a source.
#include "import/importer.h"

#include <algorithm>
#include <chrono>

#include "db/connection.h"
#include "import/source_sql.h"

namespace custlake::importer {

Result<db::DatabaseUrl> SourceSpec::Url() const {
  ASSIGN_OR_RETURN(db::DatabaseUrl parsed, db::DatabaseUrl::Parse(url));
  parsed.password_env = password_env;
  if (!password_file.empty()) parsed.params["password_file"] = password_file;
  return parsed;
}

Result<std::vector<std::string>> ListSourceTables(const SourceSpec& source, const std::vector<std::string>& exclude) {
  ASSIGN_OR_RETURN(db::DatabaseUrl url, source.Url());
  ASSIGN_OR_RETURN(auto conn, db::Connection::Open(url, db::Access::kReadOnly));
  ASSIGN_OR_RETURN(auto tables, ListTables(conn.get()));
  std::vector<std::string> out;
  for (const std::string& t : tables) {
    if (std::find(exclude.begin(), exclude.end(), t) == exclude.end()) out.push_back(t);
  }
  return out;
}

Result<nlohmann::json> ImportSource(lake::Lake* lake, const SourceConfig& source, const TableOptions& defaults,
                                    const RunOptions& run) {
  const auto start = std::chrono::steady_clock::now();
  SourceSpec spec{source.name, source.url, source.password_env, source.password_file, source.timezone};
  std::vector<std::string> tables = source.tables;
  if (tables.empty()) {
    ASSIGN_OR_RETURN(tables, ListSourceTables(spec, source.exclude_tables));
  } else {
    std::erase_if(tables, [&](const std::string& t) {
      return std::find(source.exclude_tables.begin(), source.exclude_tables.end(), t) != source.exclude_tables.end();
    });
  }
  nlohmann::json out{{"verb", "import"}, {"source", source.name}, {"tables", nlohmann::json::array()}};
  int64_t rows = 0, bytes = 0, batches = 0;
  for (const std::string& table : tables) {
    TableOptions options = source.OptionsFor(table);
    // Command-line/demo defaults fill what neither section set.
    if (options.mappers == 1 && defaults.mappers > 1) options.mappers = defaults.mappers;
    ASSIGN_OR_RETURN(db::DatabaseUrl url, spec.Url());
    auto summary = ImportTable(lake, spec, options, run);
    if (!summary.ok()) return summary.status().WithContext("importing source " + source.name + " (" + url.Masked() + ")");
    rows += summary->rows;
    bytes += summary->bytes;
    batches += summary->batches;
    out["tables"].push_back(summary->ToJson());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out["rows"] = rows;
  out["bytes"] = bytes;
  out["batches"] = batches;
  out["seconds"] = seconds;
  out["rows_per_second"] = seconds > 0 ? rows / seconds : 0;
  return out;
}

Result<nlohmann::json> ImportAll(const Config& config, const std::string& source_name, const TableOptions& defaults,
                                 const RunOptions& run) {
  ASSIGN_OR_RETURN(SourcesConfig sources, LoadSourcesConfig(config));
  const SourceConfig* source = sources.Find(source_name);
  SourceConfig fallback;
  if (source == nullptr) {
    if (source_name != "sic" || config.generate.database.empty()) {
      return Status::ConfigError("no [sources." + source_name + "] in " + config.file.string() +
                                 ": add one with url = \"...\" (see docs/import.md)");
    }
    // The demo's operational database, when no source is configured for it.
    fallback.name = "sic";
    fallback.url = config.generate.database;
    fallback.tables = {"customers", "transactions", "offers", "offer_assignments"};
    TableOptions customers;
    customers.table = "customers";
    customers.incremental = IncrementalMode::kLastModified;
    customers.check_column = "updated_at";
    customers.merge_key = "customer_id";
    fallback.table_settings["customers"] = customers;
    TableOptions transactions;
    transactions.table = "transactions";
    transactions.incremental = IncrementalMode::kAppend;
    transactions.check_column = "transaction_id";
    fallback.table_settings["transactions"] = transactions;
    source = &fallback;
  }
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Init(config.lake_root.string()));
  return ImportSource(lake.get(), *source, defaults, run);
}

}  // namespace custlake::importer
