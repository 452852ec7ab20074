// Options of the synthetic company generator and the true parameters of the
// company it simulates.
//
// GeneratorOptions is what a user sets (size, seed, dates, mess rates);
// ModelParameters holds the "laws of nature" of the simulated business: the
// BG/NBD and Gamma-Gamma parameters of the purchase process and the
// coefficients of the monthly churn hazard. They have fixed, documented
// defaults so that later stages (CLV fit, churn model) can be checked
// against them; the truth folder records the values used.
//
// Plain value types; Validate() says which field is wrong and how to fix it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace custlake::generate {

/// Per-record probabilities of each kind of mess in the usage NDJSON.
/// Each original event gets at most one kind (one draw); the kinds and how
/// ingestion must treat them are specified in truth.h (MessCounts).
struct UsageMessRates {
  // ACCEPT after coercion
  double numbers_as_strings = 0.01;  ///< duration_s / bytes / customer_id as "123"
  double tz_offset = 0.01;           ///< ts as local time with +02:00 / -05:00 / +05:30
  double tz_naive = 0.005;           ///< ts without zone (means UTC)
  double epoch_seconds = 0.004;      ///< ts as an integer of seconds
  double epoch_millis = 0.004;       ///< ts as an integer of milliseconds
  double extra_fields = 0.01;        ///< unknown fields added (session_id, sdk, nested debug)
  double missing_optional = 0.01;    ///< an optional field absent or null
  double late = 0.01;                ///< written into the file of a later day (1-3 days)
  // QUARANTINE
  double missing_required = 0.001;   ///< event_id, customer_id or ts absent
  double bad_type = 0.001;           ///< a value that cannot be coerced ("n/a" for bytes)
  double malformed = 0.0008;         ///< not JSON at all (unquoted keys, a plain log line)
  double truncated = 0.0008;         ///< the line cut off mid-record
  // DROP
  double duplicate = 0.005;          ///< an accepted record re-sent (same bytes) again

  /// No mess at all: every line is a clean record.
  static UsageMessRates None();
  double SumPerRecord() const;  ///< all kinds but duplicate
};

/// Per-ticket probabilities of mess in tickets/*.json.
struct TicketMessRates {
  double coercible = 0.03;         ///< ACCEPT: satisfaction as "4", offset/naive/epoch times, extra fields
  double missing_required = 0.003; ///< QUARANTINE: ticket_id, customer_id or opened_at absent
  double malformed = 0.004;        ///< QUARANTINE: a truncated document (own file or NDJSON line)
  static TicketMessRates None();
};

/// The true parameters of the simulated business (see DESIGN.md "Data contract").
struct ModelParameters {
  // Purchases: BG/NBD (Fader, Hardie & Lee 2005), time unit = weeks, the clock
  // of a customer starting at the first purchase, made 60 s after signup.
  // lambda ~ Gamma(shape r, rate alpha); dropout p ~ Beta(a, b).
  double bgnbd_r = 0.75;
  double bgnbd_alpha = 6.0;
  double bgnbd_a = 0.6;
  double bgnbd_b = 3.0;
  // Spend per purchase: Gamma-Gamma (Fader & Hardie 2013): amount ~ Gamma(shape p,
  // rate nu), nu ~ Gamma(shape q, rate gamma). Mean spend p*gamma/(q-1) = 30.
  double gg_p = 6.0;
  double gg_q = 4.0;
  double gg_gamma = 15.0;
  double refund_probability = 0.03;  ///< of a purchase, refunded in full days later

