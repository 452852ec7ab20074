#include "query/result_format.h"

namespace custlake::query {
namespace {

bool IsDecimal(const std::string& type) { return type.rfind("DECIMAL", 0) == 0; }

}  // namespace

bool UsableAsCsvNull(const std::string& text) { return text.find_first_of(",\"\r\n") == std::string::npos; }

std::string FormatCsv(const engine::QueryResult& r, const CsvOptions& options) {
  auto field = [&options](const std::string& s) {
    if (!s.empty() && s != options.null_text && UsableAsCsvNull(s)) return s;
    std::string q = "\"";
    for (char c : s) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + "\"";
  };
  const char* end = options.crlf ? "\r\n" : "\n";
  std::string out;
  for (size_t c = 0; c < r.columns.size(); c++) out += (c ? "," : "") + field(r.columns[c]);
  out += end;
  for (size_t row = 0; row < r.rows.size(); row++) {
    for (size_t c = 0; c < r.columns.size(); c++) {
      out += (c ? "," : "") + (r.nulls[row][c] ? options.null_text : field(r.rows[row][c]));
    }
    out += end;
  }
  return out;
}

nlohmann::json JsonValue(const std::string& text, engine::ValueKind kind, const std::string& type) {
  switch (kind) {
    case engine::ValueKind::kBoolean:
      return text == "true";
    case engine::ValueKind::kInteger: {
      // 64-bit integers are held exactly; a HUGEINT past them would become a double.
      nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
      return parsed.is_number_integer() ? parsed : nlohmann::json(text);
    }
    case engine::ValueKind::kFloat: {
      if (IsDecimal(type)) return text;  // exact to the last digit, whatever its precision
      nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
      return parsed.is_number() ? parsed : nlohmann::json(text);  // "inf", "nan" stay text
    }
    default:
      return text;
  }
}

nlohmann::json ToJsonRows(const engine::QueryResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t row = 0; row < r.rows.size(); row++) {
    nlohmann::json obj = nlohmann::json::object();
    for (size_t c = 0; c < r.columns.size(); c++) {
      obj[r.columns[c]] =
          r.nulls[row][c] ? nlohmann::json() : JsonValue(r.rows[row][c], r.kinds[c], r.types[c]);
    }
    rows.push_back(std::move(obj));
  }
  return rows;
}

}  // namespace custlake::query
