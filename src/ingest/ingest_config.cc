#include "ingest/ingest_config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <filesystem>

namespace custlake::ingest {

namespace fs = std::filesystem;

Status SourceConfig::Validate() const {
  if (path.empty()) return Status::ConfigError(fmt::format("ingest.{}.path is required", name));
  if (format != "ndjson" && format != "json" && format != "csv") {
    return Status::ConfigError(fmt::format("ingest.{}.format must be ndjson, json or csv, got \"{}\"", name, format));
  }
  if (unknown_fields != "keep" && unknown_fields != "drop") {
    return Status::ConfigError(fmt::format("ingest.{}.unknown_fields must be keep or drop", name));
  }
  if (min_age_seconds < 0) return Status::ConfigError(fmt::format("ingest.{}.min_age_seconds must be >= 0", name));
  return Status::OK();
}

namespace {
std::string Resolve(const std::string& p, const std::string& base) {
  if (p.empty()) return p;
  fs::path path(p);
  if (path.is_absolute() || base.empty()) return path.lexically_normal().string();
  return (fs::path(base) / path).lexically_normal().string();
}
}  // namespace

Result<IngestConfig> ParseIngestConfig(TomlSection& section, const std::string& base_dir) {
  IngestConfig config;
  ASSIGN_OR_RETURN(auto names, section.TableKeys());
  ASSIGN_OR_RETURN(auto settings, section.Section("settings"));
  RETURN_NOT_OK(settings.Get("batch_bytes", &config.batch_bytes));
  RETURN_NOT_OK(settings.Get("batch_memory_bytes", &config.batch_memory_bytes));
  RETURN_NOT_OK(settings.Get("max_record_bytes", &config.max_record_bytes));
  RETURN_NOT_OK(settings.Get("max_depth", &config.max_depth));
  RETURN_NOT_OK(settings.Get("poll_seconds", &config.poll_seconds));
  RETURN_NOT_OK(settings.Get("dedup_memory_bytes", &config.dedup_memory_bytes));
  RETURN_NOT_OK(settings.Get("watch_queue_files", &config.watch_queue_files));
  RETURN_NOT_OK(settings.Get("watch_queue_bytes", &config.watch_queue_bytes));
  RETURN_NOT_OK(settings.Get("parse_threads", &config.parse_threads));
  RETURN_NOT_OK(settings.Finish());
  TomlSection& section_for_errors = settings;
  if (config.batch_bytes < (1 << 20)) return section_for_errors.Invalid("batch_bytes", "must be at least 1048576 (1 MiB)");
  if (config.batch_memory_bytes < (1 << 20)) {
    return section_for_errors.Invalid("batch_memory_bytes", "must be at least 1048576 (1 MiB)");
  }
  if (config.max_record_bytes < 1024 || config.max_record_bytes > (1LL << 30)) {
    return section_for_errors.Invalid("max_record_bytes", "must be between 1024 and 1073741824");
  }
  if (config.max_depth < 2 || config.max_depth > 1024) return section_for_errors.Invalid("max_depth", "must be between 2 and 1024");
  if (config.poll_seconds <= 0) return section_for_errors.Invalid("poll_seconds", "must be > 0");
  if (config.dedup_memory_bytes < (1 << 20)) {
    return section_for_errors.Invalid("dedup_memory_bytes", "must be at least 1048576 (1 MiB)");
  }
  if (config.watch_queue_files < 1) return section_for_errors.Invalid("watch_queue_files", "must be at least 1");
  if (config.watch_queue_bytes < 1) return section_for_errors.Invalid("watch_queue_bytes", "must be at least 1");
  if (config.parse_threads < 0 || config.parse_threads > 256) {
    return section_for_errors.Invalid("parse_threads", "must be between 0 (the hardware threads) and 256");
  }
  for (const auto& name : names) {
    if (name == "settings") continue;
    ASSIGN_OR_RETURN(auto sub, section.Section(name));
    SourceConfig s;
    s.name = name;
    RETURN_NOT_OK(sub.Get("path", &s.path, /*required=*/true));
    s.path = Resolve(s.path, base_dir);
    RETURN_NOT_OK(sub.Get("pattern", &s.pattern));
    RETURN_NOT_OK(sub.Get("format", &s.format));
    if (s.format != "ndjson" && s.format != "json" && s.format != "csv") {
      return sub.Invalid("format", fmt::format("must be ndjson, json or csv, got \"{}\"", s.format));
    }
    s.dataset = name;
    RETURN_NOT_OK(sub.Get("dataset", &s.dataset));
    RETURN_NOT_OK(sub.Get("key", &s.key));
    RETURN_NOT_OK(sub.Get("required", &s.required));
    RETURN_NOT_OK(sub.Get("partition_field", &s.partition_field));
    RETURN_NOT_OK(sub.Get("schema", &s.schema_file));
    s.schema_file = Resolve(s.schema_file, base_dir);
    RETURN_NOT_OK(sub.Get("unknown_fields", &s.unknown_fields));
    if (s.unknown_fields != "keep" && s.unknown_fields != "drop") {
      return sub.Invalid("unknown_fields", "must be \"keep\" or \"drop\"");
    }
    RETURN_NOT_OK(sub.Get("min_age_seconds", &s.min_age_seconds));
    if (s.min_age_seconds < 0) return sub.Invalid("min_age_seconds", "must be >= 0");
    std::string after = "keep";
    RETURN_NOT_OK(sub.Get("after", &after));
    if (after == "keep") {
      s.after = AfterIngest::kKeep;
    } else if (after == "archive") {
      s.after = AfterIngest::kArchive;
    } else if (after == "delete") {
      s.after = AfterIngest::kDelete;
    } else {
      return sub.Invalid("after", "must be keep, archive or delete");
    }
    std::string delim = ",";
    RETURN_NOT_OK(sub.Get("csv_delimiter", &delim));
    if (delim.size() != 1 || delim[0] == '"' || delim[0] == '\n') {
      return sub.Invalid("csv_delimiter", "must be one character (not a quote or a newline)");
    }
    s.csv_delimiter = delim[0];
    RETURN_NOT_OK(sub.Finish());
    config.sources[name] = std::move(s);
  }
  return config;
}

Result<IngestConfig> LoadIngestConfig(const std::string& toml_file) {
  toml::table doc;
  try {
    doc = toml::parse_file(toml_file);
  } catch (const toml::parse_error& e) {
    return Status::ConfigError(fmt::format("{}:{}: {}", toml_file, e.source().begin.line, e.description()));
  }
  const toml::table* ingest = doc["ingest"].as_table();
  if (ingest == nullptr) return IngestConfig{};
  TomlSection section(ingest, "ingest", fs::path(toml_file).filename().string());
  return ParseIngestConfig(section, fs::path(toml_file).parent_path().string());
}

}  // namespace custlake::ingest
