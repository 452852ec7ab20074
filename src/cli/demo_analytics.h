// The demo's analytics stage (churn, CLV, value at risk), kept apart from the pipeline rounds.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli.h"

namespace custlake::cli {

/// Trains and scores churn (when `months` of data allow it) and fits CLV on the
/// project's warehouse; the verbs' summaries go into (*stages)["churn"|"clv"].
Status RunDemoAnalytics(const GlobalOptions& project, int months, nlohmann::json* stages);

/// The analytics' lines of the demo's summary, with the top of the value-at-risk list.
std::string DemoAnalyticsSummary(const nlohmann::json& stages, const std::string& lake_root);

}  // namespace custlake::cli
