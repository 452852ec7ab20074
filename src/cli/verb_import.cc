// custlake import / import-all-tables: relational import (Sqoop's job).
//
//   custlake import sic                         every configured table of [sources.sic]
//   custlake import sic --table customers       one table, config settings + flags
//   custlake import --connect URL --table T [--incremental append --check-column C] [-m N] ...
//   custlake import --connect URL --query 'SELECT ... WHERE $CONDITIONS' --target-dataset shop/x --split-by id
//   custlake import-all-tables --connect URL [--exclude-tables a,b]   (also: import --all-tables)
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/cli.h"
#include "db/connection.h"
#include "import/importer.h"

namespace custlake::cli {

namespace {

struct ImportFlags {
  std::string source;        // config source name (positional)
  std::string connect;       // ad hoc URL
  std::string source_name;   // dataset prefix for ad hoc URLs
  std::string password_env;  // variable holding the password (--password-env)
  std::string password_file;  // file holding the password (--password-file)
  std::string timezone;       // zone of naive source timestamps (--timezone)
  std::vector<std::string> tables;
  bool all_tables = false;
  std::vector<std::string> exclude;
  std::vector<std::string> columns;
  std::string where, query, dataset, incremental, check_column, merge_key, split_by, on_schema_change, partition;
  int mappers = 0;
  int64_t batch_rows = 0;
  int64_t batch_bytes = 0;
  std::vector<std::string> map_columns;
};

// The name a URL's datasets go under when none is given: the database name
// (or the SQLite file's stem).
std::string DefaultSourceName(const db::DatabaseUrl& url) {
  std::string name = url.database;
  if (url.kind == db::DatabaseUrl::Kind::kSqlite) name = std::filesystem::path(name).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  }
  return name.empty() ? "source" : name;
}

// Applies the flags given on the command line over `o`.
Status ApplyFlags(const ImportFlags& f, importer::TableOptions* o) {
  if (!f.columns.empty()) o->columns = f.columns;
  if (!f.where.empty()) o->where = f.where;
  if (!f.dataset.empty()) o->dataset = f.dataset;
  if (!f.incremental.empty()) {
    ASSIGN_OR_RETURN(o->incremental, importer::ParseIncrementalMode(f.incremental));
  }
  if (!f.check_column.empty()) o->check_column = f.check_column;
  if (!f.merge_key.empty()) o->merge_key = f.merge_key;
  if (!f.split_by.empty()) o->split_by = f.split_by;
  if (f.mappers > 0) o->mappers = f.mappers;
  if (f.batch_rows > 0) o->batch_rows = f.batch_rows;
  if (f.batch_bytes > 0) o->batch_bytes = f.batch_bytes;
  if (!f.on_schema_change.empty()) {
    ASSIGN_OR_RETURN(o->on_schema_change, importer::ParseSchemaChangePolicy(f.on_schema_change));
  }
  if (!f.partition.empty()) {
    ASSIGN_OR_RETURN(o->partitioning, importer::ParsePartitioning(f.partition));
  }
  for (const std::string& m : f.map_columns) RETURN_NOT_OK(importer::ParseMapColumn(m, &o->map_column));
  return Status::OK();
}

VerbResult RunImport(const GlobalOptions& global, const ImportFlags& f) {
  if (f.source.empty() && f.connect.empty()) {
    return Status::InvalidArgument(
        "say what to import: a source configured in custlake.toml (custlake import NAME) or --connect URL");
  }
  if (!f.source.empty() && !f.connect.empty()) {
    return Status::InvalidArgument("name a configured source (custlake import NAME) or give --connect URL, not both");
  }
  if (!f.query.empty() && (f.all_tables || !f.tables.empty())) {
    return Status::InvalidArgument("--query imports one query; drop --table/--all-tables");
  }
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(importer::SourcesConfig sources, importer::LoadSourcesConfig(config));
  importer::SourceConfig source;
  if (!f.source.empty()) {
    const importer::SourceConfig* found = sources.Find(f.source);
    if (found == nullptr) {
      return Status::ConfigError("no [sources." + f.source + "] in " + config.file.string() +
                                 "; add it (see docs/import.md) or use --connect URL");
    }
    source = *found;
  } else {
    ASSIGN_OR_RETURN(db::DatabaseUrl url, db::DatabaseUrl::Parse(f.connect));
    if (!url.password.empty()) {
      return Status::InvalidArgument(
          "a password on the command line ends up in shell history and process lists: "
          "remove it from --connect and set CUSTLAKE_DB_PASSWORD, or name a variable "
          "with --password-env VAR or a file with --password-file PATH");
    }
    source.name = f.source_name.empty() ? DefaultSourceName(url) : f.source_name;
    source.url = f.connect;
  }
  if (!f.exclude.empty()) source.exclude_tables = f.exclude;
  if (!f.password_env.empty()) source.password_env = f.password_env;
  if (!f.password_file.empty()) source.password_file = f.password_file;
  if (!f.timezone.empty()) source.timezone = f.timezone;
  importer::RunOptions run;
  run.progress = !global.quiet && !global.json;
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Init(config.lake_root.string()));
  ASSIGN_OR_RETURN(int64_t run_id, lake->BeginRun("import", {source.name}));
  run.run_id = run_id;

