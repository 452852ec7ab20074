#include "ingest/schema.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace custlake::ingest {

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kString: return "string";
    case FieldType::kInt64: return "int64";
    case FieldType::kDouble: return "double";
    case FieldType::kBool: return "bool";
    case FieldType::kTimestamp: return "timestamp";
    case FieldType::kDate: return "date";
    case FieldType::kJson: return "json";
  }
  return "string";
}

Result<FieldType> ParseFieldType(std::string_view name) {
  if (name == "string" || name == "varchar" || name == "text") return FieldType::kString;
  if (name == "int64" || name == "integer" || name == "int" || name == "bigint") return FieldType::kInt64;
  if (name == "double" || name == "float" || name == "number") return FieldType::kDouble;
  if (name == "bool" || name == "boolean") return FieldType::kBool;
  if (name == "timestamp") return FieldType::kTimestamp;
  if (name == "date") return FieldType::kDate;
  if (name == "json" || name == "object" || name == "array") return FieldType::kJson;
  return Status::InvalidArgument(fmt::format(
      "unknown field type \"{}\" (use string, int64, double, bool, timestamp, date or json)", name));
}

int Schema::Find(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); i++) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Status Schema::Validate() const {
  std::set<std::string> seen;
  if (fields.empty()) return Status::InvalidArgument("schema has no fields");
  for (const auto& f : fields) {
    if (f.name.empty()) return Status::InvalidArgument("schema field with an empty name");
    if (f.name == kExtraColumn || f.name == kSourceFileColumn || f.name == kSourceLineColumn ||
        f.name == kPartitionColumn) {
      return Status::InvalidArgument(fmt::format("schema field \"{}\" uses a reserved column name", f.name));
    }
    if (!seen.insert(f.name).second) {
      return Status::InvalidArgument(fmt::format("schema field \"{}\" appears twice", f.name));
    }
    if (!f.nested_type.empty()) {
      if (f.type != FieldType::kJson) {
        return Status::InvalidArgument(
            fmt::format("schema field \"{}\": nested_type needs \"type\": \"json\"", f.name));
      }
      auto t = NestedType::Parse(f.nested_type);
      if (!t.ok()) return t.status().WithContext(fmt::format("schema field \"{}\"", f.name));
      if (!t->nested()) {
        return Status::InvalidArgument(fmt::format(
            "schema field \"{}\": nested_type must be a STRUCT or a list (e.g. VARCHAR[]), got {}", f.name,
            f.nested_type));
      }
    }
  }
  if (!key.empty() && Find(key) < 0) {
    return Status::InvalidArgument(fmt::format("key field \"{}\" is not in the schema", key));
  }
  if (!key.empty() && fields[Find(key)].type == FieldType::kJson) {
    return Status::InvalidArgument(fmt::format(
        "key field \"{}\" is a json field; a dedup key must be a string, int64, double, bool, timestamp or date", key));
  }
  if (!partition_field.empty()) {
    const int p = Find(partition_field);
    if (p < 0) return Status::InvalidArgument(fmt::format("partition field \"{}\" is not in the schema", partition_field));
    if (fields[p].type != FieldType::kTimestamp && fields[p].type != FieldType::kDate) {
      return Status::InvalidArgument(
          fmt::format("partition field \"{}\" must be a timestamp or date field", partition_field));
    }
  }
  return Status::OK();
}

std::string Schema::ToJson() const {
  nlohmann::ordered_json j;
  auto& arr = j["fields"] = nlohmann::ordered_json::array();
  for (const auto& f : fields) {
    nlohmann::ordered_json fj;
    fj["name"] = f.name;
    fj["type"] = std::string(FieldTypeName(f.type));
    if (f.required) fj["required"] = true;
    if (!f.nested_type.empty()) fj["nested_type"] = f.nested_type;
    arr.push_back(std::move(fj));
  }
  if (!key.empty()) j["key"] = key;
  if (!partition_field.empty()) j["partition_field"] = partition_field;
  j["unknown_fields"] = unknown == UnknownFieldPolicy::kKeep ? "keep" : "drop";
  return j.dump();
}

Result<Schema> Schema::FromJson(std::string_view text, const std::string& where) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument(fmt::format("{}: a schema must be a JSON object with \"fields\"", where));
  }
  Schema s;
  if (!j.contains("fields") || !j["fields"].is_array()) {
    return Status::InvalidArgument(fmt::format("{}: \"fields\" must be an array", where));
  }
  for (const auto& fj : j["fields"]) {
    if (!fj.is_object() || !fj.contains("name") || !fj["name"].is_string()) {
      return Status::InvalidArgument(fmt::format("{}: each field needs a string \"name\"", where));
    }
    Field f;
    f.name = fj["name"].get<std::string>();
    const std::string type = fj.value("type", std::string("string"));
    auto t = ParseFieldType(type);
    if (!t.ok()) return t.status().WithContext(fmt::format("{}: field {}", where, f.name));
    f.type = *t;
    if (fj.contains("required")) {
      if (!fj["required"].is_boolean()) {
        return Status::InvalidArgument(fmt::format("{}: field {}: \"required\" must be true or false", where, f.name));
      }
      f.required = fj["required"].get<bool>();
    }
    f.nested_type = fj.value("nested_type", std::string());
    s.fields.push_back(std::move(f));
  }
  s.key = j.value("key", std::string());
  s.partition_field = j.value("partition_field", std::string());
  const std::string unknown = j.value("unknown_fields", std::string("keep"));
  if (unknown == "keep") {
    s.unknown = UnknownFieldPolicy::kKeep;
  } else if (unknown == "drop") {
    s.unknown = UnknownFieldPolicy::kDrop;
  } else {
    return Status::InvalidArgument(fmt::format("{}: unknown_fields must be \"keep\" or \"drop\"", where));
  }
  RETURN_NOT_OK(s.Validate().WithContext(where));
  return s;
}

