// Reader views: views every LakeSession defines over the published warehouse
// version and the lake's raw datasets, the way the analytics publish into the
// warehouse without rebuilding it. models/views/*.sql (embedded at build time,
// cmake/embed_sql.cmake) are model files with the warehouse's header
// (`-- model:`, description, grain, one `-- column` line per column) so the
// data dictionary describes them like the other models; the SELECT reads the
// warehouse's tables and raw.<view>s, and may call current_warehouse_version()
// (the version the session attached).
//
// fact_customer_scores joins the latest churn and CLV scores to dim_customer
// with value_at_risk. The raw datasets it reads are adapted first
// (_inputs.<view>: the columns it needs, typed; NULL where the dataset or a
// column is missing, so the view works before any score is published and
// whatever one-year horizon name `clv fit` used), so readers always get the
// newest published scores without a rebuild and never an error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "warehouse/model.h"

namespace custlake::query {

struct EmbeddedSqlFile {
  std::string path;  ///< "models/views/fact_customer_scores.sql", for messages
  std::string text;
};
/// Every embedded reader-view file, sorted by path.
const std::vector<EmbeddedSqlFile>& EmbeddedReaderViews();

/// The reader views, parsed, with their sources (the raw views they read);
/// refs to warehouse models are resolved only among the warehouse's models
/// (ResolveRefs over both), as the data dictionary does.
Result<std::vector<warehouse::Model>> ReaderViewModels();

/// Creates the inputs and every reader view in `session`, which has the
/// warehouse version `warehouse_version` attached with its tables as views in
/// main and the raw datasets as raw.<view>. A view that cannot be made is
/// logged and left out (a session must open whatever the lake holds); returns
/// the names of the views made.
std::vector<std::string> CreateReaderViews(engine::Session* session, int64_t warehouse_version);

}  // namespace custlake::query
