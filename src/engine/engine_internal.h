// Access to the DuckDB handles behind engine classes, and shared helpers,
// for the engine's own translation units only. Not part of the public API.
#pragma once

#include <duckdb.h>

#include "engine/appender.h"

namespace custlake::engine {
class Session;
namespace internal {
duckdb_connection Handle(Session* session);
/// The DuckDB type of an Appender/RowStream column; the caller destroys it.
duckdb_logical_type MakeLogicalType(const ColumnSpec& column);
}  // namespace internal
}  // namespace custlake::engine
