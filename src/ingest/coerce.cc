#include "ingest/coerce.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "ingest/timestamp_parse.h"

namespace custlake::ingest {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

void SetText(std::string_view text, Value* out) {
  out->kind = Value::kText;
  out->s = text;
}

}  // namespace

std::optional<int64_t> ParseInt64(std::string_view text, bool* out_of_range) {
  *out_of_range = false;
  std::string_view s = Trim(text);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) {
    *out_of_range = true;
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view text) {
  std::string_view s = Trim(text);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  // Only JSON-like numbers: digits, sign, '.', exponent (no "nan", "inf", hex).
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == '.' || c == 'e' || c == 'E' || c == '+')) return std::nullopt;
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

CoerceError CoerceText(std::string_view text, FieldType type, Value* out, std::string* owned) {
  if (type == FieldType::kString) {
    SetText(text, out);
    return CoerceError::kNone;
  }
  if (type == FieldType::kJson) {
    owned->clear();
    AppendJsonString(text, owned);
    SetText(*owned, out);
    return CoerceError::kNone;
  }
  const std::string_view t = Trim(text);
  if (t.empty()) {
    out->kind = Value::kNull;
    return CoerceError::kNone;
  }
  switch (type) {
    case FieldType::kInt64: {
      bool range = false;
      if (auto v = ParseInt64(t, &range)) {
        out->kind = Value::kInt;
        out->i = *v;
        return CoerceError::kNone;
      }
      if (range) return CoerceError::kOutOfRange;
      if (auto d = ParseDouble(t)) return CoerceDouble(*d, type, out, owned);
      return CoerceError::kBadType;
    }
    case FieldType::kDouble: {
      if (auto d = ParseDouble(t)) {
        out->kind = Value::kDouble;
        out->d = *d;
        return CoerceError::kNone;
      }
      return CoerceError::kBadType;
    }
    case FieldType::kBool: {
      for (const char* yes : {"true", "t", "yes", "y", "1"}) {
        if (EqualsNoCase(t, yes)) return CoerceBool(true, type, out, owned);
      }
      for (const char* no : {"false", "f", "no", "n", "0"}) {
        if (EqualsNoCase(t, no)) return CoerceBool(false, type, out, owned);
      }
      return CoerceError::kBadType;
    }
    case FieldType::kTimestamp: {
      if (auto v = ParseTimestampMicros(t)) {
        out->kind = Value::kInt;
        out->i = *v;
        return CoerceError::kNone;
      }
      return CoerceError::kBadType;
    }
    case FieldType::kDate: {
      if (auto v = ParseDateDays(t)) {
        out->kind = Value::kInt;
        out->i = *v;
        return CoerceError::kNone;
      }
      return CoerceError::kBadType;
    }
    default: break;
  }
  return CoerceError::kBadType;
}

namespace {
// An epoch number already converted to microseconds, stored as a timestamp
// or as the day it falls on.
CoerceError SetEpoch(std::optional<int64_t> micros, FieldType type, Value* out) {
  if (!micros) return CoerceError::kOutOfRange;
  out->kind = Value::kInt;
  out->i = type == FieldType::kDate ? MicrosToDays(*micros) : *micros;
  return CoerceError::kNone;
}
}  // namespace

CoerceError CoerceInt(int64_t v, FieldType type, Value* out, std::string* owned) {
  switch (type) {
    case FieldType::kInt64:
      out->kind = Value::kInt;
      out->i = v;
      return CoerceError::kNone;
    case FieldType::kDouble:
      out->kind = Value::kDouble;
      out->d = static_cast<double>(v);
      return CoerceError::kNone;
    case FieldType::kBool:
      if (v == 0 || v == 1) return CoerceBool(v == 1, type, out, owned);
      return CoerceError::kBadType;
    case FieldType::kTimestamp:
    case FieldType::kDate:
      return SetEpoch(EpochIntegerToMicros(v), type, out);
    case FieldType::kString:
    case FieldType::kJson: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), v);
      owned->assign(buf, r.ptr);
      SetText(*owned, out);
      return CoerceError::kNone;
    }
  }
  return CoerceError::kBadType;
}

