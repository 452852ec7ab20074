// The [sources.NAME] sections of custlake.toml: the databases `custlake
// import` reads and the per-table settings. Format (docs/import.md):
//
//   [sources.sic]
//   url = "sqlite:data/sic.db"     # or mysql://user@host:3306/db, postgres://...
//   tables = ["customers", "transactions"]   # optional; default: every table
//   exclude_tables = ["audit_log"]           # optional
//   timezone = "UTC"                         # optional: zone of naive DATETIME/timestamp values
//   mappers = 1                              # optional defaults for all tables:
//   batch_rows = 500000                      #   mappers, batch_rows, batch_bytes,
//   partition = "ingest_date"                #   partition, on_schema_change, compression
//
//   [sources.sic.table.customers]
//   incremental = "lastmodified"   # or "append"; absent = full import (replace)
//   check_column = "updated_at"
//   merge_key = "customer_id"      # default: the primary key
//   split_by = "customer_id"       # default: the primary key
//   columns = ["customer_id", "email"]   where = "country = 'DE'"
//   query = "SELECT ... WHERE $CONDITIONS"  dataset = "sic/customers_de"
//   map_columns = ["monthly_fee=DECIMAL(12,2)"]
//   on_schema_change = "evolve"    # evolve | fail | allow_all
//
// Passwords never go in the file: CUSTLAKE_DB_PASSWORD, or per source
//   password_env = "SHOP_DB_PASSWORD"    (the variable holding it)
//   password_file = "secrets/shop.pw"    (a file holding it; ?password_file= in the URL also works)
// Relative SQLite paths are relative to the project folder. Plain values.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "common/toml_section.h"
#include "import/options.h"

namespace custlake::importer {

struct SourceConfig {
  std::string name;
  std::string url;
  std::string password_env;      ///< password_env = "SHOP_DB_PASSWORD"
  std::string password_file;     ///< password_file = "secrets/shop.pw" (relative to the project folder)
  std::string timezone = "UTC";  ///< timezone = "Europe/Berlin": the zone of naive source timestamps
  std::vector<std::string> tables;          ///< empty = every table of the database
  std::vector<std::string> exclude_tables;
  TableOptions defaults;                    ///< source-level settings, table and query empty
  std::map<std::string, TableOptions> table_settings;  ///< [sources.NAME.table.T], table filled in
  std::map<std::string, bool> table_configured;        ///< keys that were set explicitly (merge)

  /// The options for `table`: its section over `defaults`.
  TableOptions OptionsFor(const std::string& table) const;
};

struct SourcesConfig {
  std::vector<SourceConfig> sources;
  const SourceConfig* Find(const std::string& name) const;
};

/// Reads the [sources] table (each sub-table a source) and finishes it:
/// unknown keys are errors with file:line. `project_dir` resolves relative
/// SQLite paths. This is what common/config.cc calls for the "sources" key.
Status ReadSourcesSection(TomlSection sources, const std::filesystem::path& project_dir, SourcesConfig* out);

/// Parses the [sources] of `config.file` (custlake.toml) again and reads it.
Result<SourcesConfig> LoadSourcesConfig(const Config& config);

}  // namespace custlake::importer
