#include "generate/offer_response.h"

#include <algorithm>
#include <cmath>

#include "generate/company_model.h"

namespace custlake::generate {

namespace {
double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// P(churn in any of kOfferActsMonths months) at a constant monthly hazard logit.
double ChurnWithinActMonths(double z) {
  const double stay = 1.0 - Sigmoid(z);
  return 1.0 - stay * stay * stay;
}
static_assert(kOfferActsMonths == 3, "ChurnWithinActMonths assumes three months");
}  // namespace

OfferResponse RespondTo(const ModelParameters& mp, const OfferDrivers& d, const Offer& offer) {
  OfferResponse r;
  const double strength = std::min(1.0, offer.discount_pct / 25.0);
  const double price = std::min(0.0, mp.offer_redeemed + mp.offer_fee_log_ratio * d.fee_log_ratio);
  const double service = std::exp(-mp.offer_unresolved_damping * std::min(d.unresolved_tickets, 3) -
                                  mp.offer_decline_damping * d.decline);
  const double settled = mp.offer_settled_months > 0 ? std::min(1.0, d.tenure_months / mp.offer_settled_months) : 1.0;
  r.redeemed_logit = price * service * strength * settled;
  if (d.log_engagement < -1.0) r.contact_logit += mp.offer_contact_dormant;
  r.respond_probability =
      std::min(0.95, ChannelResponseRate(offer.channel) * std::exp(mp.offer_response_fee_log_ratio * d.fee_log_ratio));
  r.redeem_probability = r.respond_probability * kRedeemGivenResponse;
  return r;
}

bool FlaggedForRetention(Contract contract, const OfferDrivers& d) {
  return d.unresolved_tickets > 0 || (contract == Contract::kMonthly && d.fee_log_ratio > kFlagFeeLogRatio);
}

double ThreeMonthEffect(double z, const OfferResponse& r) {
  const double contacted = ChurnWithinActMonths(z + r.contact_logit);
  const double redeemed = ChurnWithinActMonths(z + r.contact_logit + r.redeemed_logit);
  return r.redeem_probability * redeemed + (1.0 - r.redeem_probability) * contacted - ChurnWithinActMonths(z);
}

}  // namespace custlake::generate
