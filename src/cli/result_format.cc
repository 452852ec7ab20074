#include "cli/result_format.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/display_width.h"

namespace custlake::cli {
namespace {

/// Control characters as escapes, so a value cannot break a table's lines
/// or send the terminal an escape sequence.
std::string Printable(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7F) {
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

std::string Cell(const engine::QueryResult& r, size_t row, size_t col, size_t max_width) {
  return r.nulls[row][col] ? "NULL" : CutToWidth(Printable(r.rows[row][col]), max_width);
}

std::string Pad(const std::string& s, size_t width, bool right) {
  std::string fill(width - std::min(width, DisplayWidth(s)), ' ');
  return right ? fill + s : s + fill;
}

std::string Rule(const std::vector<size_t>& width, const char* left, const char* mid, const char* right) {
  std::string line = left;
  for (size_t c = 0; c < width.size(); c++) {
    for (size_t i = 0; i < width[c] + 2; i++) line += "─";
    line += c + 1 < width.size() ? mid : right;
  }
  return line + "\n";
}

std::string Line(const std::vector<std::string>& cells, const std::vector<size_t>& width,
                 const std::vector<bool>& right) {
  std::string text = "│";
  for (size_t c = 0; c < cells.size(); c++) text += " " + Pad(cells[c], width[c], right[c]) + " │";
  return text + "\n";
}

}  // namespace

std::string FormatTable(const engine::QueryResult& r, size_t max_width) {
  const size_t ncols = r.columns.size();
  std::vector<std::string> names(ncols);
  std::vector<size_t> width(ncols);
  std::vector<bool> left(ncols, false), numeric(ncols);
  for (size_t c = 0; c < ncols; c++) {
    names[c] = Printable(r.columns[c]);
    width[c] = std::max(DisplayWidth(names[c]), DisplayWidth(r.types[c]));
    numeric[c] = r.kinds[c] == engine::ValueKind::kInteger || r.kinds[c] == engine::ValueKind::kFloat;
  }
  std::vector<std::vector<std::string>> cells(r.rows.size(), std::vector<std::string>(ncols));
  for (size_t row = 0; row < r.rows.size(); row++) {
    for (size_t c = 0; c < ncols; c++) {
      cells[row][c] = Cell(r, row, c, max_width);
      width[c] = std::max(width[c], DisplayWidth(cells[row][c]));
    }
  }
  std::string out = Rule(width, "┌", "┬", "┐");
  out += Line(names, width, left);
  out += Line(r.types, width, left);
  out += Rule(width, "├", "┼", "┤");
  for (const std::vector<std::string>& row : cells) out += Line(row, width, numeric);
  out += Rule(width, "└", "┴", "┘");
  out += std::to_string(r.rows.size()) + (r.rows.size() == 1 ? " row" : " rows");
  if (r.truncated) out += " (more rows exist: raise --max-rows to see them)";
  return out + "\n";
}

}  // namespace custlake::cli
