#include "import/import_config.h"

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace custlake::importer {

namespace fs = std::filesystem;

namespace {

// Reads the settings a source and a table share. Keys given are recorded in
// `set` so table settings override source defaults key by key.
Status ReadCommon(TomlSection& s, TableOptions* o, std::map<std::string, bool>* set) {
  auto mark = [&](const char* key) {
    if (s.Has(key)) (*set)[key] = true;
  };
  RETURN_NOT_OK(s.Get("mappers", &o->mappers));
  mark("mappers");
  RETURN_NOT_OK(s.Get("batch_rows", &o->batch_rows));
  mark("batch_rows");
  RETURN_NOT_OK(s.Get("batch_bytes", &o->batch_bytes));
  mark("batch_bytes");
  RETURN_NOT_OK(s.Get("compression", &o->compression));
  mark("compression");
  RETURN_NOT_OK(s.Get("retries", &o->retries));
  mark("retries");
  std::string text;
  if (s.Has("partition")) {
    RETURN_NOT_OK(s.Get("partition", &text));
    auto p = ParsePartitioning(text);
    if (!p.ok()) return s.Invalid("partition", p.status().message());
    o->partitioning = *p;
    mark("partition");
  }
  if (s.Has("on_schema_change")) {
    RETURN_NOT_OK(s.Get("on_schema_change", &text));
    auto p = ParseSchemaChangePolicy(text);
    if (!p.ok()) return s.Invalid("on_schema_change", p.status().message());
    o->on_schema_change = *p;
    mark("on_schema_change");
  }
  return Status::OK();
}

Status ReadTable(TomlSection s, const std::string& table, TableOptions* o, std::map<std::string, bool>* set) {
  o->table = table;
  RETURN_NOT_OK(ReadCommon(s, o, set));
  RETURN_NOT_OK(s.Get("query", &o->query));
  if (!o->query.empty()) o->table.clear();
  RETURN_NOT_OK(s.Get("dataset", &o->dataset));
  RETURN_NOT_OK(s.Get("columns", &o->columns));
  RETURN_NOT_OK(s.Get("where", &o->where));
  std::string text;
  RETURN_NOT_OK(s.Get("incremental", &text));
  auto mode = ParseIncrementalMode(text);
  if (!mode.ok()) return s.Invalid("incremental", mode.status().message());
  o->incremental = *mode;
  RETURN_NOT_OK(s.Get("check_column", &o->check_column));
  RETURN_NOT_OK(s.Get("merge_key", &o->merge_key));
  RETURN_NOT_OK(s.Get("split_by", &o->split_by));
  std::vector<std::string> maps;
  RETURN_NOT_OK(s.Get("map_columns", &maps));
  for (const std::string& m : maps) {
    Status st = ParseMapColumn(m, &o->map_column);
    if (!st.ok()) return s.Invalid("map_columns", st.message());
  }
  if (o->query.empty() && o->dataset.empty()) o->dataset.clear();
  return s.Finish();
}

}  // namespace

TableOptions SourceConfig::OptionsFor(const std::string& table) const {
  auto it = table_settings.find(table);
  TableOptions out = it == table_settings.end() ? defaults : it->second;
  if (it == table_settings.end()) {
    out.table = table;
    return out;
  }
  // Source-level defaults for what the table section left out.
  const auto& set = table_configured;
  auto unset = [&](const char* key) { return !set.count(table + "." + key); };
  if (unset("mappers")) out.mappers = defaults.mappers;
  if (unset("batch_rows")) out.batch_rows = defaults.batch_rows;
  if (unset("batch_bytes")) out.batch_bytes = defaults.batch_bytes;
  if (unset("compression")) out.compression = defaults.compression;
  if (unset("retries")) out.retries = defaults.retries;
  if (unset("partition")) out.partitioning = defaults.partitioning;
  if (unset("on_schema_change")) out.on_schema_change = defaults.on_schema_change;
  return out;
}

const SourceConfig* SourcesConfig::Find(const std::string& name) const {
  for (const SourceConfig& s : sources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Status ReadSourcesSection(TomlSection sources, const fs::path& project_dir, SourcesConfig* out) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, sources.TableKeys());
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(TomlSection s, sources.Section(name));
    SourceConfig src;
    src.name = name;
    RETURN_NOT_OK(s.Get("url", &src.url, /*required=*/true));
    const std::string kSqlite = "sqlite:";
    if (src.url.rfind(kSqlite, 0) == 0 && src.url.rfind("sqlite://", 0) != 0) {
      fs::path p(src.url.substr(kSqlite.size()));
      src.url = kSqlite + (p.is_absolute() ? p : project_dir / p).lexically_normal().string();
    }
    if (src.url.find(':') != std::string::npos) {
      // A password written into the URL is refused: it would end up in logs and in git.
      size_t scheme = src.url.find("://");
      size_t at = src.url.find('@');
      if (scheme != std::string::npos && at != std::string::npos &&
          src.url.substr(scheme + 3, at - scheme - 3).find(':') != std::string::npos) {
        return s.Invalid("url",
                         "must not contain a password; set CUSTLAKE_DB_PASSWORD, or password_env = \"VAR\" "
                         "or password_file = \"PATH\" for this source");
      }
    }
    RETURN_NOT_OK(s.Get("password_env", &src.password_env));
    RETURN_NOT_OK(s.Get("password_file", &src.password_file));
    if (!src.password_file.empty() && fs::path(src.password_file).is_relative()) {
      src.password_file = (project_dir / src.password_file).lexically_normal().string();
    }
    RETURN_NOT_OK(s.Get("timezone", &src.timezone));
    if (src.timezone.empty())
      return s.Invalid("timezone", "must name a time zone, e.g. \"UTC\" or \"Europe/Berlin\"");
    RETURN_NOT_OK(s.Get("tables", &src.tables));
    RETURN_NOT_OK(s.Get("exclude_tables", &src.exclude_tables));
    std::map<std::string, bool> source_set;
    RETURN_NOT_OK(ReadCommon(s, &src.defaults, &source_set));
    ASSIGN_OR_RETURN(TomlSection tables, s.Section("table"));
    ASSIGN_OR_RETURN(std::vector<std::string> table_names, tables.TableKeys());
    for (const std::string& t : table_names) {
      ASSIGN_OR_RETURN(TomlSection ts, tables.Section(t));
      TableOptions o = src.defaults;
      std::map<std::string, bool> set;
      RETURN_NOT_OK(ReadTable(ts, t, &o, &set));
      for (const auto& [k, v] : set) src.table_configured[t + "." + k] = v;
      Status st = o.Validate(ts.Where("") + " [sources." + name + ".table." + t + "]");
      if (!st.ok()) return Status::ConfigError(st.message());
      src.table_settings[t] = std::move(o);
    }
    RETURN_NOT_OK(tables.Finish());
    RETURN_NOT_OK(s.Finish());
    out->sources.push_back(std::move(src));
  }
  return sources.Finish();
}

Result<SourcesConfig> LoadSourcesConfig(const Config& config) {
  SourcesConfig out;
  std::ifstream in(config.file);
  if (!in) return out;  // a config parsed from text (tests): no sources
  std::stringstream text;
  text << in.rdbuf();
  toml::table doc;
  try {
    doc = toml::parse(text.str(), config.file.string());
  } catch (const toml::parse_error& e) {
    return Status::ConfigError(config.file.filename().string() + ":" + std::to_string(e.source().begin.line) + ": " +
                               std::string(e.description()));
  }
  TomlSection root(&doc, "", config.file.filename().string());
  if (!root.Has("sources")) return out;
  ASSIGN_OR_RETURN(TomlSection sources, root.Section("sources"));
  RETURN_NOT_OK(ReadSourcesSection(sources, config.project_dir, &out));
  return out;
}

}  // namespace custlake::importer
