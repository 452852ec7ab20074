// PostgreSQL spellings DuckDB does not parse, rewritten before a statement
// runs (outside string literals, quoted identifiers and comments):
//   OPERATOR(pg_catalog.~)           -> ~            (psql's \d)
//   COLLATE pg_catalog.default       -> (nothing)
//   pg_catalog.X                     -> X            (the session's search_path, main then
//                                                     pg_compat, finds pg_catalog.h's views and
//                                                     macros first, then DuckDB's own pg_catalog)
//   information_schema.X             -> pg_info.X    for the views pg_catalog.h defines
//   information_schema._pg_expandarray -> pg_compat._pg_expandarray (JDBC's primary keys)
//   'name'::regclass                 -> pg_compat.regclass_oid('name')
//   column::regclass                 -> pg_compat.regclass_name(column)
//   ::regtype, ::regproc, other ::regclass -> (nothing: the oid itself)
//   ::oid -> ::BIGINT, ::name -> ::VARCHAR
//   pg_partition_ancestors(r) WITH ORDINALITY -> pg_compat.partition_ancestors_table(r)
//   FROM generate_series(a, b) s     -> ... AS s(s)  (s the value, as in PostgreSQL)
// Runs of blanks in code become one space. Statements longer than
// kMaxRewrittenBytes are left as they are (catalog queries are a few KiB; the
// rules are std::regex, whose recursion grows with the text it matches).
// Pure text in, text out; thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace custlake::serve {

inline constexpr size_t kMaxRewrittenBytes = 8 * 1024;

std::string TranslatePgDialect(const std::string& sql);

}  // namespace custlake::serve
