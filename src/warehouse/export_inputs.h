// What `custlake export-ddl` describes, read from the lake: every raw dataset
// the metastore lists, as its live files hold it, and the tables of the
// current warehouse version with their Parquet export. Anything an exported
// table would point at wrongly is an error that says what to do: no
// published version, a model without a table in it, a table without its
// Parquet export, a raw dataset without files or with mixed partition
// layouts, a raw view the models read that the lake lacks.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/export_ddl.h"
#include "warehouse/model.h"

namespace custlake::warehouse {

struct ExportInputs {
  int64_t version = 0;              ///< the warehouse version described
  std::vector<TableSchema> tables;  ///< every model, in `models` order
  std::vector<RawTableSchema> raw;  ///< every raw dataset, by name
  /// Retired files still in their dataset folders: replaced while another batch was live, they wait for the
  /// next recovery (any import, ingest, build or vacuum) to move them to _superseded/; until then an
  /// external table over their folder reads them too.
  std::vector<std::string> superseded_in_place;
};

/// `models` in build order.
Result<ExportInputs> DescribeForExport(const std::string& lake_root, const std::vector<Model>& models);

}  // namespace custlake::warehouse
