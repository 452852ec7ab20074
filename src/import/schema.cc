#include "import/schema.h"

#include <map>

#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace custlake::importer {

std::string DatasetSchema::ToJson() const {
  nlohmann::ordered_json j;
  j["format"] = "custlake-import/1";
  j["source"] = source;
  j["table"] = table;
  j["incremental"] = IncrementalModeName(incremental);
  if (!check_column.empty()) j["check_column"] = check_column;
  if (!merge_key.empty()) j["merge_key"] = merge_key;
  j["columns"] = nlohmann::ordered_json::array();
  for (const SchemaColumn& c : columns) {
    nlohmann::ordered_json col{{"name", c.name}, {"type", c.type}, {"source_type", c.source_type},
                               {"nullable", c.nullable}};
    if (c.dropped) col["dropped"] = true;
    j["columns"].push_back(col);
  }
  return j.dump();
}

Result<DatasetSchema> DatasetSchema::FromJson(const std::string& json) {
  DatasetSchema out;
  if (json.empty()) return out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption("dataset schema is not a JSON object: " + json.substr(0, 200));
  if (j.value("format", "") != "custlake-import/1") return out;
  out.source = j.value("source", "");
  out.table = j.value("table", "");
  auto mode = ParseIncrementalMode(j.value("incremental", "none"));
  if (mode.ok()) out.incremental = *mode;
  out.check_column = j.value("check_column", "");
  if (j.contains("merge_key")) out.merge_key = j["merge_key"].get<std::vector<std::string>>();
  for (const auto& c : j.value("columns", nlohmann::json::array())) {
    out.columns.push_back({c.value("name", ""), c.value("type", ""), c.value("source_type", ""),
                           c.value("nullable", true), c.value("dropped", false)});
  }
  return out;
}

std::vector<SchemaColumn> SchemaColumns(const std::vector<ColumnPlan>& plans) {
  std::vector<SchemaColumn> out;
  for (const ColumnPlan& p : plans) out.push_back({p.source.name, p.lake_type, p.source.source_type, p.source.nullable, false});
  return out;
}

Result<std::vector<SchemaColumn>> ReconcileSchema(const std::vector<SchemaColumn>& previous,
                                                  const std::vector<SchemaColumn>& current, SchemaChangePolicy policy,
                                                  const std::string& where) {
  if (previous.empty()) return current;
  std::map<std::string, const SchemaColumn*> now;
  for (const SchemaColumn& c : current) now[c.name] = &c;
  std::map<std::string, const SchemaColumn*> before;
  for (const SchemaColumn& c : previous) before[c.name] = &c;
  const std::string hint =
      " Set on_schema_change = \"allow_all\" for this table (or --on-schema-change allow_all) to accept it, "
      "or re-import into a new dataset.";
  std::vector<SchemaColumn> out;
  for (const SchemaColumn& old : previous) {
    auto it = now.find(old.name);
    if (it == now.end()) {
      if (old.dropped) {
        out.push_back(old);
        continue;
      }
      if (policy != SchemaChangePolicy::kAllowAll) {
        return Status::InvalidArgument(where + ": column " + old.name + " (" + old.type +
                                       ") was dropped from the source since the last import." + hint);
      }
      SchemaColumn gone = old;
      gone.dropped = true;
      out.push_back(gone);
      continue;
    }
    const SchemaColumn& cur = *it->second;
    if (cur.type != old.type && policy != SchemaChangePolicy::kAllowAll) {
      return Status::InvalidArgument(where + ": column " + old.name + " changed type from " + old.type + " (" +
                                     old.source_type + ") to " + cur.type + " (" + cur.source_type +
                                     ") since the last import." + hint +
                                     " A --map-column " + old.name + "=" + old.type + " keeps the old type.");
    }
    out.push_back(cur);
  }
  for (const SchemaColumn& c : current) {
    if (before.count(c.name)) continue;
    if (policy == SchemaChangePolicy::kFail) {
      return Status::InvalidArgument(where + ": new column " + c.name + " (" + c.type +
                                     ") in the source and on_schema_change is \"fail\"");
    }
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> DescribeSchemaChanges(const std::vector<SchemaColumn>& previous,
                                               const std::vector<SchemaColumn>& current) {
  std::vector<std::string> out;
  std::map<std::string, const SchemaColumn*> now, before;
  for (const SchemaColumn& c : current) now[c.name] = &c;
  for (const SchemaColumn& c : previous) before[c.name] = &c;
  for (const SchemaColumn& old : previous) {
    if (old.dropped) continue;
    auto it = now.find(old.name);
    if (it == now.end()) {
      out.push_back("column " + old.name + " (" + old.type + ") is gone from the source");
    } else if (it->second->type != old.type) {
      out.push_back("column " + old.name + " changed type from " + old.type + " to " + it->second->type);
    }
  }
  for (const SchemaColumn& c : current) {
    if (!before.count(c.name)) out.push_back("new column " + c.name + " (" + c.type + ")");
  }
  return out;
}

}  // namespace custlake::importer
