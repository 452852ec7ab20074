#include "serve/http_batch_sources.h"

#include <map>
#include <memory>
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

/// Each batch's source, read from the metastore once per batch.
class BatchSources {
 public:
  explicit BatchSources(std::unique_ptr<lake::Lake> lake) : lake_(std::move(lake)) {}
  Result<const BatchSource*> Of(const nlohmann::json& batch) {
    static const BatchSource kNone{nullptr, nullptr};
    if (!batch.is_number_integer()) return &kNone;
    const int64_t id = batch.get<int64_t>();
    auto it = sources_.find(id);
    if (it == sources_.end()) {
      ASSIGN_OR_RETURN(auto info, lake_->GetBatch(id));
      it = sources_.emplace(id, info ? ParseLineage(info->lineage_json) : kNone).first;
    }
    return &it->second;
  }

 private:
  std::unique_ptr<lake::Lake> lake_;
  std::map<int64_t, BatchSource> sources_;
};

Result<BatchSources> OpenSources(const std::string& lake_root) {
  lake::LakeOptions options;
  options.read_only = true;
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root, options));
  return BatchSources(std::move(lake));
}

/// Rows as objects ([{"_source_batch": 9, "_source": null, ...}], as ObjectRows writes them).
Status FillObjects(const std::string& lake_root, nlohmann::json& rows) {
  if (rows.empty() || !rows[0].is_object() || !rows[0].contains("_source_batch")) return Status::OK();
  ASSIGN_OR_RETURN(BatchSources sources, OpenSources(lake_root));
  for (nlohmann::json& row : rows) {
    ASSIGN_OR_RETURN(const BatchSource* source, sources.Of(row.value("_source_batch", nlohmann::json())));
    row["_source"] = source->source;
    row["_source_table"] = source->table;
  }
  return Status::OK();
}

}  // namespace

Status FillBatchSources(const std::string& lake_root, nlohmann::json& body) {
  if (body.is_array()) return FillObjects(lake_root, body);
  if (!body.contains("columns") || !body.contains("rows")) return Status::OK();
  const auto batch_col = ColumnIndex(body["columns"], "_source_batch");
  const auto source_col = ColumnIndex(body["columns"], "_source");
  const auto table_col = ColumnIndex(body["columns"], "_source_table");
  if (!batch_col || !source_col || !table_col) return Status::OK();
  ASSIGN_OR_RETURN(BatchSources sources, OpenSources(lake_root));
  for (nlohmann::json& row : body["rows"]) {
    ASSIGN_OR_RETURN(const BatchSource* source, sources.Of(row[*batch_col]));
    row[*source_col] = source->source;
    row[*table_col] = source->table;
  }
  return Status::OK();
}

}  // namespace custlake::serve