  // Monthly churn hazard: p = 1 / (1 + exp(-z)) with
  //   z = intercept + contract + segment + fee_log_ratio * ln(fee / segment reference fee)
  //       + tenure * ln(1 + tenure months) + usage_decline * decline + low_usage * max(0, -ln e)
  //       + unresolved_ticket * min(open tickets, 3) + satisfaction * (3 - last satisfaction)
  //       + an offer's effect in the month it is sent and the two after (offer_response.h)
  // where ln e is the customer's usage habit as of the previous month: the realised usage level of
  // each month's days of use (ln((days of use + 1) / (days a customer x the segment's rate at
  // engagement 1 + 1)), counted from the same draws as the usage files), smoothed over the months
  // with weight kUsageHabitWeight (0.5) on the latest (usage_day.h); 0 = typical; and
  // decline = max(0, habit[m-3] - habit[m-1]). The latent engagement drives the days of use only.
  double hazard_intercept = -2.7;
  double hazard_contract_annual = -1.1;   ///< vs monthly
  double hazard_contract_two_year = -1.9; ///< vs monthly
  double hazard_segment_smb = -0.3;       ///< vs consumer
  double hazard_segment_enterprise = -0.7;
  double hazard_fee_log_ratio = 0.7;
  double hazard_tenure = -0.3;
  double hazard_usage_decline = 1.3;
  double hazard_low_usage = 0.6;
  double hazard_unresolved_ticket = 0.45;
  double hazard_satisfaction = 0.3;
  // A retention offer's effect on that logit in the month it is sent and the
  // two after (offer_response.h has the formula): a redeemed offer adds
  // min(0, offer_redeemed + offer_fee_log_ratio * ln(fee / reference fee)), damped by
  // exp(-offer_unresolved_damping * unresolved tickets - offer_decline_damping * decline) and by
  // min(1, tenure / offer_settled_months) (decline here: the realised level's drop over two months);
  // the contact alone adds offer_contact_dormant when last month's realised usage level < -1.
  double offer_redeemed = -1.6;
  double offer_fee_log_ratio = -2.0;
  double offer_unresolved_damping = 1.0;
  double offer_decline_damping = 2.5;
  double offer_settled_months = 12;
  double offer_contact_dormant = 0.4;
  /// P(responds) = the channel's response rate x exp(offer_response_fee_log_ratio * ln(fee / reference fee)).
  double offer_response_fee_log_ratio = 1.5;

  nlohmann::json ToJson() const;
};

struct GeneratorOptions {
  int64_t customers = 10000;           ///< everyone who ever signed up (before or during the window)
  int months = 12;                     ///< window length; landing files cover it
  int history_months = 24;             ///< operational history before the window (signups, churn, transactions)
  uint64_t seed = 42;
  std::string start_date = "2025-01-01";  ///< first day of the window; must be the 1st of a month
  /// "" = the end of the window. Else the 1st of a month after start_date and
  /// at most the window's end: the operational tables and landing files are
  /// written as they stood on that day (midnight UTC), of the same simulated
  /// world. Generating again with a later date moves the company forward in
  /// time: rows change with their updated_at, new rows and new day files
  /// appear, and the files of earlier days come out byte-identical.
  std::string as_of;
  /// Mean usage events on a day a customer uses the product (>= 1), over all active days.
  double events_per_active_day = 2.0;
  /// How strongly the events of an active day follow the month's engagement e: the events beyond the
  /// first are Poisson with mean (events_per_active_day - 1) x e^elasticity / E[e^elasticity] (the
  /// expectation over active days, so the volume stays at events_per_active_day). 0 = independent of e.
  double usage_intensity_elasticity = 1.0;
  /// The same for how long: event durations and the seconds between a session's events are scaled
  /// by e^elasticity / E[e^elasticity] (an engaged customer's sessions last longer). 0 = independent of e.
  double usage_duration_elasticity = 1.0;
  /// Scales every segment's probability of using the product on a given day.
  double daily_activity_scale = 1.0;
  /// Share of tickets written as a file of their own (one JSON document).
  double ticket_single_document_share = 0.1;
  /// Share of ticket day files written as NDJSON (the rest: one JSON array).
  double ticket_ndjson_file_share = 0.2;
  UsageMessRates usage_mess;
  TicketMessRates ticket_mess;
  ModelParameters model;
  /// Rows per db::BulkInserter before it is finished and a new one begun
  /// (bounds the size of one transaction).
  int64_t db_batch_rows = 200000;

  Status Validate() const;
  nlohmann::json ToJson() const;
  /// Epoch day after the window's last day.
  int32_t WindowEndDay() const;
  /// Epoch day of `as_of` (WindowEndDay() when empty). Call after Validate().
  int32_t AsOfDay() const;
};

/// Sets one rate of mess by name: "usage.<field>" or "tickets.<field>", the
/// fields of UsageMessRates and TicketMessRates ("usage.duplicate",
/// "tickets.malformed"). An unknown name is an error listing the known ones.
Status SetMessRate(std::string_view name, double rate, GeneratorOptions* options);
/// Multiplies every rate of mess by `scale` (0 = clean files, 2 = twice the mess).
void ScaleMess(double scale, GeneratorOptions* options);

}  // namespace custlake::generate
