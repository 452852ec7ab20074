#include "churn/dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "lake/lake.h"
#include "warehouse/publisher.h"
#include "warehouse/segments.h"

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

Dataset Dataset::EveryKth(size_t max_rows) const {
  if (rows() <= max_rows) return *this;
  const size_t step = max_rows == 0 ? rows() : (rows() + max_rows - 1) / max_rows;
  Dataset out;
  out.feature_names = feature_names;
  for (size_t r = 0; r < rows() && out.rows() < max_rows; r += step) {
    out.ids.push_back(ids[r]);
    out.x.insert(out.x.end(), Row(r), Row(r) + cols());
    out.y.push_back(y[r]);
  }
  return out;
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

constexpr char kSeparator = '\x1f';  // between the values of a packed row

Status CheckColumns(const std::vector<std::string>& columns, const FeatureModel& model) {
  std::vector<std::string> expected{"customer_id", "cutoff", "label"};
  for (const FeatureInfo& f : model.features) expected.push_back(f.name);
  if (columns != expected) {
    return Status::InvalidArgument(fmt::format(
        "{}: the SELECT returns columns ({}) but the header declares customer_id, cutoff, label and the features ({}); "
        "keep the `-- feature` lines in the SELECT's order",
        model.path, fmt::join(columns, ", "), fmt::join(expected, ", ")));
  }
  return Status::OK();
}

/// The SELECT's rows as one text each: the values joined by kSeparator, NULL as "".
std::string PackedRows(const std::string& select, const std::vector<std::string>& columns) {
  std::string sql = "SELECT concat_ws(chr(31)";
  for (const std::string& c : columns) sql += ", coalesce(CAST(" + engine::QuoteIdent(c) + " AS VARCHAR), '')";
  return sql + ") FROM (" + select + ")";
}

/// Appends one packed row to the dataset of its cutoff (`cutoffs[i]` is `out[i]`'s).
Status AppendPacked(std::string_view row, const FeatureModel& model, const std::vector<std::string>& cutoffs,
                    std::vector<Dataset>* out) {
  std::vector<std::string_view> values;
  for (size_t from = 0;;) {
    size_t to = row.find(kSeparator, from);
    values.push_back(row.substr(from, to == std::string_view::npos ? std::string_view::npos : to - from));
    if (to == std::string_view::npos) break;
    from = to + 1;
  }
  const auto at = std::find(cutoffs.begin(), cutoffs.end(), values.size() > 1 ? values[1] : std::string_view());
  if (at == cutoffs.end()) {
    return Status::Internal(fmt::format("{}: a row for cutoff '{}', which was not asked for", model.path, values[1]));
  }
  Dataset* d = &(*out)[static_cast<size_t>(at - cutoffs.begin())];
  if (values.size() != d->cols() + 3) return Status::Internal("a packed feature row with the wrong number of values");
  int64_t id = 0;
  std::from_chars(values[0].data(), values[0].data() + values[0].size(), id);
  d->ids.push_back(id);
  d->y.push_back(values[2] == "1" ? 1.0f : 0.0f);
  for (size_t c = 0; c < d->cols(); ++c) {
    auto v = ParseFeatureValue(std::string(values[c + 3]), false);
    if (!v.ok()) {
      return Status::InvalidArgument(fmt::format("{}: feature {} of customer {} at cutoff {}: {}", model.path,
                                                 d->feature_names[c], id, *at, v.status().message()));
    }
    d->x.push_back(*v);
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<FeatureSession>> FeatureSession::Open(const std::string& lake_root) {
  lake::LakeOptions options;
  options.read_only = true;
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root, options));
  ASSIGN_OR_RETURN(auto version, warehouse::CurrentVersion(lake.get()));
  if (!version) return Status::NotFound("the lake has no warehouse to learn churn from yet; run `custlake build` first");
  std::unique_ptr<FeatureSession> fs(new FeatureSession());
  fs->warehouse_version_ = version->version;
  ASSIGN_OR_RETURN(fs->db_, engine::Database::Open({}));
  ASSIGN_OR_RETURN(fs->session_, fs->db_->Connect());
  RETURN_NOT_OK(warehouse::AttachVersion(fs->session_.get(), version->path, "warehouse").status());
  ASSIGN_OR_RETURN(engine::QueryResult tables,
                   fs->session_->Query("SELECT table_name FROM information_schema.tables WHERE table_catalog = "
                                       "'warehouse' AND table_schema = 'main' AND NOT starts_with(table_name, '_')"));
  for (const auto& row : tables.rows) {
    RETURN_NOT_OK(fs->session_->Execute("CREATE VIEW main." + engine::QuoteIdent(row[0]) +
                                        " AS SELECT * FROM warehouse.main." + engine::QuoteIdent(row[0])));
  }
  RETURN_NOT_OK(fs->session_->Execute("SET TimeZone = 'UTC'"));
  return fs;
}

Result<std::vector<Dataset>> ComputeFeatures(FeatureSession* session, const FeatureModel& model,
                                             const std::vector<std::string>& cutoffs, int horizon_days) {
  ASSIGN_OR_RETURN(std::string sql, model.Render(cutoffs, horizon_days));
  const std::string where = fmt::format("{} at cutoffs {}", model.path, fmt::join(cutoffs, ", "));
  auto shape = session->session()->Query("SELECT * FROM (" + sql + ") LIMIT 0");
  if (!shape.ok()) return shape.status().WithContext(where);
  RETURN_NOT_OK(CheckColumns(shape->columns, model));
  std::vector<Dataset> out(cutoffs.size());
  for (Dataset& d : out) d.feature_names = model.FeatureNames();
  Status parsed = Status::OK();
  Status run = session->session()->ForEachString(PackedRows(sql, shape->columns), [&](std::string_view row) {
    if (parsed.ok()) parsed = AppendPacked(row, model, cutoffs, &out);
  });
  if (!run.ok()) return run.WithContext(where);
  RETURN_NOT_OK(parsed);
  return out;
}

Result<Dataset> ComputeFeatures(FeatureSession* session, const FeatureModel& model, const std::string& cutoff,
                                int horizon_days) {
  ASSIGN_OR_RETURN(std::vector<Dataset> one, ComputeFeatures(session, model, std::vector<std::string>{cutoff}, horizon_days));
  return std::move(one.front());
}

Result<DataRange> WarehouseDataRange(FeatureSession* session) {
  ASSIGN_OR_RETURN(engine::QueryResult result, session->session()->Query(
      "SELECT CAST(min(CASE WHEN activity_type = 'usage' THEN occurred_at END) AS DATE)::VARCHAR, "
      "CAST(max(occurred_at) AS DATE)::VARCHAR FROM fact_customer_activity"));
  DataRange range;
  if (!result.rows.empty() && !result.nulls[0][0]) range.first_usage_day = result.rows[0][0];
  if (!result.rows.empty() && !result.nulls[0][1]) range.last_day = result.rows[0][1];
  return range;
}

}  // namespace custlake::churn
