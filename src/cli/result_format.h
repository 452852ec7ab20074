// Rendering a query result for people (an aligned table) and for programs
// (CSV per RFC 4180, JSON rows with numbers and booleans unquoted).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/engine.h"

namespace custlake::cli {

enum class ResultFormat { kTable, kCsv, kJson };

/// A box-drawn table; long values are cut to `max_width` characters.
std::string FormatTable(const engine::QueryResult& result, size_t max_width = 60);
std::string FormatCsv(const engine::QueryResult& result);
/// [{"col": value, ...}, ...]
nlohmann::json ToJsonRows(const engine::QueryResult& result);

}  // namespace custlake::cli
