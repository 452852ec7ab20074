#include "churn/dataset.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace custlake::churn {

float Dataset::At(size_t row, const std::string& feature) const {
  int c = Column(feature);
  return c < 0 ? std::numeric_limits<float>::quiet_NaN() : Row(row)[c];
}

int Dataset::Column(const std::string& feature) const {
  for (size_t i = 0; i < feature_names.size(); ++i) {
    if (feature_names[i] == feature) return static_cast<int>(i);
  }
  return -1;
}

Status Dataset::Append(const Dataset& other) {
  if (ids.empty() && feature_names.empty()) feature_names = other.feature_names;
  if (other.feature_names != feature_names) return Status::InvalidArgument("datasets with different features");
  ids.insert(ids.end(), other.ids.begin(), other.ids.end());
  x.insert(x.end(), other.x.begin(), other.x.end());
  y.insert(y.end(), other.y.begin(), other.y.end());
  return Status::OK();
}

int64_t Dataset::Positives() const {
  int64_t n = 0;
  for (float v : y) n += v > 0.5f;
  return n;
}

Result<float> ParseFeatureValue(const std::string& text, bool is_null) {
  if (is_null || text.empty()) return std::numeric_limits<float>::quiet_NaN();
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return Status::InvalidArgument("not a finite number: '" + text + "'");
  }
  return static_cast<float>(v);
}

namespace {

Status CheckColumns(const engine::QueryResult& result, const FeatureModel& model) {
  std::vector<std::string> expected{"customer_id", "label"};
  for (const FeatureInfo& f : model.features) expected.push_back(f.name);
  if (result.columns != expected) {
    return Status::InvalidArgument(fmt::format(
        "{}: the SELECT returns columns ({}) but the header declares customer_id, label and the features ({}); "
        "keep the `-- feature` lines in the SELECT's order",
        model.path, fmt::join(result.columns, ", "), fmt::join(expected, ", ")));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<query::LakeSession>> OpenFeatureSession(const std::string& lake_root) {
  query::SandboxOptions options;
  options.max_rows = -1;
  options.timeout = std::chrono::hours(1);
  return query::LakeSession::Open(lake_root, options);
}

Result<Dataset> ComputeFeatures(query::LakeSession* session, const FeatureModel& model, const std::string& cutoff,
                                int horizon_days) {
  ASSIGN_OR_RETURN(std::string sql, model.Render(cutoff, horizon_days));
  auto result = session->Run(sql);
  if (!result.ok()) {
    return result.status().WithContext(fmt::format("{} at cutoff {}", model.path, cutoff));
  }
  RETURN_NOT_OK(CheckColumns(*result, model));
  Dataset d;
  d.feature_names = model.FeatureNames();
  const size_t cols = d.feature_names.size();
  d.ids.reserve(result->rows.size());
  d.x.reserve(result->rows.size() * cols);
  for (size_t r = 0; r < result->rows.size(); ++r) {
    const auto& row = result->rows[r];
    d.ids.push_back(std::stoll(row[0]));
    d.y.push_back(row[1] == "1" ? 1.0f : 0.0f);
    for (size_t c = 0; c < cols; ++c) {
      auto v = ParseFeatureValue(row[c + 2], result->nulls[r][c + 2]);
      if (!v.ok()) {
        return Status::InvalidArgument(fmt::format("{}: feature {} of customer {} at cutoff {}: {}", model.path,
                                                   d.feature_names[c], row[0], cutoff, v.status().message()));
      }
      d.x.push_back(*v);
    }
  }
  return d;
}

Result<DataRange> WarehouseDataRange(query::LakeSession* session) {
  auto tables = session->Run("SELECT count(*) FROM duckdb_views() WHERE view_name = 'fact_customer_activity'");
  if (!tables.ok()) return tables.status();
  if (tables->Scalar() == "0") {
    return Status::NotFound("the lake has no warehouse to learn churn from yet; run `custlake build` first");
  }
  ASSIGN_OR_RETURN(engine::QueryResult result, session->Run(
      "SELECT CAST(min(CASE WHEN activity_type = 'usage' THEN occurred_at END) AS DATE), "
      "CAST(max(occurred_at) AS DATE) FROM fact_customer_activity"));
  DataRange range;
  if (!result.rows.empty() && !result.nulls[0][0]) range.first_usage_day = result.rows[0][0];
  if (!result.rows.empty() && !result.nulls[0][1]) range.last_day = result.rows[0][1];
  return range;
}

}  // namespace custlake::churn
