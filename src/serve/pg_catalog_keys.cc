#include "serve/pg_catalog_keys.h"

namespace custlake::serve {

namespace {

std::string Joined(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : sep) + part;
  return out;
}

}  // namespace

std::vector<TableKey> DeclaredKeys(const std::vector<warehouse::Model>& models) {
  std::vector<TableKey> keys;
  for (const warehouse::Model& model : models) {
    if (model.IsView()) continue;
    bool has_primary = false;
    for (const warehouse::ModelCheck& check : model.checks) {
      if (check.kind == warehouse::CheckKind::kUnique && !check.columns.empty()) {
        TableKey key{has_primary ? 'u' : 'p', "", model.name, check.columns, "", {}};
        key.name = has_primary ? model.name + "_" + Joined(check.columns, "_") + "_key" : model.name + "_pkey";
        has_primary = true;
        keys.push_back(std::move(key));
      } else if (check.kind == warehouse::CheckKind::kRelationship && check.columns.size() == 1) {
        keys.push_back(TableKey{'f', model.name + "_" + check.columns[0] + "_fkey", model.name, check.columns,
                                check.ref_table, {check.ref_column}});
      }
    }
  }
  return keys;
}

}  // namespace custlake::serve
