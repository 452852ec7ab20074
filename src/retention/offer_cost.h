// The default cost of sending a retention offer, from the warehouse's offers:
// per customer, the newest retention offer of the customer's segment
// (dim_offer: campaign mentions "retention", target_segment) costs
//
//   redemption rate x discount_pct / 100 x monthly fee x discount months
//
// where the redemption rate is that campaign kind's share of sent offers that
// were redeemed (fact_customer_activity: offer_redeemed / offer_sent of the
// segment's retention offers), and the discount months are the "N months" the
// offer's name states ("25% off for 3 months"; 1 when the name states none,
// e.g. "one month free"). A customer whose segment has no retention offer
// costs 0; `source` says what the costs came from (docs/retention.md, The plan).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "churn/dataset.h"
#include "common/status.h"
#include "engine/engine.h"

namespace custlake::retention {

struct OfferCosts {
  std::vector<double> cost;  ///< per row of the dataset
  std::string source;        ///< how they were computed (printed with the plan)
  nlohmann::json offers;     ///< per segment: offer name, discount, months, redemption rate
};

/// What one offer sent to each of `data`'s rows is expected to cost: the customer's current
/// segment (dim_customer) picks the offer, its monthly_fee feature is the fee.
Result<OfferCosts> DefaultOfferCosts(engine::Session* session, const churn::Dataset& data);

/// The expected cost of one offer: redemption rate x discount % / 100 x fee x months.
double ExpectedOfferCost(double redemption_rate, double discount_pct, double monthly_fee, int months);

}  // namespace custlake::retention
