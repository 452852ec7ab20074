// The star schema's keys as the warehouse models declare them, for the
// catalog BI tools read (pg_constraint, information_schema): a table's
// primary key is its first `check unique` (its columns not null); further
// `check unique` are unique constraints; `check relationship: col -> t.col`
// are foreign keys. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "warehouse/model.h"

namespace custlake::serve {

struct TableKey {
  char kind = 'p';  ///< 'p' primary, 'u' unique, 'f' foreign
  std::string name;  ///< PostgreSQL's default names: <table>_pkey, <table>_<cols>_key, <table>_<col>_fkey
  std::string table;
  std::vector<std::string> columns;
  std::string ref_table;  ///< 'f'
  std::vector<std::string> ref_columns;
};

/// The keys of the models that are tables (not views), in model order.
std::vector<TableKey> DeclaredKeys(const std::vector<warehouse::Model>& models);

}  // namespace custlake::serve
