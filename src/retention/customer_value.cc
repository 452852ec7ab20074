#include "retention/customer_value.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "engine/engine.h"

namespace custlake::retention {

namespace {

/// The first of `names` among the file's columns, "" if none (clv/platform.cc names the customer
/// `customer` and the CLV by the horizon in the fit's unit; query/reader_views.cc reads them alike).
std::string FirstPresent(const std::vector<std::string>& columns, const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (std::find(columns.begin(), columns.end(), n) != columns.end()) return n;
  }
  return "";
}

}  // namespace

Result<CustomerValues> ValuesOf(lake::Lake* lake, engine::Session* session, const churn::Dataset& data) {
  std::unordered_map<int64_t, float> clv;
  ASSIGN_OR_RETURN(std::vector<std::string> paths, lake->CommittedPaths(lake::DatasetId::Raw("clv_scores")));
  if (!paths.empty()) {
    std::string list;
    for (const std::string& p : paths) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(p);
    const std::string source = "read_parquet([" + list + "], union_by_name = true)";
    ASSIGN_OR_RETURN(engine::QueryResult described, session->Query("DESCRIBE SELECT * FROM " + source));
    std::vector<std::string> columns;
    for (const auto& row : described.rows) columns.push_back(row[0]);
    const std::string id = FirstPresent(columns, {"customer_id", "customer"});
    const std::string value = FirstPresent(columns, {"clv_12m", "clv_52w", "clv_365d"});
    if (id.empty() || value.empty()) {
      return Status::Corruption(fmt::format("raw.clv_scores has no customer or 12-month CLV column (columns: {}); run "
                                            "`custlake clv fit` again", fmt::join(columns, ", ")));
    }
    Status parsed = Status::OK();
    RETURN_NOT_OK(session->ForEachString(
        fmt::format("SELECT concat_ws(',', c, v) FROM (SELECT TRY_CAST({} AS BIGINT) AS c, CAST({} AS DOUBLE) AS v "
                    "FROM {}) WHERE c IS NOT NULL AND v IS NOT NULL",
                    engine::QuoteIdent(id), engine::QuoteIdent(value), source),
        [&](std::string_view row) {
          const size_t comma = row.find(',');
          try {
            clv[std::stoll(std::string(row.substr(0, comma)))] = std::stof(std::string(row.substr(comma + 1)));
          } catch (const std::exception&) {
            parsed = Status::Corruption("raw.clv_scores: a row that is not customer_id, clv_12m: " + std::string(row));
          }
        }));
    RETURN_NOT_OK(parsed);
  }
  const int fee = data.Column("monthly_fee");
  CustomerValues out;
  out.clv.resize(data.rows());
  for (size_t r = 0; r < data.rows(); ++r) {
    auto it = clv.find(data.ids[r]);
    if (it != clv.end() && std::isfinite(it->second)) {
      out.clv[r] = it->second;
      ++out.from_clv_scores;
    } else {
      const float f = fee >= 0 ? data.Row(r)[fee] : NAN;
      out.clv[r] = std::isfinite(f) ? 12 * f : 0;
    }
  }
  out.source = out.from_clv_scores == static_cast<int64_t>(data.rows()) ? "raw.clv_scores"
               : out.from_clv_scores == 0                                ? "12 x monthly_fee"
                                                                         : "raw.clv_scores, else 12 x monthly_fee";
  return out;
}

}  // namespace custlake::retention