CoerceError CoerceUInt(uint64_t v, FieldType type, Value* out, std::string* owned) {
  if (v <= static_cast<uint64_t>(INT64_MAX)) return CoerceInt(static_cast<int64_t>(v), type, out, owned);
  switch (type) {
    case FieldType::kDouble:
      out->kind = Value::kDouble;
      out->d = static_cast<double>(v);
      return CoerceError::kNone;
    case FieldType::kString:
    case FieldType::kJson: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), v);
      owned->assign(buf, r.ptr);
      SetText(*owned, out);
      return CoerceError::kNone;
    }
    default: return CoerceError::kOutOfRange;
  }
}

CoerceError CoerceDouble(double v, FieldType type, Value* out, std::string* owned) {
  switch (type) {
    case FieldType::kDouble:
      out->kind = Value::kDouble;
      out->d = v;
      return CoerceError::kNone;
    case FieldType::kInt64:
      if (!std::isfinite(v) || v != std::floor(v)) return CoerceError::kBadType;
      if (v < -9.2233720368547758e18 || v >= 9.2233720368547758e18) return CoerceError::kOutOfRange;
      out->kind = Value::kInt;
      out->i = static_cast<int64_t>(v);
      return CoerceError::kNone;
    case FieldType::kTimestamp:
    case FieldType::kDate:
      return SetEpoch(EpochNumberToMicros(v), type, out);
    case FieldType::kString:
    case FieldType::kJson: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), v);
      owned->assign(buf, r.ptr);
      SetText(*owned, out);
      return CoerceError::kNone;
    }
    case FieldType::kBool: return CoerceError::kBadType;
  }
  return CoerceError::kBadType;
}

std::string_view KeyText(const Value& v, std::string* scratch) {
  switch (v.kind) {
    case Value::kText: return v.s;
    case Value::kBool: return v.i ? "true" : "false";
    case Value::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), v.i);
      scratch->assign(buf, r.ptr);
      return *scratch;
    }
    case Value::kDouble: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), v.d);  // shortest round-trip
      scratch->assign(buf, r.ptr);
      return *scratch;
    }
    case Value::kNull: break;
  }
  return {};
}

std::string KeyLakeSql(const std::string& col, FieldType type) {
  switch (type) {
    case FieldType::kTimestamp: return "CAST(epoch_us(" + col + ") AS VARCHAR)";
    case FieldType::kDate: return "CAST(datediff('day', DATE '1970-01-01', " + col + ") AS VARCHAR)";
    default: return "CAST(" + col + " AS VARCHAR)";
  }
}

std::optional<std::string_view> KeyTextFromLake(std::string_view stored, FieldType type, std::string* scratch) {
  Value v;
  switch (type) {
    case FieldType::kString:
    case FieldType::kJson: return stored;
    case FieldType::kBool:
      if (stored != "true" && stored != "false") return std::nullopt;
      return stored;
    case FieldType::kInt64:
    case FieldType::kTimestamp:
    case FieldType::kDate: {
      bool range = false;
      auto i = ParseInt64(stored, &range);
      if (!i) return std::nullopt;
      v.kind = Value::kInt;
      v.i = *i;
      break;
    }
    case FieldType::kDouble: {
      double d = 0;
      auto [ptr, ec] = std::from_chars(stored.data(), stored.data() + stored.size(), d);
      if (ec != std::errc() || ptr != stored.data() + stored.size()) return std::nullopt;
      v.kind = Value::kDouble;
      v.d = d;
      break;
    }
  }
  return KeyText(v, scratch);
}

CoerceError CoerceBool(bool v, FieldType type, Value* out, std::string* owned) {
  switch (type) {
    case FieldType::kBool:
      out->kind = Value::kBool;
      out->i = v ? 1 : 0;
      return CoerceError::kNone;
    case FieldType::kString:
    case FieldType::kJson:
      SetText(v ? "true" : "false", out);
      return CoerceError::kNone;
    default: return CoerceError::kBadType;
  }
}

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

}  // namespace custlake::ingest
