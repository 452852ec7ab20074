#include "import/options.h"

#include "import/type_mapping.h"

namespace custlake::importer {

const char* IncrementalModeName(IncrementalMode mode) {
  switch (mode) {
    case IncrementalMode::kNone: return "none";
    case IncrementalMode::kAppend: return "append";
    case IncrementalMode::kLastModified: return "lastmodified";
  }
  return "none";
}

Result<IncrementalMode> ParseIncrementalMode(const std::string& text) {
  if (text.empty() || text == "none") return IncrementalMode::kNone;
  if (text == "append") return IncrementalMode::kAppend;
  if (text == "lastmodified") return IncrementalMode::kLastModified;
  return Status::InvalidArgument("incremental mode must be append or lastmodified, got '" + text + "'");
}

const char* SchemaChangePolicyName(SchemaChangePolicy policy) {
  switch (policy) {
    case SchemaChangePolicy::kEvolve: return "evolve";
    case SchemaChangePolicy::kFail: return "fail";
    case SchemaChangePolicy::kAllowAll: return "allow_all";
  }
  return "evolve";
}

Result<SchemaChangePolicy> ParseSchemaChangePolicy(const std::string& text) {
  if (text.empty() || text == "evolve") return SchemaChangePolicy::kEvolve;
  if (text == "fail") return SchemaChangePolicy::kFail;
  if (text == "allow_all") return SchemaChangePolicy::kAllowAll;
  return Status::InvalidArgument("on_schema_change must be evolve, fail or allow_all, got '" + text + "'");
}

Result<Partitioning> ParsePartitioning(const std::string& text) {
  if (text.empty() || text == "ingest_date") return Partitioning::kIngestDate;
  if (text == "none") return Partitioning::kNone;
  return Status::InvalidArgument("partition must be ingest_date or none, got '" + text + "'");
}

Status TableOptions::Validate(const std::string& origin) const {
  auto bad = [&](const std::string& what) { return Status::InvalidArgument(origin + ": " + what); };
  if (table.empty() == query.empty()) return bad("give exactly one of a table and a query");
  if (!query.empty()) {
    if (query.find("$CONDITIONS") == std::string::npos) {
      return bad("the query must contain $CONDITIONS (custlake puts the split and incremental filters there), "
                 "e.g. SELECT ... FROM t WHERE $CONDITIONS");
    }
    if (!columns.empty() || !where.empty()) return bad("--columns and --where go with --table, not --query");
    if (dataset.empty()) return bad("a query import needs a dataset name (--target-dataset / dataset = ...)");
  }
  if (incremental != IncrementalMode::kNone && check_column.empty()) {
    return bad(std::string("--incremental ") + IncrementalModeName(incremental) + " needs --check-column");
  }
  if (incremental == IncrementalMode::kNone && !check_column.empty()) {
    return bad("--check-column needs --incremental append or lastmodified");
  }
  if (!merge_key.empty() && incremental != IncrementalMode::kLastModified) {
    return bad("--merge-key goes with --incremental lastmodified");
  }
  if (mappers < 1 || mappers > 64) return bad("-m must be between 1 and 64");
  if (mappers > 1 && split_by.empty() && !query.empty()) return bad("-m > 1 with --query needs --split-by");
  if (batch_rows < 1000) return bad("batch_rows must be at least 1000");
  if (batch_bytes < (1 << 20)) return bad("batch_bytes must be at least 1048576 (1 MiB)");
  if (retries < 0) return bad("retries must be >= 0");
  if (compression != "zstd" && compression != "snappy" && compression != "gzip" && compression != "uncompressed") {
    return bad("compression must be zstd, snappy, gzip or uncompressed");
  }
  for (const auto& [column, type] : map_column) {
    auto parsed = ParseTargetType(type);
    if (!parsed.ok()) return bad("--map-column " + column + ": " + parsed.status().message());
  }
  return Status::OK();
}

Status ParseMapColumn(const std::string& text, std::map<std::string, std::string>* out) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    return Status::InvalidArgument("--map-column wants COLUMN=TYPE, got '" + text + "'");
  }
  ASSIGN_OR_RETURN(std::string type, ParseTargetType(text.substr(eq + 1)));
  (*out)[text.substr(0, eq)] = type;
  return Status::OK();
}

}  // namespace custlake::importer