Result<Schema> Schema::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot open schema file {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return FromJson(ss.str(), path);
}

Status CheckSchemaEvolution(const Schema& committed, const Schema& next) {
  std::vector<std::string> problems;
  auto type_text = [](const Field& f) {
    std::string t(FieldTypeName(f.type));
    if (!f.nested_type.empty()) t += " (" + f.nested_type + ")";
    return t;
  };
  for (const Field& old : committed.fields) {
    const int i = next.Find(old.name);
    if (i < 0) {
      problems.push_back(fmt::format("column {} ({}) is dropped", old.name, type_text(old)));
      continue;
    }
    const Field& f = next.fields[i];
    if (f.type != old.type || f.nested_type != old.nested_type) {
      problems.push_back(fmt::format("column {} changes type from {} to {}", old.name, type_text(old), type_text(f)));
    }
  }
  for (const Field& f : next.fields) {
    if (committed.Find(f.name) < 0 && f.required) {
      problems.push_back(fmt::format("new column {} is required, but the rows already committed have none", f.name));
    }
  }
  if (committed.unknown == UnknownFieldPolicy::kKeep && next.unknown == UnknownFieldPolicy::kDrop) {
    problems.push_back(fmt::format("column {} (unknown fields, kept so far) is dropped by unknown_fields = \"drop\"",
                                   kExtraColumn));
  }
  if (problems.empty()) return Status::OK();
  std::string list;
  for (const auto& p : problems) list += (list.empty() ? "" : "; ") + p;
  return Status::InvalidArgument(fmt::format(
      "the schema is not compatible with the one the dataset's committed files have: {}. Committed Parquet keeps "
      "its columns, so restore them (new columns must be optional), or ingest into a new dataset",
      list));
}

SchemaInference::Counts* SchemaInference::Find(std::string_view field) {
  for (auto& f : fields_) {
    if (f.name == field) return &f;
  }
  if (fields_.size() >= 1000) return nullptr;  // absurdly wide samples: keep the first 1000 fields
  fields_.emplace_back();
  fields_.back().name = std::string(field);
  return &fields_.back();
}

void SchemaInference::ObserveNested(std::string_view field, const simdjson::dom::element& value) {
  Counts* c = Find(field);
  if (c == nullptr) return;
  c->o++;
  c->shape.Observe(value);
}

void SchemaInference::Observe(std::string_view field, char kind, bool string_is_timestamp, bool string_is_number) {
  Counts* c = Find(field);
  if (c == nullptr) return;
  switch (kind) {
    case 's':
      c->s++;
      if (string_is_timestamp) c->ts++;
      if (string_is_number) c->num_str++;
      break;
    case 'i': c->i++; break;
    case 'd': c->d++; break;
    case 'b': c->b++; break;
    case 'o': c->o++; break;
    default: break;
  }
}

Schema SchemaInference::Finish(const std::vector<std::string>& required, const std::string& key,
                               const std::string& partition_field, UnknownFieldPolicy unknown) const {
  Schema s;
  s.key = key;
  s.partition_field = partition_field;
  s.unknown = unknown;
  for (const auto& c : fields_) {
    Field f;
    f.name = c.name;
    const int64_t numbers = c.i + c.d;
    const int64_t plain_strings = c.s - c.num_str;
    if (c.o > 0 && c.o >= numbers + c.s + c.b) {
      f.type = FieldType::kJson;
      // Only objects/arrays (and nulls) seen: a STRUCT/LIST type when their shapes agree.
      if (numbers + c.s + c.b == 0) {
        if (auto t = c.shape.Type()) f.nested_type = t->ToSql();
      }
    } else if (numbers > 0 && numbers + c.num_str >= plain_strings && c.num_str + numbers > c.b &&
               plain_strings <= (numbers + c.num_str) / 10) {
      f.type = c.d > 0 ? FieldType::kDouble : FieldType::kInt64;
    } else if (c.s > 0 && c.ts + numbers >= c.s && c.ts * 2 >= c.s) {
      f.type = FieldType::kTimestamp;
    } else if (c.b > 0 && c.b >= c.s + numbers) {
      f.type = FieldType::kBool;
    } else {
      f.type = FieldType::kString;
    }
    for (const auto& r : required) f.required = f.required || r == f.name;
    if (f.name == key || f.name == partition_field) f.required = true;
    s.fields.push_back(std::move(f));
  }
  // A partition field that was never seen in the sample cannot partition.
  if (!partition_field.empty() && s.Find(partition_field) < 0) s.partition_field.clear();
  if (!partition_field.empty() && s.Find(partition_field) >= 0) {
    auto& pf = s.fields[s.Find(partition_field)];
    if (pf.type != FieldType::kDate) pf.type = FieldType::kTimestamp;
  }
  return s;
}

}  // namespace custlake::ingest
