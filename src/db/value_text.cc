// Text helpers shared by the database drivers (see drivers.h).
#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/civil_date.h"
#include "db/drivers.h"

namespace custlake::db::internal {

const char* SqlTypeName(SqlType type) {
  switch (type) {
    case SqlType::kBoolean:
      return "BOOLEAN";
    case SqlType::kInteger:
      return "INTEGER";
    case SqlType::kBigInt:
      return "BIGINT";
    case SqlType::kDouble:
      return "DOUBLE";
    case SqlType::kDecimal:
      return "DECIMAL";
    case SqlType::kText:
      return "TEXT";
    case SqlType::kDate:
      return "DATE";
    case SqlType::kTimestamp:
      return "TIMESTAMP";
  }
  return "?";
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, ec == std::errc() ? end : buf);
}

std::string NormalizeTimestamp(std::string_view text, bool keep_zone) {
  std::string out(text);
  if (out.size() > 10 && out[10] == 'T') out[10] = ' ';
  for (std::string_view suffix : {"Z", "+00:00", "+00", "+0000"}) {
    if (keep_zone) break;
    if (out.size() > 19 && std::string_view(out).substr(out.size() - suffix.size()) == suffix) {
      out.resize(out.size() - suffix.size());
      break;
    }
  }
  // Trailing fraction zeros only when nothing (an offset) follows the digits.
  if (size_t dot = out.find('.', 19);
      dot == 19 && out.find_first_not_of("0123456789", dot + 1) == std::string::npos) {
    size_t end = out.size();
    while (end > dot + 1 && out[end - 1] == '0') --end;
    if (end == dot + 1) end = dot;
    out.resize(end);
  }
  return out;
}

std::string FormatEpochMicros(int64_t micros, bool date_only) {
  std::string text = FormatDateTimeMicros(micros);
  if (date_only) return text.substr(0, text.find(' '));
  return NormalizeTimestamp(text);
}

bool ParseInt64(std::string_view text, int64_t* out) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

std::string QuoteWith(std::string_view name, char quote) {
  std::string out(1, quote);
  for (char c : name) {
    if (c == quote) out += quote;
    out += c;
  }
  return out + quote;
}

std::string RowContext(const DatabaseUrl& url, const std::string& table, int64_t row) {
  return "row " + std::to_string(row) + " of table " + table + " (" + url.Masked() + ")";
}

}  // namespace custlake::db::internal
