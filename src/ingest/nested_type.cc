#include "ingest/nested_type.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cctype>
#include <charconv>
#include <cfloat>
#include <set>

#include "ingest/coerce.h"
#include "ingest/timestamp_parse.h"

namespace custlake::ingest {

namespace {

struct ScalarName {
  const char* name;
  NestedType::Kind kind;
};
constexpr ScalarName kScalars[] = {
    {"VARCHAR", NestedType::kVarchar},   {"TEXT", NestedType::kVarchar},       {"STRING", NestedType::kVarchar},
    {"BIGINT", NestedType::kBigInt},     {"INT8", NestedType::kBigInt},        {"LONG", NestedType::kBigInt},
    {"INTEGER", NestedType::kInteger},   {"INT", NestedType::kInteger},        {"INT4", NestedType::kInteger},
    {"SMALLINT", NestedType::kSmallInt}, {"INT2", NestedType::kSmallInt},      {"TINYINT", NestedType::kTinyInt},
    {"INT1", NestedType::kTinyInt},      {"DOUBLE", NestedType::kDouble},      {"FLOAT8", NestedType::kDouble},
    {"FLOAT", NestedType::kFloat},       {"REAL", NestedType::kFloat},         {"FLOAT4", NestedType::kFloat},
    {"BOOLEAN", NestedType::kBoolean},   {"BOOL", NestedType::kBoolean},       {"DATE", NestedType::kDate},
    {"TIMESTAMP", NestedType::kTimestamp}, {"TIMESTAMPTZ", NestedType::kTimestampTz}, {"JSON", NestedType::kJson},
};

const char* SqlName(NestedType::Kind k) {
  switch (k) {
    case NestedType::kVarchar: return "VARCHAR";
    case NestedType::kBigInt: return "BIGINT";
    case NestedType::kInteger: return "INTEGER";
    case NestedType::kSmallInt: return "SMALLINT";
    case NestedType::kTinyInt: return "TINYINT";
    case NestedType::kDouble: return "DOUBLE";
    case NestedType::kFloat: return "FLOAT";
    case NestedType::kBoolean: return "BOOLEAN";
    case NestedType::kDate: return "DATE";
    case NestedType::kTimestamp: return "TIMESTAMP";
    case NestedType::kTimestampTz: return "TIMESTAMPTZ";
    case NestedType::kJson: return "JSON";
    case NestedType::kStruct: return "STRUCT";
    case NestedType::kList: return "LIST";
  }
  return "JSON";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Recursive-descent parser over the type text.
class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : s_(text) {}

  Result<NestedType> ParseAll() {
    ASSIGN_OR_RETURN(NestedType t, ParseType());
    Skip();
    if (p_ != s_.size()) return Error("unexpected text");
    return t;
  }

 private:
  Status Error(std::string_view what) const {
    return Status::InvalidArgument(fmt::format(
        "nested_type \"{}\": {} at position {} (supported: STRUCT(name type, ...), type[], LIST(type), VARCHAR, "
        "BIGINT, INTEGER, SMALLINT, TINYINT, DOUBLE, FLOAT, BOOLEAN, DATE, TIMESTAMP, TIMESTAMPTZ, JSON)",
        s_, what, p_ + 1));
  }
  void Skip() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) p_++;
  }
  bool Eat(char c) {
    Skip();
    if (p_ < s_.size() && s_[p_] == c) {
      p_++;
      return true;
    }
    return false;
  }
  std::string_view Word() {
    Skip();
    const size_t b = p_;
    while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '_')) p_++;
    return s_.substr(b, p_ - b);
  }
  Result<std::string> Name() {
    Skip();
    if (p_ < s_.size() && s_[p_] == '"') {
      std::string out;
      p_++;
      while (p_ < s_.size()) {
        if (s_[p_] == '"') {
          if (p_ + 1 < s_.size() && s_[p_ + 1] == '"') {
            out.push_back('"');
            p_ += 2;
            continue;
          }
          p_++;
          return out;
        }
        out.push_back(s_[p_++]);
      }
      return Error("unterminated quoted name");
    }
    std::string_view w = Word();
    if (w.empty()) return Error("expected a field name");
    return std::string(w);
  }
  Result<NestedType> ParseType() {
    if (++depth_ > 64) return Error("nesting too deep");
    NestedType t;
    const std::string word = Upper(Word());
    if (word.empty()) return Error("expected a type");
    if (word == "STRUCT") {
      t.kind = NestedType::kStruct;
      if (!Eat('(')) return Error("expected '(' after STRUCT");
      std::set<std::string> seen;
      do {
        ASSIGN_OR_RETURN(std::string name, Name());
        if (!seen.insert(Upper(name)).second) return Error(fmt::format("duplicate struct field \"{}\"", name));
        ASSIGN_OR_RETURN(NestedType ft, ParseType());
        t.names.push_back(std::move(name));
        t.children.push_back(std::move(ft));
      } while (Eat(','));
      if (!Eat(')')) return Error("expected ',' or ')' in STRUCT");
    } else if (word == "LIST") {
      t.kind = NestedType::kList;
      if (!Eat('(')) return Error("expected '(' after LIST");
      ASSIGN_OR_RETURN(NestedType e, ParseType());
      t.children.push_back(std::move(e));
      if (!Eat(')')) return Error("expected ')' after the LIST element type");
    } else {
      bool found = false;
      for (const auto& s : kScalars) {
        if (word == s.name) {
          t.kind = s.kind;
          found = true;
          break;
        }
      }
      if (!found) return Error(fmt::format("unsupported type {}", word));
    }
    while (Eat('[')) {
      if (!Eat(']')) return Error("expected ']'");
      NestedType list;
      list.kind = NestedType::kList;
      list.children.push_back(std::move(t));
      t = std::move(list);
    }
    depth_--;
    return t;
  }

  std::string_view s_;
  size_t p_ = 0;
  int depth_ = 0;
};

