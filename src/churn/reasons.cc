#include "churn/reasons.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace custlake::churn {

namespace {

using Values = std::function<double(const std::string&)>;

std::string Plural(double n, const std::string& one, const std::string& many) {
  return fmt::format("{} {}", static_cast<int64_t>(std::llround(n)), std::llround(n) == 1 ? one : many);
}

/// "usage down 60 % in 30 days" from the recent and the earlier count.
std::string Change(const std::string& what, double recent, double earlier, const std::string& span) {
  if (earlier <= 0 && recent <= 0) return fmt::format("no {} {}", what, span);
  if (earlier <= 0) return fmt::format("{} up from none {}", what, span);
  const double pct = 100 * (recent - earlier) / earlier;
  if (std::abs(pct) < 0.5) return fmt::format("{} flat {}", what, span);
  return fmt::format("{} {} {:.0f} % {}", what, pct < 0 ? "down" : "up", std::abs(pct), span);
}

/// "fee 40 % above the segment's median" from a ratio to the reference.
std::string Relative(const std::string& what, double ratio, const std::string& reference) {
  const double pct = 100 * (ratio - 1);
  if (std::abs(pct) < 0.5) return fmt::format("{} at {}", what, reference);
  return fmt::format("{} {:.0f} % {} {}", what, std::abs(pct), pct < 0 ? "below" : "above", reference);
}

std::string Rating(double v, const std::string& what) {
  if (std::isnan(v)) return "no rated support ticket";
  return fmt::format("{} {:.1f}/5", what, v);
}

/// "active days this month 45 % below the segment's usual level" from a log ratio.
std::string Engagement(double log_ratio, const std::string& when) {
  if (std::isnan(log_ratio)) return "no usage data " + when;
  return Relative("active days " + when, std::exp(log_ratio), "the segment's usual level");
}

std::string Contract(double months) {
  if (months >= 24) return "two-year contract";
  if (months >= 12) return "annual contract";
  return "monthly contract";
}

std::string Since(double days, const std::string& what, const std::string& none) {
  return days >= 365 ? none : fmt::format("{} {} ago", what, Plural(days, "day", "days"));
}

const std::map<std::string, std::function<std::string(const Values&)>>& Phrases() {
  static const std::map<std::string, std::function<std::string(const Values&)>> phrases{
      {"tenure_days", [](const Values& v) { return fmt::format("customer for {}", Plural(v("tenure_days") / 30.44, "month", "months")); }},
      {"contract_months", [](const Values& v) { return Contract(v("contract_months")); }},
      {"segment_smb", [](const Values& v) { return v("segment_smb") > 0 ? std::string("smb segment") : std::string("not in the smb segment"); }},
      {"segment_enterprise", [](const Values& v) { return v("segment_enterprise") > 0 ? std::string("enterprise segment") : std::string("not an enterprise customer"); }},
      {"monthly_fee", [](const Values& v) { return fmt::format("monthly fee {:.2f}", v("monthly_fee")); }},
      {"fee_vs_segment", [](const Values& v) { return Relative("fee", v("fee_vs_segment"), "the segment's median"); }},
      {"last_charge", [](const Values& v) { return fmt::format("last subscription charge {:.2f}", v("last_charge")); }},
      {"revenue_30d", [](const Values& v) { return fmt::format("revenue {:.2f} in 30 days", v("revenue_30d")); }},
      {"revenue_90d", [](const Values& v) { return fmt::format("revenue {:.2f} in 90 days", v("revenue_90d")); }},
      {"revenue_trend_90d", [](const Values& v) { return Change("revenue", v("revenue_90d"), v("revenue_90d") - v("revenue_trend_90d"), "in 90 days against the 90 before"); }},
      {"usage_events_30d", [](const Values& v) { return fmt::format("{} in 30 days", Plural(v("usage_events_30d"), "usage event", "usage events")); }},
      {"usage_events_prev_30d", [](const Values& v) { return Change("usage", v("usage_events_30d"), v("usage_events_prev_30d"), "in 30 days"); }},
      {"usage_events_60_90d", [](const Values& v) { return Change("usage", v("usage_events_30d"), v("usage_events_60_90d"), "against 3 months ago"); }},
      {"usage_events_90d", [](const Values& v) { return fmt::format("{} in 90 days", Plural(v("usage_events_90d"), "usage event", "usage events")); }},
      {"usage_trend_30d", [](const Values& v) { return Change("usage", v("usage_events_30d"), v("usage_events_prev_30d"), "in 30 days"); }},
      {"usage_trend_90d", [](const Values& v) { return Change("usage", v("usage_events_30d"), v("usage_events_60_90d"), "against 3 months ago"); }},
      {"usage_trend_180d", [](const Values& v) { return Change("usage", v("usage_events_90d"), std::exp(-v("usage_trend_180d")) * (v("usage_events_90d") + 1) - 1, "in 90 days against the 90 before"); }},
      {"usage_hours_30d", [](const Values& v) { return fmt::format("{:.1f} hours of use in 30 days", v("usage_hours_30d")); }},
      {"active_days_30d", [](const Values& v) { return fmt::format("active {} of the last 30 days", Plural(v("active_days_30d"), "day", "days")); }},
      {"active_days_90d", [](const Values& v) { return fmt::format("active {} of the last 90 days", Plural(v("active_days_90d"), "day", "days")); }},
      {"active_days_180d", [](const Values& v) { return fmt::format("active {} of the last 180 days", Plural(v("active_days_180d"), "day", "days")); }},
      {"active_days_prev_30d", [](const Values& v) { return Change("active days", v("active_days_30d"), v("active_days_prev_30d"), "in 30 days"); }},
      {"active_days_60_90d", [](const Values& v) { return Change("active days", v("active_days_30d"), v("active_days_60_90d"), "against 3 months ago"); }},
      {"activity_trend_30d", [](const Values& v) { return Change("active days", v("active_days_30d"), v("active_days_prev_30d"), "in 30 days"); }},
      {"activity_trend_90d", [](const Values& v) { return Change("active days", v("active_days_30d"), v("active_days_60_90d"), "against 3 months ago"); }},
      {"activity_vs_segment", [](const Values& v) { return Relative("active days", v("activity_vs_segment"), "the segment's average"); }},
      {"offers_received_30d", [](const Values& v) { return fmt::format("{} in 30 days", Plural(v("offers_received_30d"), "offer received", "offers received")); }},
      {"tickets_30d", [](const Values& v) { return fmt::format("{} in 30 days", Plural(v("tickets_30d"), "support ticket", "support tickets")); }},
      {"retention_offers_30d", [](const Values& v) { return v("retention_offers_30d") > 0 ? std::string("flagged at risk: a retention offer in 30 days") : std::string("no retention offer in 30 days"); }},
      {"retention_offers_90d", [](const Values& v) { return v("retention_offers_90d") > 0 ? fmt::format("flagged at risk: {} in 90 days", Plural(v("retention_offers_90d"), "retention offer", "retention offers")) : std::string("no retention offer in 90 days"); }},
      {"days_since_last_use", [](const Values& v) { return fmt::format("last used {} ago", Plural(v("days_since_last_use"), "day", "days")); }},
      {"purchases_180d", [](const Values& v) { return fmt::format("{} in 180 days", Plural(v("purchases_180d"), "purchase", "purchases")); }},
      {"purchase_amount_180d", [](const Values& v) { return fmt::format("purchases of {:.2f} in 180 days", v("purchase_amount_180d")); }},
      {"days_since_last_purchase", [](const Values& v) { return Since(v("days_since_last_purchase"), "last purchase", "no purchase in a year"); }},
      {"refunds_90d", [](const Values& v) { return fmt::format("{} in 90 days", Plural(v("refunds_90d"), "refund", "refunds")); }},
      {"tickets_90d", [](const Values& v) { return fmt::format("{} in 90 days", Plural(v("tickets_90d"), "support ticket", "support tickets")); }},
      {"unresolved_tickets", [](const Values& v) { return v("unresolved_tickets") > 0 ? Plural(v("unresolved_tickets"), "unresolved ticket", "unresolved tickets") : std::string("no unresolved ticket"); }},
      {"last_satisfaction", [](const Values& v) { return Rating(v("last_satisfaction"), "last support rating"); }},
      {"avg_satisfaction", [](const Values& v) { return Rating(v("avg_satisfaction"), "average support rating"); }},
      {"offers_received_90d", [](const Values& v) { return fmt::format("{} in 90 days", Plural(v("offers_received_90d"), "offer received", "offers received")); }},
      {"offers_redeemed_90d", [](const Values& v) { return v("offers_redeemed_90d") > 0 ? fmt::format("{} in 90 days", Plural(v("offers_redeemed_90d"), "offer redeemed", "offers redeemed")) : std::string("no offer redeemed in 90 days"); }},
      {"days_since_offer_redeemed", [](const Values& v) { return Since(v("days_since_offer_redeemed"), "offer redeemed", "no offer redeemed in a year"); }},
      {"cancellation_tickets_90d", [](const Values& v) { return v("cancellation_tickets_90d") > 0 ? fmt::format("{} in 90 days", Plural(v("cancellation_tickets_90d"), "cancellation ticket", "cancellation tickets")) : std::string("no cancellation ticket in 90 days"); }},
      {"engagement_month_0", [](const Values& v) { return Engagement(v("engagement_month_0"), "this month"); }},
      {"engagement_month_1", [](const Values& v) { return Engagement(v("engagement_month_1"), "last month"); }},
      {"engagement_month_2", [](const Values& v) { return Engagement(v("engagement_month_2"), "two months ago"); }},
      {"low_engagement", [](const Values& v) { return Engagement(-v("low_engagement"), "this month"); }},
      {"engagement_decline", [](const Values& v) { return v("engagement_decline") > 0 ? fmt::format("active days down {:.0f} % against two months before", 100 * (1 - std::exp(-v("engagement_decline")))) : std::string("active days not down against two months before"); }},
  };
  return phrases;
}

}  // namespace

std::string DescribeFeature(const Dataset& data, size_t row, const std::string& feature) {
  Values values = [&](const std::string& name) { return static_cast<double>(data.At(row, name)); };
  auto it = Phrases().find(feature);
  if (it != Phrases().end() && data.Column(feature) >= 0) return it->second(values);
  const double v = values(feature);
  return std::isnan(v) ? feature + " missing" : fmt::format("{} = {:g}", feature, v);
}

std::vector<Reason> TopReasons(const Dataset& data, size_t row, const float* contributions, int k) {
  std::vector<size_t> order;
  for (size_t c = 0; c < data.cols(); ++c) {
    if (contributions[c] > 0) order.push_back(c);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return contributions[a] > contributions[b]; });
  std::vector<Reason> reasons;
  for (size_t c : order) {
    if (static_cast<int>(reasons.size()) == k) break;
    std::string text = DescribeFeature(data, row, data.feature_names[c]);
    bool repeated = std::any_of(reasons.begin(), reasons.end(), [&](const Reason& r) { return r.text == text; });
    if (!repeated) reasons.push_back({data.feature_names[c], contributions[c], std::move(text)});
  }
  return reasons;
}

}  // namespace custlake::churn
