// The explorer's answers about the lake itself: the catalog of tables with
// their descriptions (the models' data dictionary), one table's sample rows
// and column statistics, the lineage graph from sources through raw datasets
// and staging models to the warehouse tables, and the pipeline's state (runs,
// batches, quarantine, checks, freshness) from the metastore.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "serve/http_api.h"
#include "serve/http_dashboard_query.h"

namespace custlake::serve {

Result<nlohmann::json> Catalog(ApiContext& ctx, DashboardRun& run);
/// `name` is "<schema>.<table>": raw.usage, quarantine.tickets, warehouse.dim_customer.
Result<nlohmann::json> TableDetail(DashboardRun& run, const std::string& name);
Result<nlohmann::json> Lineage(ApiContext& ctx);
Result<nlohmann::json> Pipeline(ApiContext& ctx, DashboardRun& run);

}  // namespace custlake::serve
