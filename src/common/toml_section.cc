#include "common/toml_section.h"

#include <algorithm>
#include <toml++/toml.h>

namespace custlake {
namespace {

const toml::table& EmptyTable() {
  static const toml::table empty;
  return empty;
}

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date/time";
  }
}

}  // namespace

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) prev[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); j++) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

TomlSection::TomlSection(const toml::table* table, std::string path, std::string file)
    : table_(table != nullptr ? table : &EmptyTable()), path_(std::move(path)), file_(std::move(file)) {}

bool TomlSection::Has(const std::string& key) const { return table_->contains(key); }

std::string TomlSection::Where(const std::string& key) const {
  const toml::node* node = table_->get(key);
  const toml::source_region& src = node != nullptr ? node->source() : table_->source();
  if (src.begin.line > 0) return file_ + ":" + std::to_string(src.begin.line);
  return file_;
}

Status TomlSection::Invalid(const std::string& key, const std::string& what) const {
  return Status::ConfigError(Where(key) + ": " + FullKey(key) + " " + what);
}

const toml::node* TomlSection::Lookup(const std::string& key, bool required, Status* status) {
  read_.insert(key);
  const toml::node* node = table_->get(key);
  if (node == nullptr && required) {
    // The line of the [section] header when the section exists, else the file.
    *status = Status::ConfigError(Where(key) + ": missing required key " + FullKey(key) +
                                  (path_.empty() ? "" : " (add `" + key + " = ...` under [" + path_ + "])"));
  }
  return node;
}

Status TomlSection::Get(const std::string& key, std::string* out, bool required) {
  Status st;
  const toml::node* node = Lookup(key, required, &st);
  if (node == nullptr) return st;
  if (!node->is_string()) return Invalid(key, "must be a string, got " + TypeName(*node));
  *out = node->as_string()->get();
  return Status::OK();
}

Status TomlSection::Get(const std::string& key, int64_t* out, bool required) {
  Status st;
  const toml::node* node = Lookup(key, required, &st);
  if (node == nullptr) return st;
  if (!node->is_integer()) return Invalid(key, "must be an integer, got " + TypeName(*node));
  *out = node->as_integer()->get();
  return Status::OK();
}

Status TomlSection::Get(const std::string& key, int* out, bool required) {
  int64_t wide = *out;
  RETURN_NOT_OK(Get(key, &wide, required));
  if (wide < INT32_MIN || wide > INT32_MAX) return Invalid(key, "is out of range");
  *out = static_cast<int>(wide);
  return Status::OK();
}

Status TomlSection::Get(const std::string& key, double* out, bool required) {
  Status st;
  const toml::node* node = Lookup(key, required, &st);
  if (node == nullptr) return st;
  if (node->is_integer()) {
    *out = static_cast<double>(node->as_integer()->get());
  } else if (node->is_floating_point()) {
    *out = node->as_floating_point()->get();
  } else {
    return Invalid(key, "must be a number, got " + TypeName(*node));
  }
  return Status::OK();
}

Status TomlSection::Get(const std::string& key, bool* out, bool required) {
  Status st;
  const toml::node* node = Lookup(key, required, &st);
  if (node == nullptr) return st;
  if (!node->is_boolean()) return Invalid(key, "must be true or false, got " + TypeName(*node));
  *out = node->as_boolean()->get();
  return Status::OK();
}

Status TomlSection::Get(const std::string& key, std::vector<std::string>* out, bool required) {
  Status st;
  const toml::node* node = Lookup(key, required, &st);
  if (node == nullptr) return st;
  if (!node->is_array()) return Invalid(key, "must be an array of strings, got " + TypeName(*node));
  out->clear();
  for (const toml::node& item : *node->as_array()) {
    if (!item.is_string()) return Invalid(key, "must be an array of strings, but holds " + TypeName(item));
    out->push_back(item.as_string()->get());
  }
  return Status::OK();
}

Result<TomlSection> TomlSection::Section(const std::string& key) {
  Status st;
  const toml::node* node = Lookup(key, false, &st);
  if (node == nullptr) return TomlSection(nullptr, FullKey(key), file_);
  if (!node->is_table()) return Invalid(key, "must be a table, got " + TypeName(*node));
  return TomlSection(node->as_table(), FullKey(key), file_);
}

std::vector<std::string> TomlSection::Keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, node] : *table_) keys.emplace_back(key.str());
  return keys;
}

bool TomlSection::IsTable(const std::string& key) const {
  const toml::node* node = table_->get(key);
  return node != nullptr && node->is_table();
}

Result<std::vector<std::string>> TomlSection::TableKeys() {
  std::vector<std::string> keys;
  for (const auto& [key, node] : *table_) {
    std::string name(key.str());
    if (!node.is_table()) return Invalid(name, "must be a table, got " + TypeName(node));
    keys.push_back(name);
  }
  return keys;
}

Status TomlSection::Finish() const {
  for (const auto& [key, node] : *table_) {
    std::string name(key.str());
    if (read_.count(name) != 0) continue;
    std::string hint;
    size_t best = 3;
    for (const std::string& known : read_) {
      size_t d = EditDistance(name, known);
      if (d < best) {
        best = d;
        hint = " (did you mean " + FullKey(known) + "?)";
      }
    }
    std::string known_list;
    for (const std::string& known : read_) known_list += (known_list.empty() ? "" : ", ") + known;
    if (hint.empty() && !known_list.empty()) hint = " (known keys here: " + known_list + ")";
    return Status::ConfigError(Where(name) + ": unknown key " + FullKey(name) + hint);
  }
  return Status::OK();
}

}  // namespace custlake