  auto body = [&]() -> VerbResult {
    // Which tables: --query, --table..., --all-tables, or the source's configured list.
    std::vector<importer::TableOptions> jobs;
    importer::SourceSpec spec{source.name, source.url, source.password_env, source.password_file,
                              source.timezone};
    if (!f.query.empty()) {
      importer::TableOptions o = source.defaults;
      o.query = f.query;
      RETURN_NOT_OK(ApplyFlags(f, &o));
      jobs.push_back(o);
    } else {
      std::vector<std::string> tables = f.tables;
      if (tables.empty() && (f.all_tables || source.tables.empty())) {
        ASSIGN_OR_RETURN(tables, importer::ListSourceTables(spec, source.exclude_tables));
      } else if (tables.empty()) {
        tables = source.tables;
      }
      for (const std::string& t : tables) {
        importer::TableOptions o = source.OptionsFor(t);
        RETURN_NOT_OK(ApplyFlags(f, &o));
        jobs.push_back(o);
      }
    }
    nlohmann::json out{{"verb", "import"}, {"source", source.name}, {"tables", nlohmann::json::array()}};
    int64_t rows = 0, bytes = 0, batches = 0;
    double seconds = 0;
    for (const importer::TableOptions& o : jobs) {
      ASSIGN_OR_RETURN(importer::TableSummary s, importer::ImportTable(lake.get(), spec, o, run));
      if (s.batches == 0) {
        PrintResult(global,
                    fmt::format("{}: no new rows since cursor {}; nothing committed", s.dataset, s.cursor));
      } else {
        PrintResult(global,
                    fmt::format("{}: {} rows, {} files, {} bytes in {} s{}", s.dataset, s.rows, s.files,
                                s.bytes, s.seconds, s.cursor.empty() ? "" : ", cursor " + s.cursor));
      }
      for (const std::string& w : s.warnings) spdlog::warn("warning: {}", w);
      rows += s.rows;
      bytes += s.bytes;
      batches += s.batches;
      seconds += s.seconds;
      out["tables"].push_back(s.ToJson());
    }
    out["rows"] = rows;
    out["bytes"] = bytes;
    out["batches"] = batches;
    out["seconds"] = seconds;
    out["rows_per_second"] = seconds > 0 ? rows / seconds : 0;
    return out;
  };
  VerbResult result = body();
  (void)lake->EndRun(run_id, result.ok() ? Status::OK() : result.status(), result.ok() ? result->dump() : "{}");
  return result;
}

void AddFlags(CLI::App* cmd, ImportFlags* f) {
  cmd->add_option("source", f->source, "A source configured as [sources.NAME] in custlake.toml");
  cmd->add_option("--connect", f->connect, "Ad hoc source URL (sqlite:PATH, mysql://user@host/db, postgres://...)");
  cmd->add_option("--source-name", f->source_name, "Dataset prefix for --connect (default: the database name)");
  cmd->add_option("--password-env", f->password_env,
                  "Environment variable holding the password (default CUSTLAKE_DB_PASSWORD)");
  cmd->add_option("--password-file", f->password_file,
                  "File holding the password (like Sqoop's --password-file)");
  cmd->add_option("--timezone", f->timezone,
                  "Time zone of the source's naive DATETIME/timestamp values (IANA name; default UTC)");
  cmd->add_option("--exclude-tables", f->exclude, "Tables to skip with --all-tables")->delimiter(',');
  cmd->add_option("--columns", f->columns, "Columns to import (comma-separated)")->delimiter(',');
  cmd->add_option("--where", f->where, "Extra filter, in the source's SQL");
  cmd->add_option("--target-dataset", f->dataset, "Dataset name (default <source>/<table>)");
  cmd->add_option("--incremental", f->incremental, "append or lastmodified");
  cmd->add_option("--check-column", f->check_column, "Column whose growth marks new rows (incremental)");
  cmd->add_option("--merge-key", f->merge_key, "Key of lastmodified rows (default: the primary key)");
  cmd->add_option("--split-by", f->split_by, "Column to split on with -m (default: the primary key)");
  cmd->add_option("-m,--num-mappers", f->mappers, "Parallel splits");
  cmd->add_option("--batch-rows", f->batch_rows, "Rows per Parquet part (bounded memory)");
  cmd->add_option("--batch-bytes", f->batch_bytes,
                  "Bytes of source values per Parquet part (bounded memory)");
  cmd->add_option("--map-column", f->map_columns, "COLUMN=TYPE override (repeatable)");
  cmd->add_option("--on-schema-change", f->on_schema_change, "evolve (default), fail or allow_all");
  cmd->add_option("--partition", f->partition, "ingest_date (default) or none");
}

}  // namespace

VerbResult RunImportSource(const GlobalOptions& global, const std::string& source) {
  ImportFlags flags;
  flags.source = source;
  return RunImport(global, flags);
}

void RegisterImport(CLI::App& app, VerbFn* run) {
  auto f = std::make_shared<ImportFlags>();
  CLI::App* cmd = app.add_subcommand("import", "Import tables or a query from a database into the lake (Sqoop's job)");
  AddFlags(cmd, f.get());
  cmd->add_option("--table", f->tables, "Table to import (repeatable; default: the source's configured tables)");
  cmd->add_option("--query", f->query, "Free-form SELECT containing $CONDITIONS (needs --target-dataset)");
  cmd->add_flag("--all-tables", f->all_tables, "Every table of the database (minus --exclude-tables)");
  cmd->callback([run, f] { *run = [f](const GlobalOptions& g) { return RunImport(g, *f); }; });

  auto g = std::make_shared<ImportFlags>();
  CLI::App* all = app.add_subcommand("import-all-tables", "Import every table of a database (Sqoop's import-all-tables)");
  AddFlags(all, g.get());
  all->callback([run, g] {
    g->all_tables = true;
    *run = [g](const GlobalOptions& gl) { return RunImport(gl, *g); };
  });
}

}  // namespace custlake::cli
