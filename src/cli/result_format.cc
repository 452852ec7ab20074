#include "cli/result_format.h"

#include <algorithm>

namespace custlake::cli {
namespace {

/// Display width of UTF-8 text (code points; good enough for a terminal table).
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Cut(const std::string& s, size_t max_width) {
  if (Width(s) <= max_width) return s;
  std::string out;
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80 && ++n > max_width - 1) break;
    out += s[i];
  }
  return out + "…";
}

std::string Cell(const engine::QueryResult& r, size_t row, size_t col) {
  return r.nulls[row][col] ? "NULL" : r.rows[row][col];
}

std::string Pad(const std::string& s, size_t width, bool right) {
  std::string fill(width - std::min(width, Width(s)), ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

std::string FormatTable(const engine::QueryResult& r, size_t max_width) {
  const size_t ncols = r.columns.size();
  std::vector<size_t> width(ncols);
  for (size_t c = 0; c < ncols; c++) width[c] = std::max(Width(r.columns[c]), Width(r.types[c]));
  for (size_t row = 0; row < r.rows.size(); row++) {
    for (size_t c = 0; c < ncols; c++) width[c] = std::max(width[c], Width(Cut(Cell(r, row, c), max_width)));
  }
  auto rule = [&](const char* left, const char* mid, const char* right) {
    std::string line = left;
    for (size_t c = 0; c < ncols; c++) {
      for (size_t i = 0; i < width[c] + 2; i++) line += "─";
      line += c + 1 < ncols ? mid : right;
    }
    return line + "\n";
  };
  std::string out = rule("┌", "┬", "┐");
  auto line = [&](const std::vector<std::string>& cells, const std::vector<bool>& right) {
    std::string text = "│";
    for (size_t c = 0; c < ncols; c++) text += " " + Pad(cells[c], width[c], right[c]) + " │";
    return text + "\n";
  };
  std::vector<bool> left(ncols, false), numeric(ncols);
  for (size_t c = 0; c < ncols; c++) {
    numeric[c] = r.kinds[c] == engine::ValueKind::kInteger || r.kinds[c] == engine::ValueKind::kFloat;
  }
  out += line(r.columns, left);
  out += line(r.types, left);
  out += rule("├", "┼", "┤");
  for (size_t row = 0; row < r.rows.size(); row++) {
    std::vector<std::string> cells(ncols);
    for (size_t c = 0; c < ncols; c++) cells[c] = Cut(Cell(r, row, c), max_width);
    out += line(cells, numeric);
  }
  out += rule("└", "┴", "┘");
  out += std::to_string(r.rows.size()) + (r.rows.size() == 1 ? " row" : " rows");
  if (r.truncated) out += " (more rows exist: raise --max-rows to see them)";
  return out + "\n";
}

std::string FormatCsv(const engine::QueryResult& r) {
  auto field = [](const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + "\"";
  };
  std::string out;
  for (size_t c = 0; c < r.columns.size(); c++) out += (c ? "," : "") + field(r.columns[c]);
  out += "\r\n";
  for (size_t row = 0; row < r.rows.size(); row++) {
    for (size_t c = 0; c < r.columns.size(); c++) {
      out += (c ? "," : "") + (r.nulls[row][c] ? std::string() : field(r.rows[row][c]));
    }
    out += "\r\n";
  }
  return out;
}

nlohmann::json ToJsonRows(const engine::QueryResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t row = 0; row < r.rows.size(); row++) {
    nlohmann::json obj = nlohmann::json::object();
    for (size_t c = 0; c < r.columns.size(); c++) {
      const std::string& v = r.rows[row][c];
      if (r.nulls[row][c]) {
        obj[r.columns[c]] = nullptr;
        continue;
      }
      switch (r.kinds[c]) {
        case engine::ValueKind::kBoolean:
          obj[r.columns[c]] = v == "true";
          break;
        case engine::ValueKind::kInteger:
        case engine::ValueKind::kFloat: {
          // Keep the exact text (DECIMAL, HUGEINT) as a JSON number.
          nlohmann::json parsed = nlohmann::json::parse(v, nullptr, false);
          obj[r.columns[c]] = parsed.is_discarded() ? nlohmann::json(v) : parsed;
          break;
        }
        default:
          obj[r.columns[c]] = v;
      }
    }
    rows.push_back(std::move(obj));
  }
  return rows;
}

}  // namespace custlake::cli
