#include "query/result_format.h"

namespace custlake::query {
namespace {

bool IsDecimal(const std::string& type) { return type.rfind("DECIMAL", 0) == 0; }

}  // namespace

bool UsableAsCsvNull(const std::string& text) { return text.find_first_of(",\"\r\n") == std::string::npos; }

namespace {

/// One CSV field: quoted when it holds a comma, quote or line break, is empty, or equals the NULL text.
void AppendCsvField(std::string_view s, const CsvOptions& options, std::string* out) {
  if (!s.empty() && s != options.null_text && s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

const char* LineEnd(const CsvOptions& options) { return options.crlf ? "\r\n" : "\n"; }

}  // namespace

std::string CsvHeader(const std::vector<std::string>& columns, const CsvOptions& options) {
  std::string out;
  for (size_t c = 0; c < columns.size(); c++) {
    if (c) out += ',';
    AppendCsvField(columns[c], options, &out);
  }
  return out + LineEnd(options);
}

void AppendCsvRows(const engine::TextChunk& chunk, size_t rows, const CsvOptions& options, std::string* out) {
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < chunk.values.size(); c++) {
      if (c) out->push_back(',');
      if (chunk.nulls[c][r]) {
        out->append(options.null_text);
      } else {
        AppendCsvField(chunk.values[c][r], options, out);
      }
    }
    out->append(LineEnd(options));
  }
}

std::string FormatCsv(const engine::QueryResult& r, const CsvOptions& options) {
  std::string out = CsvHeader(r.columns, options);
  for (size_t row = 0; row < r.rows.size(); row++) {
    for (size_t c = 0; c < r.columns.size(); c++) {
      if (c) out += ',';
      if (r.nulls[row][c]) {
        out += options.null_text;
      } else {
        AppendCsvField(r.rows[row][c], options, &out);
      }
    }
    out += LineEnd(options);
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
