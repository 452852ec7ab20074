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
/// Writes unscaled decimal `v` as DuckDB stores a DECIMAL of `width` digits:
/// int16 up to 4, int32 up to 9, int64 up to 18.
inline void StoreDecimal(void* data, size_t row, uint8_t width, int64_t v) {
  if (width <= 4) {
    static_cast<int16_t*>(data)[row] = static_cast<int16_t>(v);
  } else if (width <= 9) {
    static_cast<int32_t*>(data)[row] = static_cast<int32_t>(v);
  } else {
    static_cast<int64_t*>(data)[row] = v;
  }
}
}  // namespace internal
}  // namespace custlake::engine
