#include "retention/offer_cost.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <unordered_map>

namespace custlake::retention {

namespace {

// The newest retention offer of each segment, its discount months from the name, and the
// redemption rate of that segment's retention offers over the warehouse.
constexpr const char* kSegmentOffers = R"sql(
WITH retention AS (
  SELECT offer_key, name, lower(target_segment) AS segment, CAST(discount_pct AS DOUBLE) AS discount_pct, start_date
  FROM dim_offer WHERE lower(campaign) LIKE '%retention%' AND discount_pct IS NOT NULL),
newest AS (
  SELECT *, row_number() OVER (PARTITION BY segment ORDER BY start_date DESC, offer_key DESC) AS k FROM retention),
answers AS (
  SELECT r.segment,
         count(*) FILTER (WHERE a.activity_type = 'offer_sent') AS sent,
         count(*) FILTER (WHERE a.activity_type = 'offer_redeemed') AS redeemed
  FROM fact_customer_activity a JOIN retention r USING (offer_key)
  WHERE a.activity_type IN ('offer_sent', 'offer_redeemed')
  GROUP BY r.segment)
SELECT n.segment, n.name, n.discount_pct,
       coalesce(TRY_CAST(regexp_extract(n.name, '([0-9]+) months?', 1) AS INTEGER), 1) AS months,
       coalesce(a.sent, 0) AS sent, coalesce(a.redeemed, 0) AS redeemed
FROM newest n LEFT JOIN answers a USING (segment)
WHERE n.k = 1
ORDER BY n.segment)sql";

struct SegmentOffer {
  std::string name;
  double discount_pct = 0, redemption_rate = 1;
  int months = 1;
  int64_t sent = 0, redeemed = 0;
};

Result<std::map<std::string, SegmentOffer>> SegmentOffers(engine::Session* session) {
  ASSIGN_OR_RETURN(engine::QueryResult result, session->Query(kSegmentOffers));
  std::map<std::string, SegmentOffer> out;
  for (size_t r = 0; r < result.rows.size(); ++r) {
    const auto& row = result.rows[r];
    if (result.nulls[r][0]) continue;
    SegmentOffer o;
    o.name = row[1];
    try {
      o.discount_pct = std::stod(row[2]);
      o.months = std::stoi(row[3]);
      o.sent = std::stoll(row[4]);
      o.redeemed = std::stoll(row[5]);
    } catch (const std::exception&) {
      return Status::Corruption(
          fmt::format("dim_offer: the retention offer '{}' of segment '{}' has a discount '{}' "
                      "that is not a number",
                      row[1], row[0], row[2]));
    }
    // No sends recorded yet: assume every offer is redeemed (the most it can cost).
    o.redemption_rate =
        o.sent > 0 ? std::min(1.0, static_cast<double>(o.redeemed) / static_cast<double>(o.sent)) : 1.0;
    out[row[0]] = o;
  }
  return out;
}

/// Each customer's segment in its current version (dim_customer), lower-cased like target_segment.
Result<std::unordered_map<int64_t, std::string>> CustomerSegments(engine::Session* session) {
  ASSIGN_OR_RETURN(engine::QueryResult result,
                   session->Query("SELECT customer_id, lower(segment) FROM dim_customer "
                                  "WHERE is_current AND segment IS NOT NULL"));
  std::unordered_map<int64_t, std::string> out;
  out.reserve(result.rows.size());
  for (const auto& row : result.rows) out[std::stoll(row[0])] = row[1];
  return out;
}

}  // namespace

double ExpectedOfferCost(double redemption_rate, double discount_pct, double monthly_fee, int months) {
  if (!std::isfinite(monthly_fee) || monthly_fee <= 0) return 0;
  return redemption_rate * discount_pct / 100 * monthly_fee * months;
}

Result<OfferCosts> DefaultOfferCosts(engine::Session* session, const churn::Dataset& data) {
  ASSIGN_OR_RETURN(auto offers, SegmentOffers(session));
  const int fee = data.Column("monthly_fee");
  if (fee < 0) {
    return Status::InvalidArgument(
        "the churn feature set has no monthly_fee: the offer's cost cannot be computed; "
        "give --offer-cost");
  }
  OfferCosts out;
  out.cost.resize(data.rows(), 0);
  out.offers = nlohmann::json::object();
  for (const auto& [segment, o] : offers) {
    out.offers[segment] = {
        {"offer", o.name},       {"discount_pct", o.discount_pct}, {"months", o.months},
        {"offers_sent", o.sent}, {"offers_redeemed", o.redeemed},  {"redemption_rate", o.redemption_rate}};
  }
  ASSIGN_OR_RETURN(auto segments, CustomerSegments(session));
  for (size_t r = 0; r < data.rows(); ++r) {
    auto segment = segments.find(data.ids[r]);
    if (segment == segments.end()) continue;
    auto it = offers.find(segment->second);
    if (it == offers.end()) continue;
    out.cost[r] = ExpectedOfferCost(it->second.redemption_rate, it->second.discount_pct, data.Row(r)[fee],
                                    it->second.months);
  }
  out.source =
      offers.empty()
          ? "no retention offer in dim_offer: cost 0 (give --offer-cost)"
          : "the newest retention offer of the customer's segment (dim_offer): redemption rate x discount x "
            "monthly fee x the months the discount runs";
  return out;
}

}  // namespace custlake::retention
