// Text helpers shared by the database drivers (see drivers.h).
#include <charconv>
#include <cmath>

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

std::string NormalizeTimestamp(std::string_view text) {
  std::string out(text);
  if (out.size() > 10 && out[10] == 'T') out[10] = ' ';
  for (std::string_view suffix : {"Z", "+00:00", "+00", "+0000"}) {
    if (out.size() > 19 && std::string_view(out).substr(out.size() - suffix.size()) == suffix) {
      out.resize(out.size() - suffix.size());
      break;
    }
  }
  if (size_t dot = out.find('.', 19); dot != std::string::npos && dot == 19) {
    size_t end = out.size();
    while (end > dot + 1 && out[end - 1] == '0') --end;
    if (end == dot + 1) end = dot;
    out.resize(end);
  }
  return out;
}

bool ParseInt64(std::string_view text, int64_t* out) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

std::string RowContext(const DatabaseUrl& url, const std::string& table, int64_t row) {
  return "row " + std::to_string(row) + " of table " + table + " (" + url.Masked() + ")";
}

}  // namespace custlake::db::internal
