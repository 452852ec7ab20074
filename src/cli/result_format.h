// Rendering a query result for people (an aligned table) and for programs
// (CSV per RFC 4180 with LF line ends, JSON rows with exact numbers).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/engine.h"
#include "query/result_format.h"

namespace custlake::cli {

enum class ResultFormat { kTable, kCsv, kJson };

/// A box-drawn table, aligned by display width (CJK and emoji take two
/// columns); long values are cut to `max_width` columns, control characters
/// shown escaped (\n, \t, \x1b), NULL as NULL.
std::string FormatTable(const engine::QueryResult& result, size_t max_width = 60);

// CSV and JSON rows live in src/query (the web API writes them too).
using query::CsvOptions;
using query::FormatCsv;
using query::JsonValue;
using query::ToJsonRows;
using query::UsableAsCsvNull;

}  // namespace custlake::cli
