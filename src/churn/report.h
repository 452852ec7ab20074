// The evaluation report as a self-contained HTML page (inline SVG charts: ROC,
// lift by decile, calibration; inline CSS; no script, no CDN), from the JSON
// that Evaluate() returns, and both written side by side. Pure functions
// apart from WriteReport's files.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace custlake::churn {

std::string RenderHtml(const nlohmann::json& report);

/// Writes <dir>/churn-report.json and <dir>/churn-report.html (creating dir); their paths.
Result<std::pair<std::string, std::string>> WriteReport(const nlohmann::json& report, const std::string& dir);

}  // namespace custlake::churn
