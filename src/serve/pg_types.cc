#include "serve/pg_types.h"

#include <chrono>
#include <cstring>
#include <map>

namespace custlake::serve {

namespace {

std::string BigEndian(uint64_t v, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return out;
}

uint64_t FromBigEndian(const std::string& bytes) {
  uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return v;
}

PgType DecimalType(const std::string& name) {
  int precision = 0, scale = 0;
  if (std::sscanf(name.c_str(), "DECIMAL(%d,%d)", &precision, &scale) != 2) return {oid::kNumeric, -1, -1};
  return {oid::kNumeric, -1, ((precision << 16) | scale) + 4};
}

/// Days since 2000-01-01 (PostgreSQL's epoch) of "YYYY-MM-DD..." text.
std::optional<int64_t> PgEpochDays(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() < 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!date.ok()) return std::nullopt;
  constexpr std::chrono::sys_days kEpoch = std::chrono::year{2000} / 1 / 1;
  return (std::chrono::sys_days{date} - kEpoch).count();
}

/// Microseconds since 2000-01-01 00:00:00 of "YYYY-MM-DD HH:MM:SS[.ffffff]" text.
std::optional<int64_t> PgEpochMicros(const std::string& text) {
  std::optional<int64_t> days = PgEpochDays(text);
  unsigned h = 0, mi = 0, sec = 0;
  if (!days || text.size() < 19 || std::sscanf(text.c_str() + 10, " %2u:%2u:%2u", &h, &mi, &sec) != 3) {
    return std::nullopt;
  }
  int64_t micros = 0;
  if (text.size() > 20 && text[19] == '.') {
    std::string fraction = text.substr(20, 6);
    if (fraction.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    fraction.resize(6, '0');
    micros = std::stoll(fraction);
  } else if (text.size() != 19) {
    return std::nullopt;  // an offset or another form: no binary value
  }
  return ((*days * 24 + h) * 60 + mi) * 60'000'000LL + sec * 1'000'000LL + micros;
}

}  // namespace

PgType PgTypeFor(const std::string& t) {
  static const std::map<std::string, PgType> kTypes{{"BOOLEAN", {oid::kBool, 1, -1}},
                                                    {"TINYINT", {oid::kInt2, 2, -1}},
                                                    {"SMALLINT", {oid::kInt2, 2, -1}},
                                                    {"UTINYINT", {oid::kInt2, 2, -1}},
                                                    {"INTEGER", {oid::kInt4, 4, -1}},
                                                    {"USMALLINT", {oid::kInt4, 4, -1}},
                                                    {"BIGINT", {oid::kInt8, 8, -1}},
                                                    {"UINTEGER", {oid::kInt8, 8, -1}},
                                                    {"UBIGINT", {oid::kNumeric, -1, -1}},
                                                    {"HUGEINT", {oid::kNumeric, -1, -1}},
                                                    {"FLOAT", {oid::kFloat4, 4, -1}},
                                                    {"DOUBLE", {oid::kFloat8, 8, -1}},
                                                    {"VARCHAR", {oid::kText, -1, -1}},
                                                    {"DATE", {oid::kDate, 4, -1}},
                                                    {"TIME", {oid::kTime, 8, -1}},
                                                    {"TIMESTAMP", {oid::kTimestamp, 8, -1}},
                                                    {"TIMESTAMP WITH TIME ZONE", {oid::kTimestampTz, 8, -1}},
                                                    {"INTERVAL", {oid::kInterval, 16, -1}},
                                                    {"UUID", {oid::kUuid, 16, -1}},
                                                    {"BLOB", {oid::kBytea, -1, -1}},
                                                    {"JSON", {oid::kJson, -1, -1}}};
  if (t.starts_with("DECIMAL")) return DecimalType(t);
  auto it = kTypes.find(t);
  return it == kTypes.end() ? PgType{} : it->second;
}

std::string DuckDbTypeForOid(int32_t type_oid) {
  switch (type_oid) {
    case oid::kBool:
      return "BOOLEAN";
    case oid::kInt2:
      return "SMALLINT";
    case oid::kInt4:
      return "INTEGER";
    case oid::kInt8:
      return "BIGINT";
    case oid::kFloat4:
      return "FLOAT";
    case oid::kFloat8:
      return "DOUBLE";
    case oid::kNumeric:
      return "DECIMAL(38,10)";
    case oid::kText:
    case oid::kVarchar:
      return "VARCHAR";
    case oid::kDate:
      return "DATE";
    case oid::kTimestamp:
      return "TIMESTAMP";
    case oid::kTimestampTz:
      return "TIMESTAMPTZ";
    default:
      return "";
  }
}

std::string TextValue(const std::string& value, engine::ValueKind kind) {
  if (kind == engine::ValueKind::kBoolean) return value == "true" ? "t" : value == "false" ? "f" : value;
  return value;
}

std::optional<std::string> BinaryValue(const std::string& value, int32_t type_oid) {
  try {
    switch (type_oid) {
      case oid::kBool:
        return std::string(1, value == "true" || value == "t" ? '\1' : '\0');
      case oid::kInt2:
        return BigEndian(static_cast<uint64_t>(std::stoll(value)), 2);
      case oid::kInt4:
        return BigEndian(static_cast<uint64_t>(std::stoll(value)), 4);
      case oid::kInt8:
        return BigEndian(static_cast<uint64_t>(std::stoll(value)), 8);
      case oid::kFloat4: {
        const float f = std::stof(value);
        uint32_t bits = 0;
        std::memcpy(&bits, &f, 4);
        return BigEndian(bits, 4);
      }
      case oid::kFloat8: {
        const double d = std::stod(value);
        uint64_t bits = 0;
        std::memcpy(&bits, &d, 8);
        return BigEndian(bits, 8);
      }
      case oid::kDate: {
        std::optional<int64_t> days = PgEpochDays(value);
        if (!days || value.size() != 10) return std::nullopt;
        return BigEndian(static_cast<uint64_t>(*days), 4);
      }
      case oid::kTimestamp: {
        std::optional<int64_t> micros = PgEpochMicros(value);
        if (!micros) return std::nullopt;
        return BigEndian(static_cast<uint64_t>(*micros), 8);
      }
      case oid::kText:
      case oid::kVarchar:
      case oid::kJson:
        return value;
      default:
        return std::nullopt;
    }
  } catch (const std::exception&) {
    return std::nullopt;  // inf/nan spelled differently, out of range: no binary form
  }
}

/// PostgreSQL's binary NUMERIC (ndigits, weight, sign, dscale, then base-10000
/// digits, all big-endian int16) as decimal text; nullopt when malformed.
static std::optional<std::string> BinaryNumericAsText(const std::string& bytes) {
  if (bytes.size() < 8) return std::nullopt;
  auto at = [&](size_t i) { return static_cast<int16_t>(FromBigEndian(bytes.substr(2 * i, 2))); };
  const int16_t ndigits = at(0), weight = at(1), dscale = at(3);
  const uint16_t sign = static_cast<uint16_t>(at(2));
  if (ndigits < 0 || dscale < 0 || dscale > 1000 || bytes.size() != 8 + 2 * static_cast<size_t>(ndigits)) return std::nullopt;
  if (sign == 0xC000) return std::string("NaN");
  if (sign != 0x0000 && sign != 0x4000) return std::nullopt;
  if (weight < -1000 || weight > 1000) return std::nullopt;
  std::string integer, fraction;
  for (int w = weight; w >= 0; --w) {  // digit group i has weight (weight - i)
    const int i = weight - w;
    const int16_t group = i < ndigits ? at(4 + static_cast<size_t>(i)) : 0;
    if (group < 0 || group > 9999) return std::nullopt;
    char buf[8];
    std::snprintf(buf, sizeof buf, integer.empty() ? "%d" : "%04d", group);
    if (!(integer.empty() && group == 0)) integer += buf;
  }
  for (int w = -1; static_cast<int>(fraction.size()) < dscale; --w) {
    const int i = weight - w;
    const int16_t group = i >= 0 && i < ndigits ? at(4 + static_cast<size_t>(i)) : 0;
    if (group < 0 || group > 9999) return std::nullopt;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04d", group);
    fraction += buf;
  }
  fraction.resize(static_cast<size_t>(dscale));
  std::string text = (sign == 0x4000 ? "-" : "") + (integer.empty() ? std::string("0") : integer);
  return fraction.empty() ? text : text + "." + fraction;
}

std::optional<std::string> BinaryParamAsText(const std::string& bytes, int32_t type_oid) {
  if (type_oid == oid::kNumeric) return BinaryNumericAsText(bytes);
  const uint64_t v = FromBigEndian(bytes);
  switch (type_oid) {
    case oid::kBool:
      if (bytes.size() == 1) return std::string(v ? "true" : "false");
      break;
    case oid::kInt2:
      if (bytes.size() == 2) return std::to_string(static_cast<int16_t>(v));
      break;
    case oid::kInt4:
      if (bytes.size() == 4) return std::to_string(static_cast<int32_t>(v));
      break;
    case oid::kInt8:
      if (bytes.size() == 8) return std::to_string(static_cast<int64_t>(v));
      break;
    case oid::kFloat8:
      if (bytes.size() == 8) {
        double d = 0;
        std::memcpy(&d, &v, 8);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", d);
        return std::string(buf);
      }
      break;
    case oid::kText:
    case oid::kVarchar:
      return bytes;
    default:
      break;
  }
  return std::nullopt;
}

}  // namespace custlake::serve
