// Internal: the per-database factories behind Connection::Open, and small
// text helpers the drivers share. Not part of the db module's API.
//
// Each Open* takes a URL whose password is already resolved. The MariaDB
// and PostgreSQL factories exist only when their CMake option is ON
// (CUSTLAKE_HAVE_MARIADB / CUSTLAKE_HAVE_POSTGRES).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "db/connection.h"

namespace custlake::db::internal {

Result<std::unique_ptr<Connection>> OpenSqlite(const DatabaseUrl& url, Access access);
#ifdef CUSTLAKE_HAVE_MARIADB
Result<std::unique_ptr<Connection>> OpenMariaDB(const DatabaseUrl& url, Access access);
#endif
#ifdef CUSTLAKE_HAVE_POSTGRES
Result<std::unique_ptr<Connection>> OpenPostgres(const DatabaseUrl& url, Access access);
#endif

/// "BIGINT", "DECIMAL", ...: for messages.
const char* SqlTypeName(SqlType type);

/// The shortest text that reads back as exactly `value` ("0.1", "1e+300").
std::string FormatDouble(double value);

/// Canonical timestamp text: 'T' becomes ' ', a UTC suffix ("Z", "+00",
/// "+00:00") is dropped, and the fraction loses trailing zeros (and its point
/// when nothing is left): "2024-01-31T12:00:00.500000Z" -> "2024-01-31 12:00:00.5".
/// With `keep_zone` (SQLite text, whose zone may be any) a "Z" or offset
/// stays: "2024-01-31T12:00:00Z" -> "2024-01-31 12:00:00Z".
std::string NormalizeTimestamp(std::string_view text, bool keep_zone = false);

/// Microseconds since 1970-01-01 UTC as "YYYY-MM-DD HH:MM:SS[.ffffff]"
/// (fraction without trailing zeros), or "YYYY-MM-DD" when `date_only`.
std::string FormatEpochMicros(int64_t micros, bool date_only);

/// Parses a whole base-10 int64 ("-42"); false when it is not one.
bool ParseInt64(std::string_view text, int64_t* out);

/// `name` between `quote` characters, each `quote` inside doubled:
/// QuoteWith("a\"b", '"') is "a""b" (SQL's delimited identifiers).
std::string QuoteWith(std::string_view name, char quote);

/// "row 17 of table customers (sqlite:x.db)"-style context for errors.
std::string RowContext(const DatabaseUrl& url, const std::string& table, int64_t row);

}  // namespace custlake::db::internal
