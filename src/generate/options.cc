#include "generate/options.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "generate/calendar.h"
#include "generate/usage_day.h"

namespace custlake::generate {

UsageMessRates UsageMessRates::None() {
  UsageMessRates r;
  r.numbers_as_strings = r.tz_offset = r.tz_naive = r.epoch_seconds = r.epoch_millis = 0;
  r.extra_fields = r.missing_optional = r.late = 0;
  r.missing_required = r.bad_type = r.malformed = r.truncated = 0;
  r.duplicate = 0;
  return r;
}

double UsageMessRates::SumPerRecord() const {
  return numbers_as_strings + tz_offset + tz_naive + epoch_seconds + epoch_millis + extra_fields +
         missing_optional + late + missing_required + bad_type + malformed + truncated;
}

TicketMessRates TicketMessRates::None() {
  TicketMessRates r;
  r.coercible = r.missing_required = r.malformed = 0;
  return r;
}

namespace {
struct MessField {
  const char* name;
  double UsageMessRates::*usage;
  double TicketMessRates::*tickets;
};
constexpr MessField kMessFields[] = {
    {"usage.numbers_as_strings", &UsageMessRates::numbers_as_strings, nullptr},
    {"usage.tz_offset", &UsageMessRates::tz_offset, nullptr},
    {"usage.tz_naive", &UsageMessRates::tz_naive, nullptr},
    {"usage.epoch_seconds", &UsageMessRates::epoch_seconds, nullptr},
    {"usage.epoch_millis", &UsageMessRates::epoch_millis, nullptr},
    {"usage.extra_fields", &UsageMessRates::extra_fields, nullptr},
    {"usage.missing_optional", &UsageMessRates::missing_optional, nullptr},
    {"usage.late", &UsageMessRates::late, nullptr},
    {"usage.missing_required", &UsageMessRates::missing_required, nullptr},
    {"usage.bad_type", &UsageMessRates::bad_type, nullptr},
    {"usage.malformed", &UsageMessRates::malformed, nullptr},
    {"usage.truncated", &UsageMessRates::truncated, nullptr},
    {"usage.duplicate", &UsageMessRates::duplicate, nullptr},
    {"tickets.coercible", nullptr, &TicketMessRates::coercible},
    {"tickets.missing_required", nullptr, &TicketMessRates::missing_required},
    {"tickets.malformed", nullptr, &TicketMessRates::malformed},
};
}  // namespace

Status SetMessRate(std::string_view name, double rate, GeneratorOptions* options) {
  std::string known;
  for (const MessField& f : kMessFields) {
    if (name == f.name) {
      if (!(rate >= 0.0 && rate <= 1.0)) {
        return Status::InvalidArgument("mess rate " + std::string(name) + " = " + std::to_string(rate) +
                                       ": a rate must lie in [0, 1]");
      }
      if (f.usage != nullptr) options->usage_mess.*f.usage = rate;
      if (f.tickets != nullptr) options->ticket_mess.*f.tickets = rate;
      return Status::OK();
    }
    known += (known.empty() ? "" : ", ") + std::string(f.name);
  }
  return Status::InvalidArgument("unknown kind of mess '" + std::string(name) + "'; known: " + known);
}

void ScaleMess(double scale, GeneratorOptions* options) {
  for (const MessField& f : kMessFields) {
    if (f.usage != nullptr) options->usage_mess.*f.usage *= scale;
    if (f.tickets != nullptr) options->ticket_mess.*f.tickets *= scale;
  }
}

namespace {
Status CheckRate(double v, const char* name) {
  if (!(v >= 0.0 && v <= 1.0)) {
    return Status::InvalidArgument(std::string("generator option ") + name + " = " +
                                   std::to_string(v) + ": a rate must lie in [0, 1]");
  }
  return Status::OK();
}
}  // namespace

Status GeneratorOptions::Validate() const {
  if (customers < 1 || customers > (int64_t{1} << 34)) {
    return Status::InvalidArgument("--customers " + std::to_string(customers) +
                                   ": give between 1 and 17 billion customers");
  }
  if (months < 1 || months > 600) {
    return Status::InvalidArgument("--months " + std::to_string(months) +
                                   ": give a window of 1 to 600 months");
  }
  if (history_months < 0 || history_months > 600) {
    return Status::InvalidArgument("history_months " + std::to_string(history_months) +
                                   ": give 0 to 600 months of history before the window");
  }
  ASSIGN_OR_RETURN(int32_t start, ParseDate(start_date, "start_date"));
  if (CivilFromDays(start).day != 1) {
    return Status::InvalidArgument("start_date '" + start_date +
                                   "': the window starts on the first day of a month, e.g. 2025-01-01");
  }
  if (!as_of.empty()) {
    ASSIGN_OR_RETURN(int32_t day, ParseDate(as_of, "as_of"));
    if (CivilFromDays(day).day != 1 || day <= start || day > AddMonthsToFirst(start, months)) {
      return Status::InvalidArgument("as_of '" + as_of + "': give the 1st of a month after start_date " + start_date +
                                     " and at most the window's end " + DateString(AddMonthsToFirst(start, months)));
    }
  }
  if (!(events_per_active_day >= 1.0 && events_per_active_day <= 500.0)) {
    return Status::InvalidArgument("events_per_active_day " + std::to_string(events_per_active_day) +
                                   ": give a mean between 1 and 500 events per active day");
  }
  if (!(usage_intensity_elasticity >= 0.0 && usage_intensity_elasticity <= 3.0)) {
    return Status::InvalidArgument("usage_intensity_elasticity " + std::to_string(usage_intensity_elasticity) +
                                   ": give an exponent between 0 (events per active day independent of engagement) and 3");
  }
  if (!(usage_duration_elasticity >= 0.0 && usage_duration_elasticity <= 3.0)) {
    return Status::InvalidArgument("usage_duration_elasticity " + std::to_string(usage_duration_elasticity) +
                                   ": give an exponent between 0 (durations independent of engagement) and 3");
  }
  if (!(daily_activity_scale > 0.0 && daily_activity_scale <= 10.0)) {
    return Status::InvalidArgument("daily_activity_scale " + std::to_string(daily_activity_scale) +
                                   ": give a factor in (0, 10]");
  }
  if (db_batch_rows < 1) {
    return Status::InvalidArgument("db_batch_rows must be at least 1");
  }
  const UsageMessRates& u = usage_mess;
  const std::pair<double, const char*> usage_rates[] = {
      {u.numbers_as_strings, "usage_mess.numbers_as_strings"}, {u.tz_offset, "usage_mess.tz_offset"},
      {u.tz_naive, "usage_mess.tz_naive"}, {u.epoch_seconds, "usage_mess.epoch_seconds"},
      {u.epoch_millis, "usage_mess.epoch_millis"}, {u.extra_fields, "usage_mess.extra_fields"},
      {u.missing_optional, "usage_mess.missing_optional"}, {u.late, "usage_mess.late"},
      {u.missing_required, "usage_mess.missing_required"}, {u.bad_type, "usage_mess.bad_type"},
      {u.malformed, "usage_mess.malformed"}, {u.truncated, "usage_mess.truncated"},
      {u.duplicate, "usage_mess.duplicate"}};
  for (const auto& [v, name] : usage_rates) RETURN_NOT_OK(CheckRate(v, name));
  if (u.SumPerRecord() > 1.0) {
    return Status::InvalidArgument("usage_mess: the per-record rates add up to " +
                                   std::to_string(u.SumPerRecord()) +
                                   " (> 1); each record gets at most one kind of mess");
  }
  const TicketMessRates& t = ticket_mess;
  RETURN_NOT_OK(CheckRate(t.coercible, "ticket_mess.coercible"));
  RETURN_NOT_OK(CheckRate(t.missing_required, "ticket_mess.missing_required"));
  RETURN_NOT_OK(CheckRate(t.malformed, "ticket_mess.malformed"));
  if (t.coercible + t.missing_required + t.malformed > 1.0) {
    return Status::InvalidArgument("ticket_mess: the rates add up to more than 1");
  }
  RETURN_NOT_OK(CheckRate(ticket_single_document_share, "ticket_single_document_share"));
  RETURN_NOT_OK(CheckRate(ticket_ndjson_file_share, "ticket_ndjson_file_share"));
  const ModelParameters& m = model;
  for (double v : {m.bgnbd_r, m.bgnbd_alpha, m.bgnbd_a, m.bgnbd_b, m.gg_p, m.gg_q, m.gg_gamma}) {
    if (!(v > 0.0 && std::isfinite(v))) {
      return Status::InvalidArgument("model: BG/NBD and Gamma-Gamma parameters must be positive");
    }
  }
  if (m.gg_q <= 1.0) {
    return Status::InvalidArgument("model.gg_q must exceed 1 so that the mean spend is finite");
  }
  return CheckRate(m.refund_probability, "model.refund_probability");
}

int32_t GeneratorOptions::WindowEndDay() const {
  auto start = ParseDate(start_date, "start_date");
  return start.ok() ? AddMonthsToFirst(*start, months) : 0;
}

int32_t GeneratorOptions::AsOfDay() const {
  if (as_of.empty()) return WindowEndDay();
  auto day = ParseDate(as_of, "as_of");
  return day.ok() ? *day : WindowEndDay();
}

nlohmann::json ModelParameters::ToJson() const {
  return {
      {"bgnbd", {{"time_unit", "week"}, {"r", bgnbd_r}, {"alpha", bgnbd_alpha}, {"a", bgnbd_a},
                 {"b", bgnbd_b},
                 {"note", "lambda ~ Gamma(shape r, rate alpha) per week, dropout p ~ Beta(a, b); "
                          "clock starts at the first purchase (60 s after signup); "
                          "only transactions of kind 'purchase' follow it; "
                          "purchasing is independent of the subscription's churn"}}},
      {"gamma_gamma", {{"p", gg_p}, {"q", gg_q}, {"gamma", gg_gamma},
                       {"mean_spend", gg_p * gg_gamma / (gg_q - 1.0)},
                       {"note", "amount ~ Gamma(shape p, rate nu), nu ~ Gamma(shape q, rate gamma); "
                                "amounts rounded to cents"}}},
      {"refund_probability", refund_probability},
      {"churn_hazard",
       {{"link", "logistic, monthly"},
        {"intercept", hazard_intercept},
        {"contract_annual", hazard_contract_annual},
        {"contract_two_year", hazard_contract_two_year},
        {"segment_smb", hazard_segment_smb},
        {"segment_enterprise", hazard_segment_enterprise},
        {"fee_log_ratio", hazard_fee_log_ratio},
        {"tenure_log1p_months", hazard_tenure},
        {"usage_decline", hazard_usage_decline},
        {"low_usage", hazard_low_usage},
        {"unresolved_tickets_capped_3", hazard_unresolved_ticket},
        {"satisfaction_below_3", hazard_satisfaction},
        {"usage_habit_weight", kUsageHabitWeight},
        {"usage_note", "low_usage = max(0, -habit), usage_decline = max(0, habit of month m-3 - habit of m-1); "
                       "habit = usage_habit_weight * level + (1 - usage_habit_weight) * the habit before; level = "
                       "ln((days of use + 1) / (days a customer x the segment's daily rate at engagement 1 + 1)), "
                       "the days of use of the usage files; see docs/generate.md"}}},
      {"offer_effect",
       {{"acts", "on the hazard logit in the month the offer is sent and the two after"},
        {"redeemed", offer_redeemed},
        {"redeemed_fee_log_ratio", offer_fee_log_ratio},
        {"redeemed_unresolved_tickets_damping", offer_unresolved_damping},
        {"redeemed_usage_decline_damping", offer_decline_damping},
        {"redeemed_full_after_tenure_months", offer_settled_months},
        {"contact_dormant_engagement_below_e-1", offer_contact_dormant},
        {"response_fee_log_ratio", offer_response_fee_log_ratio},
        {"redeem_given_response", 0.6},
        {"note", "redeemed = min(0, redeemed + redeemed_fee_log_ratio * ln(fee/ref)) * exp(-unresolved_damping * "
                 "min(unresolved,3) - decline_damping * decline) * min(1, tenure months / full_after_tenure_months) * "
                 "min(1, discount%/25), decline and dormancy (contact) from the realised usage levels; P(respond) = channel "
                 "response rate * exp(response_fee_log_ratio * ln(fee/ref)), capped at 0.95; see docs/generate.md"}}},
  };
}

nlohmann::json GeneratorOptions::ToJson() const {
  const UsageMessRates& u = usage_mess;
  return {
      {"customers", customers},
      {"months", months},
      {"history_months", history_months},
      {"seed", seed},
      {"start_date", start_date},
      {"as_of", as_of.empty() ? DateString(WindowEndDay()) : as_of},
      {"events_per_active_day", events_per_active_day},
      {"usage_intensity_elasticity", usage_intensity_elasticity},
      {"usage_duration_elasticity", usage_duration_elasticity},
      {"daily_activity_scale", daily_activity_scale},
      {"ticket_single_document_share", ticket_single_document_share},
      {"ticket_ndjson_file_share", ticket_ndjson_file_share},
      {"usage_mess",
       {{"numbers_as_strings", u.numbers_as_strings}, {"tz_offset", u.tz_offset},
        {"tz_naive", u.tz_naive}, {"epoch_seconds", u.epoch_seconds},
        {"epoch_millis", u.epoch_millis}, {"extra_fields", u.extra_fields},
        {"missing_optional", u.missing_optional}, {"late", u.late},
        {"missing_required", u.missing_required}, {"bad_type", u.bad_type},
        {"malformed", u.malformed}, {"truncated", u.truncated}, {"duplicate", u.duplicate}}},
      {"ticket_mess",
       {{"coercible", ticket_mess.coercible}, {"missing_required", ticket_mess.missing_required},
        {"malformed", ticket_mess.malformed}}},
  };
}

}  // namespace custlake::generate
