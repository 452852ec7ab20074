#include "serve/http_batch_sources.h"

#include <map>
#include <optional>

#include "lake/lake.h"

namespace custlake::serve {

namespace {

struct BatchSource {
  nlohmann::json source;  ///< "sqlite:/…/sic.db", "/…/landing/usage (ndjson)"
  nlohmann::json table;   ///< "transactions", or null for files
};

std::optional<size_t> ColumnIndex(const nlohmann::json& columns, const char* name) {
  for (size_t i = 0; i < columns.size(); i++) {
    if (columns[i].is_object() && columns[i].value("name", "") == name) return i;
  }
  return std::nullopt;
}

BatchSource ParseLineage(const std::string& lineage_json) {
  const nlohmann::json j = nlohmann::json::parse(lineage_json, nullptr, false);
  BatchSource out{nullptr, nullptr};
  if (!j.is_object() || !j.contains("source") || !j["source"].is_string()) return out;
  std::string source = j["source"].get<std::string>();
  if (j.contains("format") && j["format"].is_string()) source += " (" + j["format"].get<std::string>() + ")";
  out.source = source;
  if (j.contains("table") && j["table"].is_string()) out.table = j["table"];
  return out;
}

}  // namespace

Status FillBatchSources(const std::string& lake_root, nlohmann::json& body) {
  if (!body.contains("columns") || !body.contains("rows")) return Status::OK();
  const auto batch_col = ColumnIndex(body["columns"], "_source_batch");
  const auto source_col = ColumnIndex(body["columns"], "_source");
  const auto table_col = ColumnIndex(body["columns"], "_source_table");
  if (!batch_col || !source_col || !table_col) return Status::OK();
  lake::LakeOptions options;
  options.read_only = true;
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root, options));
  std::map<int64_t, BatchSource> sources;
  for (nlohmann::json& row : body["rows"]) {
    const nlohmann::json& batch = row[*batch_col];
    if (!batch.is_number_integer()) continue;
    const int64_t id = batch.get<int64_t>();
    auto it = sources.find(id);
    if (it == sources.end()) {
      ASSIGN_OR_RETURN(auto info, lake->GetBatch(id));
      it = sources.emplace(id, info ? ParseLineage(info->lineage_json) : BatchSource{nullptr, nullptr}).first;
    }
    row[*source_col] = it->second.source;
    row[*table_col] = it->second.table;
  }
  return Status::OK();
}

}  // namespace custlake::serve
