#include "ingest/record_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "common/short_text.h"
#include "ingest/json_shape.h"
#include "ingest/record_reader.h"
#include "ingest/timestamp_parse.h"

namespace custlake::ingest {

static_assert(RecordReader::kPadding >= simdjson::SIMDJSON_PADDING, "records need simdjson's padding");

const char* ReasonName(Reason reason) {
  switch (reason) {
    case Reason::kMalformedJson: return "malformed_json";
    case Reason::kInvalidUtf8: return "invalid_utf8";
    case Reason::kTooDeep: return "too_deep";
    case Reason::kTooLarge: return "too_large";
    case Reason::kNotAnObject: return "not_an_object";
    case Reason::kMissingRequired: return "missing_required";
    case Reason::kBadType: return "bad_type";
    case Reason::kNumberOutOfRange: return "number_out_of_range";
    case Reason::kTruncated: return "truncated";
    case Reason::kMalformedCsv: return "malformed_csv";
    case Reason::kUnreadableFile: return "unreadable_file";
  }
  return "invalid";
}

struct RecordParser::Impl {
  simdjson::dom::parser parser;
};

RecordParser::RecordParser(const Schema* schema, RecordParserOptions options)
    : schema_(schema), options_(options), impl_(std::make_unique<Impl>()) {
  // Capacity grows on demand (up to max_record_bytes); the depth limit stays.
  const auto e = impl_->parser.allocate(64 * 1024, options_.max_depth);
  (void)e;  // on failure parse() allocates itself
  scratch_.resize(schema_->fields.size());
  seen_.resize(schema_->fields.size());
  nested_.resize(schema_->fields.size());
  for (size_t i = 0; i < schema_->fields.size(); i++) {
    const Field& f = schema_->fields[i];
    if (f.type != FieldType::kJson || f.nested_type.empty()) continue;
    auto t = NestedType::Parse(f.nested_type);  // Schema::Validate accepted it
    if (t.ok()) nested_[i] = std::move(t).value();
  }
  key_index_ = schema_->key.empty() ? -1 : schema_->Find(schema_->key);
}

RecordParser::~RecordParser() = default;

void RecordParser::ShrinkIfLarge() {
  constexpr size_t kTypical = 64 * 1024;
  if (impl_->parser.capacity() <= 16 * kTypical) return;
  const auto e = impl_->parser.allocate(kTypical, options_.max_depth);
  (void)e;  // on failure parse() allocates itself
}

namespace {

Reason ReasonFor(simdjson::error_code e) {
  switch (e) {
    case simdjson::UTF8_ERROR: return Reason::kInvalidUtf8;
    case simdjson::DEPTH_ERROR: return Reason::kTooDeep;
    case simdjson::CAPACITY: return Reason::kTooLarge;
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE: return Reason::kNumberOutOfRange;
    default: return Reason::kMalformedJson;
  }
}

// simdjson's error, made a reason: a syntax error anywhere is malformed_json
// (simdjson reports a number followed by a stray character, as in a missing
// comma, as a number error), a text that ends inside a value truncated,
// and a number error in well-formed text number_out_of_range.
RecordError ErrorFor(simdjson::error_code err, std::string_view text) {
  const Reason reason = ReasonFor(err);
  if (reason != Reason::kMalformedJson && reason != Reason::kNumberOutOfRange) {
    return {reason, simdjson::error_message(err)};
  }
  switch (ClassifyJson(text)) {
    case JsonShape::kPrefix:
      return {Reason::kTruncated, "the record ends before its JSON value is closed (cut off)"};
    case JsonShape::kInvalid:
      return {Reason::kMalformedJson, err == simdjson::NUMBER_ERROR ? "a malformed number, or a character after a "
                                                                      "number where a comma or bracket belongs"
                                                                    : simdjson::error_message(err)};
    case JsonShape::kComplete: break;
  }
  if (reason == Reason::kNumberOutOfRange) return {reason, "a number that does not fit in 64 bits"};
  return {reason, simdjson::error_message(err)};
}

void AppendJsonKey(std::string* out, std::string_view key) {
  out->push_back('"');
  for (const char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(ch);
    } else if (c < 0x20) {
      out->append(fmt::format("\\u{:04x}", c));
    } else {
      out->push_back(ch);
    }
  }
  out->push_back('"');
}

// An element's kind for schema inference.
char KindOf(simdjson::dom::element v) {
  switch (v.type()) {
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64: return 'i';
    case simdjson::dom::element_type::DOUBLE: return 'd';
    case simdjson::dom::element_type::STRING: return 's';
    case simdjson::dom::element_type::BOOL: return 'b';
    case simdjson::dom::element_type::NULL_VALUE: return 'n';
    default: return 'o';
  }
}

void ObserveString(SchemaInference* inf, std::string_view name, std::string_view s) {
  bool range = false;
  const bool number = !s.empty() && (ParseInt64(s, &range).has_value() || range || ParseDouble(s).has_value());
  const bool ts = !number && s.size() >= 10 && ParseTimestampMicros(s).has_value();
  inf->Observe(name, 's', ts, number);
}

}  // namespace

