// The HTTP API's route groups, one file each (http_api_*.cc), registered on
// one httplib::Server by HttpServer.
#pragma once

#include <httplib.h>

#include "serve/http_api.h"

namespace custlake::serve {

void RegisterQueryApi(httplib::Server& server, ApiContext& ctx);      ///< /api/query, cancel, .csv
void RegisterDashboardApi(httplib::Server& server, ApiContext& ctx);  ///< filters, dashboard, at-risk, drilldown, influencers
/// Computes into ctx.cache the dashboard's answers a first visit asks for (filters, the
/// unfiltered dashboard and at-risk list, influencers) on the current lake generation.
void WarmDashboard(ApiContext& ctx);
void RegisterExploreApi(httplib::Server& server, ApiContext& ctx);    ///< customer, catalog, table, lineage, pipeline
void RegisterRetentionApi(httplib::Server& server, ApiContext& ctx);  ///< retention (the published plan)
/// GET / and the front end's assets (embedded at build time), with the SPA fallback.
void RegisterAssets(httplib::Server& server);

}  // namespace custlake::serve
