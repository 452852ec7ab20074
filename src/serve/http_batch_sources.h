// Where a drill-down's rows came from, by their lake batch: the batch lineage
// the metastore keeps for each import or ingest names the source (a database
// and table, or a landing folder). A drill-down's SQL selects `_source_batch`
// and empty `_source` / `_source_table` columns; FillBatchSources fills them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace custlake::serve {

/// In `body` ({"columns": [{"name"}], "rows": [[...]]}, as ResultJson writes
/// it, or a list of row objects, as ObjectRows writes it) with a
/// `_source_batch` column, sets each row's `_source` (the database or landing
/// folder) and `_source_table` (the table an import read; null for files)
/// from the batch's lineage in the lake at `lake_root`. A body without those
/// columns is left alone; a batch the metastore no longer knows (vacuumed)
/// leaves them null.
Status FillBatchSources(const std::string& lake_root, nlohmann::json& body);

}  // namespace custlake::serve