bool RecordParser::ParseJson(std::string_view text, ParsedRow* row, RecordError* error) {
  if (text.size() > options_.max_record_bytes) {
    *error = {Reason::kTooLarge, fmt::format("record of {} bytes exceeds max_record_bytes", text.size())};
    return false;
  }
  simdjson::dom::element doc;
  auto err = impl_->parser.parse(text.data(), text.size(), false).get(doc);
  if (err) {
    size_t first = 0;
    while (first < text.size() && (text[first] == ' ' || text[first] == '\t')) first++;
    if (first < text.size() && text[first] != '{' && text[first] != '[' && err != simdjson::UTF8_ERROR) {
      *error = {Reason::kMalformedJson, fmt::format("not JSON ({})", simdjson::error_message(err))};
      return false;
    }
    *error = ErrorFor(err, text);
    return false;
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    *error = {Reason::kNotAnObject, "the record is valid JSON but not an object"};
    return false;
  }
  const size_t n = schema_->fields.size();
  row->values.assign(n, Value{});
  std::fill(seen_.begin(), seen_.end(), 0);
  row->extra.clear();
  size_t pos = 0;
  for (auto field : obj) {
    const std::string_view name = field.key;
    // Records of a source mostly list their fields in one order: try the
    // field that stood at this position last time before searching.
    int idx = -1;
    if (pos < order_.size() && order_[pos] >= 0 && SameText(schema_->fields[order_[pos]].name, name)) {
      idx = order_[pos];
    } else {
      idx = schema_->Find(name);
      if (pos >= order_.size()) order_.resize(pos + 1, -1);
      order_[pos] = idx;
    }
    pos++;
    if (idx < 0) {
      if (schema_->unknown == UnknownFieldPolicy::kKeep) {
        row->extra.push_back(row->extra.empty() ? '{' : ',');
        AppendJsonKey(&row->extra, name);
        row->extra.push_back(':');
        row->extra.append(simdjson::to_string(field.value));
      }
      continue;
    }
    const Field& f = schema_->fields[idx];
    seen_[idx] = 1;
    Value* out = &row->values[idx];
    std::string* owned = &scratch_[idx];
    CoerceError ce = CoerceError::kNone;
    simdjson::dom::element v = field.value;
    if (nested_[idx] && v.type() != simdjson::dom::element_type::NULL_VALUE) {
      // A STRUCT/LIST field: rewritten to canonical JSON for its type, or quarantined.
      if (!FitNested(v, idx, row, error)) return false;
      continue;
    }
    switch (v.type()) {
      case simdjson::dom::element_type::NULL_VALUE: out->kind = Value::kNull; break;
      case simdjson::dom::element_type::STRING: {
        ce = CoerceText(v.get_string().value_unsafe(), f.type, out, owned);
        break;
      }
      case simdjson::dom::element_type::INT64: ce = CoerceInt(v.get_int64().value_unsafe(), f.type, out, owned); break;
      case simdjson::dom::element_type::UINT64:
        ce = CoerceUInt(v.get_uint64().value_unsafe(), f.type, out, owned);
        break;
      case simdjson::dom::element_type::DOUBLE:
        ce = CoerceDouble(v.get_double().value_unsafe(), f.type, out, owned);
        break;
      case simdjson::dom::element_type::BOOL: ce = CoerceBool(v.get_bool().value_unsafe(), f.type, out, owned); break;
      case simdjson::dom::element_type::ARRAY:
      case simdjson::dom::element_type::OBJECT:
        if (f.type == FieldType::kJson || f.type == FieldType::kString) {
          *owned = simdjson::to_string(v);
          out->kind = Value::kText;
          out->s = *owned;
        } else {
          ce = CoerceError::kBadType;
        }
        break;
    }
    if (ce != CoerceError::kNone) {
      std::string shown = simdjson::to_string(v);
      if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
      *error = {ce == CoerceError::kOutOfRange ? Reason::kNumberOutOfRange : Reason::kBadType,
                fmt::format("field {}: cannot coerce {} to {}", f.name, shown, FieldTypeName(f.type))};
      return false;
    }
  }
  if (!row->extra.empty()) row->extra.push_back('}');
  return Finish(row, error);
}

