// How one customer responds to a retention offer: the simulated business's
// law for the effect of an offer, and the true effect written to the truth.
//
// An offer sent at the start of month m acts on the churn hazard's logit in
// months m, m+1 and m+2 (a redeemed offer's discount runs three months):
//
//   contact:  + contact_logit whenever the offer is sent, redeemed or not;
//   redeemed: + redeemed_logit on top, when the customer redeems it
//             (probability redeem_probability = P(responds) x 0.6).
//
// All are fixed at the send from the customer's state that month
// (ModelParameters has the coefficients, documented in docs/generate.md):
//
//   redeemed_logit = min(0, offer_redeemed + offer_fee_log_ratio * ln(fee / segment reference fee))
//                    * exp(-offer_unresolved_damping * min(unresolved tickets, 3)
//                          - offer_decline_damping * usage decline)
//                    * min(1, tenure months / offer_settled_months)
//                    * min(1, discount % / 25)
//   contact_logit  = offer_contact_dormant if last month's realised usage level < -1 (days of use
//                    below 0.37 of the segment's usual, as the files show them: usage_day.h)
//   P(responds)    = min(0.95, channel response rate * exp(offer_response_fee_log_ratio * ln(fee / reference fee)))
//
// so price-sensitive customers on high fees respond most (more often, and
// more when they redeem), customers leaving over service problems
// (unresolved tickets, a usage decline) barely respond, nor do newcomers who
// have not settled in (under a year, linearly), and a few, those
// who have nearly stopped using the product, are put off by the contact
// (a reminder that they pay for something they do not use).
//
// The truth (ThreeMonthEffect) holds the month's hazard logit z (without
// this month's offer) for the three months:
//
//   P3(x) = 1 - (1 - sigmoid(x))^3
//   offer_effect = r * P3(z + contact + redeemed) + (1 - r) * P3(z + contact) - P3(z)
//
// the change in the probability of churning within the 3 months starting
// this month, expected over whether the customer redeems. Plain functions;
// thread-safe.
#pragma once

#include "generate/catalog.h"
#include "generate/options.h"

namespace custlake::generate {

struct Offer;

/// What the offer's effect depends on, as of the month's start.
struct OfferDrivers {
  double fee_log_ratio = 0;   ///< ln(fee / segment reference fee)
  double tenure_months = 0;
  double decline = 0;         ///< max(0, level[m-3] - level[m-1]) of the realised usage levels (usage_day.h)
  double log_engagement = 0;  ///< the previous month's realised usage level (0 = typical; 0 before any usage)
  int unresolved_tickets = 0;
};

struct OfferResponse {
  double contact_logit = 0;       ///< added to the hazard logit while the offer acts, whenever sent
  double redeemed_logit = 0;      ///< added on top when redeemed (<= 0)
  double respond_probability = 0; ///< P(responds)
  double redeem_probability = 0;  ///< P(responds and redeems) = respond_probability x kRedeemGivenResponse
};

inline constexpr double kRedeemGivenResponse = 0.6;
inline constexpr int kOfferActsMonths = 3;  ///< the send month and the two after it

OfferResponse RespondTo(const ModelParameters& mp, const OfferDrivers& d, const Offer& offer);

/// The campaign's targeting rule, written as a retention team would, from what
/// the company's data shows at the month's start (nothing hidden): a ticket
/// still open, or a monthly contract paying over exp(kFlagFeeLogRatio) x the
/// segment's reference fee. Half the flagged get the month's offer, 2 % of
/// the others (company_model.cc), so who is sent one is random given the
/// warehouse's features (open tickets, contract, fee, segment).
inline constexpr double kFlagFeeLogRatio = 0.1;  ///< ln(fee / reference fee) flagging a monthly contract
bool FlaggedForRetention(Contract contract, const OfferDrivers& d);

/// The true offer_effect of truth/churn_probability.csv (see above); `z` is
/// the month's hazard logit without this month's offer.
double ThreeMonthEffect(double z, const OfferResponse& r);

}  // namespace custlake::generate
