#include "serve/pg_compat.h"

#include "serve/pg_catalog.h"

namespace custlake::serve {

std::vector<std::string> PgCompatibilityMacros(const std::vector<warehouse::Model>& models) {
  std::vector<std::string> sql = {
      "CREATE MACRO main.version() AS 'PostgreSQL 16.0 (custlake) on x86_64-pc-linux-gnu, compiled by "
      "custlake, "
      "64-bit'",
      "CREATE MACRO main.current_setting(name) AS CASE lower(name) "
      "WHEN 'server_version_num' THEN '160000' WHEN 'server_version' THEN '16.0 (custlake)' "
      "WHEN 'server_encoding' THEN 'UTF8' WHEN 'client_encoding' THEN 'UTF8' WHEN 'datestyle' THEN 'ISO, "
      "MDY' "
      "WHEN 'timezone' THEN 'UTC' WHEN 'standard_conforming_strings' THEN 'on' "
      "WHEN 'integer_datetimes' THEN 'on' WHEN 'search_path' THEN '\"$user\", public' "
      "WHEN 'max_identifier_length' THEN '63' WHEN 'transaction_isolation' THEN 'read committed' END",
  };
  for (std::string& statement : PgCatalogSetup(models)) sql.push_back(std::move(statement));
  return sql;
}

}  // namespace custlake::serve