bool RecordParser::FitNested(const simdjson::dom::element& v, int idx, ParsedRow* row, RecordError* error) {
  const Field& f = schema_->fields[idx];
  std::string what;
  if (!CanonicalNestedJson(v, *nested_[idx], schema_->unknown == UnknownFieldPolicy::kDrop, &scratch_[idx], &what)) {
    *error = {Reason::kBadType, fmt::format("field {} does not fit nested_type {}: {}", f.name, f.nested_type, what)};
    return false;
  }
  row->values[idx].kind = Value::kText;
  row->values[idx].s = scratch_[idx];
  return true;
}

bool RecordParser::Finish(ParsedRow* row, RecordError* error) {
  for (size_t i = 0; i < schema_->fields.size(); i++) {
    const Field& f = schema_->fields[i];
    if (f.required && row->values[i].kind == Value::kNull) {
      *error = {Reason::kMissingRequired,
                fmt::format("required field {} is {}", f.name, seen_[i] ? "null or empty" : "missing")};
      return false;
    }
  }
  row->key = key_index_ >= 0 ? KeyText(row->values[key_index_], &key_scratch_) : std::string_view();
  return true;
}

bool RecordParser::ObserveJson(std::string_view text, SchemaInference* inference) {
  if (text.size() > options_.max_record_bytes) return false;
  simdjson::dom::element doc;
  if (impl_->parser.parse(text.data(), text.size(), false).get(doc)) return false;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return false;
  for (auto field : obj) {
    const char kind = KindOf(field.value);
    if (kind == 's') {
      ObserveString(inference, field.key, field.value.get_string().value_unsafe());
    } else if (kind == 'o') {
      inference->ObserveNested(field.key, field.value);
    } else {
      inference->Observe(field.key, kind, false, false);
    }
  }
  inference->EndRecord();
  return true;
}

bool SplitCsv(std::string_view line, char delimiter, std::vector<std::string>* fields) {
  fields->clear();
  std::string cur;
  size_t i = 0;
  while (true) {
    cur.clear();
    if (i < line.size() && line[i] == '"') {
      i++;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cur.push_back('"');
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        cur.push_back(line[i++]);
      }
      if (!closed) return false;
      if (i < line.size() && line[i] != delimiter) return false;
    } else {
      while (i < line.size() && line[i] != delimiter) {
        if (line[i] == '"') return false;
        cur.push_back(line[i++]);
      }
    }
    fields->push_back(cur);
    if (i >= line.size()) break;
    i++;  // delimiter
  }
  return true;
}

Status RecordParser::SetCsvHeader(std::string_view line, char delimiter) {
  if (!simdjson::validate_utf8(line.data(), line.size())) {
    csv_header_.clear();
    csv_map_.clear();
    return Status::InvalidArgument("the CSV header is not valid UTF-8");
  }
  csv_map_.clear();
  if (!SplitCsv(line, delimiter, &csv_header_)) {
    csv_header_.clear();
    return Status::InvalidArgument("the CSV header has broken quotes");
  }
  for (auto& h : csv_header_) {
    while (!h.empty() && (h.back() == ' ' || h.back() == '\r')) h.pop_back();
    csv_map_.push_back(schema_->Find(h));
  }
  return Status::OK();
}

