// The fixed vocabularies of the synthetic company: segments, contracts,
// plans and fees, cities, names, channels, ticket categories and the text
// of ticket messages.
//
// Everything here is constant data with internal linkage in catalog.cc and
// accessor functions; the model stores small ordinals (uint8/uint16) and
// these tables turn them into the strings of the data contract.
// Immutable; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace custlake::generate {

enum class Segment : uint8_t { kConsumer = 0, kSmb = 1, kEnterprise = 2 };
enum class Contract : uint8_t { kMonthly = 0, kAnnual = 1, kTwoYear = 2 };
inline constexpr int kSegments = 3;
inline constexpr int kContracts = 3;

std::string_view SegmentName(Segment s);
std::string_view ContractName(Contract c);
/// Monthly-equivalent price factor of a contract (annual 0.9, two_year 0.8).
double ContractPriceFactor(Contract c);

/// Share of customers per segment, of contracts per segment, of plans per segment.
std::span<const double> SegmentMix();
std::span<const double> ContractMix(Segment s);

struct Plan {
  std::string_view name;
  double list_fee;  ///< per month, monthly contract
  double weight;    ///< share of the segment's signups
};
std::span<const Plan> PlansOf(Segment s);
/// The fee the hazard compares against (a typical plan of the segment).
double ReferenceFee(Segment s);

/// Probability that the customer uses the product on a given day at engagement 1.
double DailyActivityBase(Segment s);
/// Mean usage events beyond the first on a day a customer uses the product, in a month of
/// engagement e = exp(log_e): (events_per_active_day - 1) x e^elasticity / E[e^elasticity], the
/// expectation over the active days of the default company (so the mean over all active days stays
/// events_per_active_day). An engaged customer does more on a day of use, not only uses it more often.
double UsageExtraEventsMean(double events_per_active_day, double elasticity, double log_e);
/// e^elasticity / E[e^elasticity] over the same active days: the factor on a usage event's duration
/// and on the seconds between a session's events in a month of engagement exp(log_e).
double UsageDurationFactor(double elasticity, double log_e);
/// Support tickets per customer-month at engagement 1.
double TicketRateBase(Segment s);

enum class PaymentMethod : uint8_t { kCard, kPaypal, kSepaDebit, kInvoice };
std::string_view PaymentMethodName(PaymentMethod p);
std::span<const double> PaymentMix(Segment s);  ///< indexed by PaymentMethod

struct City {
  std::string_view city;
  std::string_view region;
  std::string_view country;
  double weight;
};
std::span<const City> Cities();

std::span<const std::string_view> FirstNames(bool female);
std::span<const std::string_view> LastNames();
std::span<const std::string_view> EmailDomains();

// Offers: channels of the contract, and the catalog's offer types.
std::span<const std::string_view> OfferChannels();  ///< email, sms, push, call
/// Probability that a customer responds to an offer sent on this channel.
double ChannelResponseRate(int channel);

// Tickets.
std::span<const std::string_view> TicketChannels();    ///< email, chat, phone, web
std::span<const std::string_view> TicketCategories();  ///< billing, technical, account, feature_request, cancellation
std::span<const std::string_view> TicketPriorities();  ///< low, medium, high, urgent
/// Typical hours to resolve a ticket of this priority.
double TicketResolutionHours(int priority);
/// Opening, follow-up and closing lines of a conversation, per category. Some
/// contain characters that JSON must escape (quotes, backslash, newline) and
/// non-ASCII UTF-8, so the ingest's parser is exercised.
std::span<const std::string_view> CustomerLines(int category);
std::span<const std::string_view> AgentLines(int category);

// Usage.
std::span<const std::string_view> UsageEventTypes();  ///< [0] session_start, [1] session_end, then the rest
std::span<const double> UsageEventTypeWeights();      ///< for the middle events, indexes UsageEventTypes() from 2
std::span<const std::string_view> UsageFeatures();
std::span<const double> UsageFeatureWeights(Segment s);
std::span<const std::string_view> UsageDevices();
std::span<const double> UsageDeviceWeights(Segment s);
/// Relative usage by hour of day (UTC), 24 values.
std::span<const double> HourOfDayWeights();

}  // namespace custlake::generate
