// SQL macros that make DuckDB answer the functions PostgreSQL clients call at
// connect time the way a PostgreSQL server does: version() parseable as
// "PostgreSQL 16.0", current_setting('server_version_num') and the other
// reported parameters; then the catalog BI tools read (pg_catalog.h), with the
// keys and descriptions of `models`. They are created in each connection's
// LakeSession before its lockdown (SandboxOptions::setup_sql).
#pragma once

#include <string>
#include <vector>

#include "warehouse/model.h"

namespace custlake::serve {

std::vector<std::string> PgCompatibilityMacros(const std::vector<warehouse::Model>& models);

}  // namespace custlake::serve