bool RecordParser::ParseCsv(std::string_view line, char delimiter, ParsedRow* row, RecordError* error) {
  if (line.size() > options_.max_record_bytes) {
    *error = {Reason::kTooLarge, fmt::format("record of {} bytes exceeds max_record_bytes", line.size())};
    return false;
  }
  if (!simdjson::validate_utf8(line.data(), line.size())) {
    *error = {Reason::kInvalidUtf8, "the record is not valid UTF-8"};
    return false;
  }
  if (!SplitCsv(line, delimiter, &csv_fields_)) {
    *error = {Reason::kMalformedCsv, "broken quoting"};
    return false;
  }
  if (csv_header_.empty() || csv_map_.size() != csv_header_.size()) {
    *error = {Reason::kMalformedCsv, "the file has no valid CSV header"};
    return false;
  }
  if (csv_fields_.size() != csv_header_.size()) {
    *error = {Reason::kMalformedCsv,
              fmt::format("{} fields where the header has {}", csv_fields_.size(), csv_header_.size())};
    return false;
  }
  const size_t n = schema_->fields.size();
  row->values.assign(n, Value{});
  std::fill(seen_.begin(), seen_.end(), 0);
  row->extra.clear();
  for (size_t c = 0; c < csv_fields_.size(); c++) {
    const int idx = csv_map_[c];
    if (idx < 0) {
      if (schema_->unknown == UnknownFieldPolicy::kKeep) {
        row->extra.push_back(row->extra.empty() ? '{' : ',');
        AppendJsonKey(&row->extra, csv_header_[c]);
        row->extra.push_back(':');
        AppendJsonKey(&row->extra, csv_fields_[c]);
      }
      continue;
    }
    const Field& f = schema_->fields[idx];
    seen_[idx] = 1;
    // Copy into owned scratch: csv_fields_ is reused per record but stable
    // until the next call, so a view into it is fine for text values.
    std::string& owned = scratch_[idx];
    CoerceError ce;
    if (nested_[idx] && !csv_fields_[c].empty()) {
      // A STRUCT/LIST field in CSV: the field's text is JSON.
      simdjson::padded_string text(csv_fields_[c]);
      simdjson::dom::element v;
      if (impl_->parser.parse(text).get(v)) {
        *error = {Reason::kBadType, fmt::format("field {}: \"{}\" is not JSON (nested_type {})", f.name,
                                                csv_fields_[c].substr(0, 80), f.nested_type)};
        return false;
      }
      if (v.type() != simdjson::dom::element_type::NULL_VALUE && !FitNested(v, idx, row, error)) return false;
      continue;
    }
    if (f.type == FieldType::kString) {
      owned = csv_fields_[c];
      ce = CoerceText(owned, f.type, &row->values[idx], &owned);
      if (owned.empty()) row->values[idx].kind = Value::kNull;
    } else {
      ce = CoerceText(csv_fields_[c], f.type, &row->values[idx], &owned);
    }
    if (ce != CoerceError::kNone) {
      *error = {ce == CoerceError::kOutOfRange ? Reason::kNumberOutOfRange : Reason::kBadType,
                fmt::format("field {}: cannot coerce \"{}\" to {}", f.name, csv_fields_[c].substr(0, 80),
                            FieldTypeName(f.type))};
      return false;
    }
  }
  if (!row->extra.empty()) row->extra.push_back('}');
  return Finish(row, error);
}

bool RecordParser::ObserveCsv(std::string_view line, char delimiter, SchemaInference* inference) {
  if (!simdjson::validate_utf8(line.data(), line.size())) return false;
  if (!SplitCsv(line, delimiter, &csv_fields_) || csv_fields_.size() != csv_header_.size()) return false;
  for (size_t c = 0; c < csv_fields_.size(); c++) {
    if (csv_fields_[c].empty()) continue;
    ObserveString(inference, csv_header_[c], csv_fields_[c]);
  }
  inference->EndRecord();
  return true;
}

}  // namespace custlake::ingest
