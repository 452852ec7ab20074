// Query results for programs: CSV per RFC 4180 with LF line ends, and JSON
// rows with exact numbers (`custlake query --format csv|json`, the web API).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/engine.h"

namespace custlake::query {

struct CsvOptions {
  /// Written for NULL. A value equal to it is quoted, so the two stay apart:
  /// by default NULL is an empty unquoted field and the empty string is ""
  /// (as PostgreSQL's COPY ... CSV writes them; "" whatever the NULL text).
  /// Must not need quoting itself.
  std::string null_text;
  bool crlf = false;  ///< end lines with CRLF instead of LF
};
/// The header line, then one line per row; a field is quoted when it holds a
/// comma, quote or line break, is empty, or equals `null_text`.
std::string FormatCsv(const engine::QueryResult& result, const CsvOptions& options = {});
/// The same, a piece at a time (custlake query's streamed output): the header
/// line of `columns`, and the lines of a streamed chunk's rows, appended to *out.
std::string CsvHeader(const std::vector<std::string>& columns, const CsvOptions& options = {});
void AppendCsvRows(const engine::TextChunk& chunk, size_t rows, const CsvOptions& options, std::string* out);
/// Whether `text` can stand for NULL in CSV (no comma, quote or line break).
bool UsableAsCsvNull(const std::string& text);

/// One value as JSON, exactly: booleans, and integers and floating-point
/// numbers as numbers; DECIMAL values, and integers beyond 64 bits, as
/// strings of their exact decimal text (a JSON number is read as a double by
/// most consumers, which would lose cents past 2^53).
nlohmann::json JsonValue(const std::string& text, engine::ValueKind kind, const std::string& type);
/// [{"col": value, ...}, ...], values as JsonValue gives them.
nlohmann::json ToJsonRows(const engine::QueryResult& result);

}  // namespace custlake::query
