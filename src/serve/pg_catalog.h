// The pg_catalog and information_schema that PostgreSQL clients and BI tools
// read (psql's \dt and \d, SQLAlchemy's inspector, JDBC's DatabaseMetaData),
// made of the session's own relations: the warehouse tables (schema main,
// shown as tables), raw.* and quarantine.* (views), their columns with
// PostgreSQL type OIDs, the keys the models declare (pg_catalog_keys.h) as
// pg_constraint and pg_index rows, and the models' descriptions as
// pg_description. They live in the schemas pg_compat (shown as pg_catalog)
// and pg_info (shown as information_schema), which pg_dialect.h points
// qualified names to; the session's search_path (main, pg_compat) finds
// unqualified ones. DuckDB's own catalog stays underneath for the rest.
#pragma once

#include <string>
#include <vector>

#include "warehouse/model.h"

namespace custlake::serve {

/// The statements that create the catalog in a session (before its lockdown).
std::vector<std::string> PgCatalogSetup(const std::vector<warehouse::Model>& models);

}  // namespace custlake::serve