std::string Shown(const simdjson::dom::element& v) {
  std::string s = simdjson::to_string(v);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// A scalar through the top-level coercion rules (coerce.h).
CoerceError CoerceElement(const simdjson::dom::element& v, FieldType type, Value* out, std::string* owned) {
  switch (v.type()) {
    case simdjson::dom::element_type::STRING: return CoerceText(v.get_string().value_unsafe(), type, out, owned);
    case simdjson::dom::element_type::INT64: return CoerceInt(v.get_int64().value_unsafe(), type, out, owned);
    case simdjson::dom::element_type::UINT64: return CoerceUInt(v.get_uint64().value_unsafe(), type, out, owned);
    case simdjson::dom::element_type::DOUBLE: return CoerceDouble(v.get_double().value_unsafe(), type, out, owned);
    case simdjson::dom::element_type::BOOL: return CoerceBool(v.get_bool().value_unsafe(), type, out, owned);
    default: return CoerceError::kBadType;
  }
}

class Canonicalizer {
 public:
  Canonicalizer(bool drop_unknown, std::string* out, std::string* error)
      : drop_unknown_(drop_unknown), out_(out), error_(error) {}

  bool Write(const simdjson::dom::element& v, const NestedType& t) {
    if (v.type() == simdjson::dom::element_type::NULL_VALUE) {
      out_->append("null");
      return true;
    }
    switch (t.kind) {
      case NestedType::kStruct: return WriteStruct(v, t);
      case NestedType::kList: return WriteList(v, t);
      case NestedType::kJson: out_->append(simdjson::to_string(v)); return true;
      case NestedType::kVarchar:
        if (v.type() == simdjson::dom::element_type::STRING) {
          AppendJsonString(v.get_string().value_unsafe(), out_);
        } else {
          AppendJsonString(simdjson::to_string(v), out_);  // numbers, booleans, objects as their JSON text
        }
        return true;
      default: return WriteScalar(v, t.kind);
    }
  }

 private:
  bool Fail(const std::string& what) {
    *error_ = (path_.empty() ? std::string("value") : path_) + ": " + what;
    return false;
  }

  bool WriteStruct(const simdjson::dom::element& v, const NestedType& t) {
    simdjson::dom::object obj;
    if (v.get_object().get(obj)) return Fail(fmt::format("expected an object, got {}", Shown(v)));
    std::vector<simdjson::dom::element> found(t.names.size());
    std::vector<uint8_t> has(t.names.size(), 0);
    for (auto field : obj) {
      size_t i = 0;
      while (i < t.names.size() && t.names[i] != field.key) i++;
      if (i == t.names.size()) {
        if (drop_unknown_) continue;
        return Fail(fmt::format("key \"{}\" is not in the nested type (add it to nested_type, or set "
                                "unknown_fields = \"drop\")",
                                field.key));
      }
      if (has[i]) return Fail(fmt::format("key \"{}\" appears twice", field.key));
      has[i] = 1;
      found[i] = field.value;
    }
    out_->push_back('{');
    const size_t path_len = path_.size();
    for (size_t i = 0; i < t.names.size(); i++) {
      if (i > 0) out_->push_back(',');
      AppendJsonString(t.names[i], out_);
      out_->push_back(':');
      if (!has[i]) {
        out_->append("null");
        continue;
      }
      path_ += (path_.empty() ? "" : ".") + t.names[i];
      if (!Write(found[i], t.children[i])) return false;
      path_.resize(path_len);
    }
    out_->push_back('}');
    return true;
  }

  bool WriteList(const simdjson::dom::element& v, const NestedType& t) {
    simdjson::dom::array arr;
    if (v.get_array().get(arr)) return Fail(fmt::format("expected an array, got {}", Shown(v)));
    out_->push_back('[');
    const size_t path_len = path_.size();
    size_t i = 0;
    for (auto e : arr) {
      if (i > 0) out_->push_back(',');
      path_ += fmt::format("[{}]", i);
      if (!Write(e, t.children[0])) return false;
      path_.resize(path_len);
      i++;
    }
    out_->push_back(']');
    return true;
  }

  bool WriteScalar(const simdjson::dom::element& v, NestedType::Kind kind) {
    FieldType ft = FieldType::kInt64;
    switch (kind) {
      case NestedType::kDouble:
      case NestedType::kFloat: ft = FieldType::kDouble; break;
      case NestedType::kBoolean: ft = FieldType::kBool; break;
      case NestedType::kDate: ft = FieldType::kDate; break;
      case NestedType::kTimestamp:
      case NestedType::kTimestampTz: ft = FieldType::kTimestamp; break;
      default: break;
    }
    Value val;
    const CoerceError ce = CoerceElement(v, ft, &val, &owned_);
    if (ce != CoerceError::kNone || val.kind == Value::kNull) {
      if (val.kind == Value::kNull && ce == CoerceError::kNone) {
        out_->append("null");  // "" for a non-string type, as at the top level
        return true;
      }
      return Fail(fmt::format("cannot coerce {} to {}", Shown(v), SqlName(kind)));
    }
    char buf[40];
    switch (kind) {
      case NestedType::kInteger:
      case NestedType::kSmallInt:
      case NestedType::kTinyInt: {
        const int64_t lim = kind == NestedType::kInteger ? INT32_MAX : kind == NestedType::kSmallInt ? INT16_MAX : INT8_MAX;
        if (val.i > lim || val.i < -lim - 1) return Fail(fmt::format("{} is out of range for {}", val.i, SqlName(kind)));
        [[fallthrough]];
      }
      case NestedType::kBigInt: {
        auto r = std::to_chars(buf, buf + sizeof(buf), val.i);
        out_->append(buf, r.ptr);
        return true;
      }
      case NestedType::kFloat:
        if (val.d > FLT_MAX || val.d < -FLT_MAX) return Fail(fmt::format("{} is out of range for FLOAT", Shown(v)));
        [[fallthrough]];
      case NestedType::kDouble: {
        auto r = std::to_chars(buf, buf + sizeof(buf), val.d);
        out_->append(buf, r.ptr);
        return true;
      }
      case NestedType::kBoolean: out_->append(val.i ? "true" : "false"); return true;
      case NestedType::kDate: {
        char date[11];
        FormatDate(val.i, date);
        AppendJsonString(std::string_view(date, 10), out_);
        return true;
      }
      case NestedType::kTimestamp:
      case NestedType::kTimestampTz: {
        std::string ts = FormatTimestampMicros(val.i);
        if (kind == NestedType::kTimestampTz) ts += "+00";
        AppendJsonString(ts, out_);
        return true;
      }
      default: break;
    }
    return Fail("unsupported type");
  }

  bool drop_unknown_;
  std::string* out_;
  std::string* error_;
  std::string path_;
  std::string owned_;
};

}  // namespace

