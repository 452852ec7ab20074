// SQL macros that make DuckDB answer the functions PostgreSQL clients call at
// connect time the way a PostgreSQL server does: version() parseable as
// "PostgreSQL 16.0", current_setting('server_version_num') and the other
// reported parameters, pg_get_userbyid() (psql's \dt). They are created in
// each connection's LakeSession before its lockdown (SandboxOptions::setup_sql).
#pragma once

#include <string>
#include <vector>

namespace custlake::serve {

std::vector<std::string> PgCompatibilityMacros();

}  // namespace custlake::serve
