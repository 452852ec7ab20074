#include "retention/customer_value.h"

#include <fmt/format.h>

#include <cmath>
#include <unordered_map>

#include "engine/engine.h"

namespace custlake::retention {

Result<CustomerValues> ValuesOf(lake::Lake* lake, engine::Session* session, const churn::Dataset& data) {
  std::unordered_map<int64_t, float> clv;
  ASSIGN_OR_RETURN(std::vector<std::string> paths, lake->CommittedPaths(lake::DatasetId::Raw("clv_scores")));
  if (!paths.empty()) {
    std::string list;
    for (const std::string& p : paths) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(p);
    Status parsed = Status::OK();
    RETURN_NOT_OK(session->ForEachString(
        "SELECT concat_ws(',', customer_id, clv_12m) FROM read_parquet([" + list + "]) WHERE clv_12m IS NOT NULL",
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