Result<NestedType> NestedType::Parse(std::string_view text) { return TypeParser(text).ParseAll(); }

std::string NestedType::ToSql() const {
  switch (kind) {
    case kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < names.size(); i++) {
        if (i > 0) out += ", ";
        out += '"';
        for (const char c : names[i]) {
          if (c == '"') out += '"';
          out += c;
        }
        out += "\" " + children[i].ToSql();
      }
      return out + ")";
    }
    case kList: return children[0].ToSql() + "[]";
    default: return SqlName(kind);
  }
}

bool CanonicalNestedJson(const simdjson::dom::element& value, const NestedType& type, bool drop_unknown_keys,
                         std::string* out, std::string* error) {
  out->clear();
  return Canonicalizer(drop_unknown_keys, out, error).Write(value, type);
}

void NestedShape::Observe(const simdjson::dom::element& v) {
  Kind k = kUnknown;
  switch (v.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return;
    case simdjson::dom::element_type::BOOL: k = kBool; break;
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64: k = kInt; break;
    case simdjson::dom::element_type::DOUBLE: k = kDouble; break;
    case simdjson::dom::element_type::STRING: k = kString; break;
    case simdjson::dom::element_type::OBJECT: k = kObject; break;
    case simdjson::dom::element_type::ARRAY: k = kArray; break;
  }
  if (kind_ == kMixed) return;
  if (kind_ == kUnknown) {
    kind_ = k;
  } else if (kind_ != k) {
    const bool scalar_old = kind_ <= kString, scalar_new = k <= kString;
    if ((kind_ == kInt && k == kDouble) || (kind_ == kDouble && k == kInt)) {
      kind_ = kDouble;
    } else if (scalar_old && scalar_new && (kind_ == kString || k == kString)) {
      kind_ = kString;  // strings absorb numbers and booleans (VARCHAR keeps their text)
    } else {
      kind_ = kMixed;
      names_.clear();
      children_.clear();
      return;
    }
  }
  if (kind_ == kObject) {
    const simdjson::dom::object obj = v.get_object().value_unsafe();
    for (auto field : obj) {
      size_t i = 0;
      while (i < names_.size() && names_[i] != field.key) i++;
      if (i == names_.size()) {
        if (names_.size() >= kMaxStructKeys) {
          kind_ = kMixed;  // keys are data (a map), not a record's fields
          names_.clear();
          children_.clear();
          return;
        }
        names_.emplace_back(field.key);
        children_.emplace_back();
      }
      children_[i].Observe(field.value);
    }
  } else if (kind_ == kArray) {
    if (children_.empty()) children_.emplace_back();
    const simdjson::dom::array arr = v.get_array().value_unsafe();
    for (auto e : arr) children_[0].Observe(e);
  }
}

NestedType NestedShape::ToType() const {
  NestedType t;
  switch (kind_) {
    case kBool: t.kind = NestedType::kBoolean; break;
    case kInt: t.kind = NestedType::kBigInt; break;
    case kDouble: t.kind = NestedType::kDouble; break;
    case kString: t.kind = NestedType::kVarchar; break;
    case kObject:
      if (names_.empty()) break;  // only {} seen: JSON
      t.kind = NestedType::kStruct;
      for (size_t i = 0; i < names_.size(); i++) {
        t.names.push_back(names_[i]);
        t.children.push_back(children_[i].ToType());
      }
      break;
    case kArray:
      t.kind = NestedType::kList;
      t.children.push_back(children_.empty() ? NestedType{} : children_[0].ToType());
      break;
    case kUnknown:
    case kMixed: break;
  }
  return t;
}

std::optional<NestedType> NestedShape::Type() const {
  if (kind_ != kObject && kind_ != kArray) return std::nullopt;
  NestedType t = ToType();
  if (!t.nested()) return std::nullopt;
  return t;
}

}  // namespace custlake::ingest
