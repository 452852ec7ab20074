// Access to the DuckDB handles behind engine classes, for the engine's own
// translation units only (appender.cc). Not part of the public API.
#pragma once

#include <duckdb.h>

namespace custlake::engine {
class Session;
namespace internal {
duckdb_connection Handle(Session* session);
}  // namespace internal
}  // namespace custlake::engine
