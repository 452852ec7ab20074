#include "generate/company_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "generate/calendar.h"
#include "generate/distributions.h"
#include "generate/usage_day.h"

namespace custlake::generate {

namespace {
constexpr int64_t kDay = 86400;
constexpr int64_t kWeek = 7 * kDay;
constexpr int64_t kNeverClosed = std::numeric_limits<int64_t>::max();
constexpr double kRetentionTargetShare = 0.5;  // share of the flagged customers sent the month's offer
constexpr double kOtherOfferRate = 0.02;       // share of the customers not flagged sent the offer
constexpr int kOffersPerMonth = 4;          // retention x 3 segments + 1 broad promo (in the catalog, not sent)

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }
}  // namespace

std::string_view TxnKindName(TxnKind k) {
  switch (k) {
    case TxnKind::kSubscription: return "subscription";
    case TxnKind::kPurchase: return "purchase";
    case TxnKind::kRefund: return "refund";
  }
  return "subscription";
}

std::string_view TicketStatusName(uint8_t status) {
  static constexpr std::string_view kNames[] = {"open", "pending", "closed"};
  return kNames[status < 3 ? status : 0];
}

CompanyModel::CompanyModel(const GeneratorOptions& options) : options_(options) {
  window_start_ = ParseDate(options_.start_date, "start_date").ValueOr(0);
  total_months_ = options_.history_months + options_.months;
  const int32_t first = AddMonthsToFirst(window_start_, -options_.history_months);
  for (int k = 0; k <= total_months_; ++k) month_start_.push_back(AddMonthsToFirst(first, k));
  window_end_ = month_start_.back();
  for (int32_t day = month_start_.front(); day < window_end_; ++day) {
    usage_day_seed_.push_back(UsageDaySeed(options_.seed, day));
  }
  future_.resize(total_months_);

  usage_.months = options_.months;
  usage_.month_start.assign(month_start_.begin() + options_.history_months, month_start_.end());
  const size_t n = static_cast<size_t>(options_.customers);
  usage_.rates.assign(n * options_.months, UsageProfiles::Rates{});
  usage_.first_day.resize(n);
  usage_.end_day.resize(n);
  usage_.segment.resize(n);
  usage_.device.resize(n);
}

int CompanyModel::MonthOf(int64_t epoch_seconds) const {
  const int32_t day = static_cast<int32_t>(epoch_seconds / kDay);
  auto it = std::upper_bound(month_start_.begin(), month_start_.end(), day);
  return static_cast<int>(it - month_start_.begin()) - 1;
}

void CompanyModel::BuildOffers() {
  for (int k = 0; k < total_months_; ++k) {
    const int32_t start = month_start_[k];
    const int32_t end = month_start_[k + 1] - 1;
    const std::string ym = DateString(start).substr(0, 7);
    for (int j = 0; j < kOffersPerMonth; ++j) {
      Offer o;
      o.offer_id = int64_t{k} * kOffersPerMonth + j + 1;
      o.start_day = start;
      o.end_day = end;
      switch (j) {
        case 0:
          o.channel = (k % 2 == 0) ? 0 : 1;  // email, sms
          o.offer_type = "discount";
          o.discount_pct = 25;
          o.target_segment = "consumer";
          o.name = "Stay with us: 25% off for 3 months";
          o.campaign = "retention-" + ym;
          break;
        case 1:
          o.channel = 0;  // email
          o.offer_type = "discount";
          o.discount_pct = 20;
          o.target_segment = "smb";
          o.name = "Business loyalty: 20% off for 3 months";
          o.campaign = "retention-" + ym;
          break;
        case 2:
          o.channel = 3;  // call
          o.offer_type = "free_month";
          o.discount_pct = 100;
          o.target_segment = "enterprise";
          o.name = "Account review call: one month free";
          o.campaign = "retention-" + ym;
          break;
        default:
          o.channel = 2;  // push
          o.offer_type = "discount";
          o.discount_pct = 10;
          o.target_segment = "all";
          o.name = "Monthly promo: 10% off";
          o.campaign = "promo-" + ym;
          break;
      }
      offers_.push_back(std::move(o));
    }
  }
}

void CompanyModel::InitCustomer(int64_t index) {
  CustomerState& s = customers_.emplace_back(DeriveSeed(options_.seed, kStreamCustomer, index));
  Xoshiro256& rng = s.rng;
  const ModelParameters& mp = options_.model;
  // Signups spread over history and window, increasing with the index so
  // customer ids grow with signup time.
  const int64_t first = int64_t{month_start_.front()} * kDay;
  const double span = static_cast<double>(horizon_end() - first);
  s.signup_at = first + static_cast<int64_t>((static_cast<double>(index) + rng.Uniform()) /
                                             static_cast<double>(options_.customers) * span);
  s.updated_at = s.signup_at;
  s.segment = static_cast<Segment>(SampleIndex(rng, SegmentMix()));
  s.contract = static_cast<Contract>(SampleIndex(rng, ContractMix(s.segment)));
  const auto plans = PlansOf(s.segment);
  double plan_weights[4] = {0, 0, 0, 0};
  for (size_t p = 0; p < plans.size(); ++p) plan_weights[p] = plans[p].weight;
  s.plan = static_cast<uint8_t>(SampleIndex(rng, std::span<const double>(plan_weights, plans.size())));
  s.fee = static_cast<float>(plans[s.plan].list_fee * ContractPriceFactor(s.contract));
  double city_weights[64];
  const auto cities = Cities();
  for (size_t c = 0; c < cities.size(); ++c) city_weights[c] = cities[c].weight;
  s.city = static_cast<uint8_t>(SampleIndex(rng, std::span<const double>(city_weights, cities.size())));
  const double g = rng.Uniform();
  s.gender = g < 0.49 ? 0 : g < 0.98 ? 1 : 2;  // F, M, X
  const bool female = s.gender == 0 || (s.gender == 2 && rng.Uniform() < 0.5);
  s.first_name = static_cast<uint16_t>(rng.Below(FirstNames(female).size()));
  if (!female) s.first_name |= 0x8000;  // remembers which list
  s.last_name = static_cast<uint16_t>(rng.Below(LastNames().size()));
  s.email_domain = static_cast<uint16_t>(rng.Below(EmailDomains().size()));
  const int age_years = s.segment == Segment::kConsumer ? 18 + static_cast<int>(rng.Below(62))
                                                        : 25 + static_cast<int>(rng.Below(40));
  s.birth_day = static_cast<int32_t>(s.signup_at / kDay) - age_years * 365 -
                static_cast<int32_t>(rng.Below(365));
  s.device = static_cast<uint8_t>(SampleIndex(rng, UsageDeviceWeights(s.segment)));
  s.payment = static_cast<PaymentMethod>(SampleIndex(rng, PaymentMix(s.segment)));
  s.engagement_mu = static_cast<float>(0.45 * SampleNormal(rng));
  s.engagement_x = static_cast<float>(0.3 * SampleNormal(rng));
  s.lambda = static_cast<float>(SampleGamma(rng, mp.bgnbd_r, 1.0 / mp.bgnbd_alpha));
  s.dropout = static_cast<float>(SampleBeta(rng, mp.bgnbd_a, mp.bgnbd_b));
  s.nu = static_cast<float>(SampleGamma(rng, mp.gg_q, 1.0 / mp.gg_gamma));
  s.next_purchase = static_cast<double>(s.signup_at + 60);
}

double CompanyModel::Logit(const CustomerState& s, int32_t month_start, int month, double* without_offer,
                           OfferDrivers* drivers) const {
  const ModelParameters& mp = options_.model;
  double z = mp.hazard_intercept;
  if (s.contract == Contract::kAnnual) z += mp.hazard_contract_annual;
  if (s.contract == Contract::kTwoYear) z += mp.hazard_contract_two_year;
  if (s.segment == Segment::kSmb) z += mp.hazard_segment_smb;
  if (s.segment == Segment::kEnterprise) z += mp.hazard_segment_enterprise;
  drivers->fee_log_ratio = std::log(s.fee / ReferenceFee(s.segment));
  z += mp.hazard_fee_log_ratio * drivers->fee_log_ratio;
  const double tenure_months =
      static_cast<double>(int64_t{month_start} * kDay - s.signup_at) / (30.4375 * kDay);
  drivers->tenure_months = std::max(0.0, tenure_months);
  z += mp.hazard_tenure * std::log1p(drivers->tenure_months);
  // Usage as the company sees it: the hazard reads the usage habit (the smoothed realised level of
  // the days of use), the offer's response the last months' realised levels.
  drivers->decline = 0.0;
  if (s.months_seen >= 2) {
    const int older = s.months_seen >= 3 ? 2 : 1;
    drivers->decline = std::max(0.0, double{s.usage_level[older]} - s.usage_level[0]);
    z += mp.hazard_usage_decline * std::max(0.0, double{s.usage_habit[older]} - s.usage_habit[0]);
  }
  drivers->log_engagement = s.months_seen >= 1 ? s.usage_level[0] : 0.0;
  if (s.months_seen >= 1) z += mp.hazard_low_usage * std::max(0.0f, -s.usage_habit[0]);
  int unresolved = 0;
  for (int64_t close : s.ticket_close) {
    if (close != kNoTime && close > int64_t{month_start} * kDay) ++unresolved;
  }
  drivers->unresolved_tickets = unresolved;
  z += mp.hazard_unresolved_ticket * std::min(unresolved, 3);
  if (s.last_satisfaction > 0) z += mp.hazard_satisfaction * (3 - s.last_satisfaction);
  *without_offer = z;
  if (month - s.last_offer_month < kOfferActsMonths) z += s.offer_logit;
  return z;
}

void CompanyModel::AddTransaction(const CustomerState& s, int64_t index, int64_t ts, int64_t cents,
                                  TxnKind kind, int64_t offer_id) {
  Transaction t;
  t.customer_id = CustomerId(index);
  t.ts = ts;
  t.amount_cents = cents;
  t.kind = kind;
  t.payment = s.payment;
  t.offer_id = offer_id;
  // Settlement: seconds later, sometimes corrected days later.
  Xoshiro256& rng = customers_[index].rng;
  t.updated_at = ts + static_cast<int64_t>(rng.Below(120));
  if (rng.Uniform() < 0.01) t.updated_at += static_cast<int64_t>(SampleExponential(rng, 3.0 * kDay));
  t.updated_at = std::min(t.updated_at, horizon_end() - 1);
  const int month = MonthOf(ts);
  if (month > current_month_ && month < total_months_) {
    future_[month].push_back(t);  // a refund due in a later month
  } else {
    month_txns_.push_back(t);
  }
}

void CompanyModel::EmitPurchases(int64_t index, int64_t until) {
  CustomerState& s = customers_[index];
  const ModelParameters& mp = options_.model;
  Xoshiro256& rng = s.rng;
  while (s.purchase_alive && s.next_purchase < static_cast<double>(until)) {
    const int64_t ts = static_cast<int64_t>(s.next_purchase);
    const double amount = SampleGamma(rng, mp.gg_p, 1.0 / s.nu);
    const int64_t cents = std::max<int64_t>(1, std::llround(amount * 100.0));
    AddTransaction(s, index, ts, cents, TxnKind::kPurchase, 0);
    if (rng.Uniform() < mp.refund_probability) {
      const int64_t refund_ts = ts + kDay + static_cast<int64_t>(SampleExponential(rng, 5.0 * kDay));
      if (refund_ts < horizon_end()) AddTransaction(s, index, refund_ts, -cents, TxnKind::kRefund, 0);
    }
    // BG/NBD: after every repeat purchase the customer drops out with probability p.
    if (s.purchases > 0 && rng.Uniform() < s.dropout) s.purchase_alive = false;
    ++s.purchases;
    s.next_purchase += SampleExponential(rng, static_cast<double>(kWeek) / s.lambda);
  }
}

int64_t CompanyModel::CampaignAndChurn(int64_t index, int month, int32_t ms, int32_t me) {
  CustomerState& s = customers_[index];
  Xoshiro256& rng = s.rng;
  const int64_t ms_sec = int64_t{ms} * kDay;
  const int window_month = month - options_.history_months;
  double z0 = 0.0;
  OfferDrivers drivers;
  const double z = Logit(s, ms, month, &z0, &drivers);
  // The month's campaign: the retention offer of the customer's segment.
  const Offer& offer = offers_[month * kOffersPerMonth + static_cast<int>(s.segment)];
  const OfferResponse response = RespondTo(options_.model, drivers, offer);

  bool sent = false, responded = false, redeemed = false;
  int64_t sent_at = 0, responded_at = kNoTime;
  const bool flagged = FlaggedForRetention(s.contract, drivers);
  if (month - s.last_offer_month >= kOfferActsMonths) {
    const double u = rng.Uniform();
    sent = u < (flagged ? kRetentionTargetShare : kOtherOfferRate);
    if (sent) {
      sent_at = ms_sec + static_cast<int64_t>(rng.Uniform() * 3.0 * kDay);
      responded = rng.Uniform() < response.respond_probability;
      if (responded) {
        responded_at = sent_at + 60 + static_cast<int64_t>(SampleExponential(rng, 1.5 * kDay));
        redeemed = rng.Uniform() < kRedeemGivenResponse;
      }
      s.last_offer_month = static_cast<int16_t>(month);
      s.offer_logit = static_cast<float>(response.contact_logit + (redeemed ? response.redeemed_logit : 0.0));
    }
  }
  const double p = Sigmoid(sent ? z0 + s.offer_logit : z);
  const bool churned = rng.Uniform() < p;
  int64_t churn_at = kNeverClosed;
  if (churned) {
    // A customer sent the offer leaves, if at all, after it arrived.
    const int32_t first = sent ? static_cast<int32_t>(sent_at / kDay) + 1 : ms;
    s.churn_day = first + static_cast<int32_t>(rng.Below(static_cast<uint64_t>(me - first)));
    churn_at = int64_t{s.churn_day} * kDay;
    s.updated_at = std::max(s.updated_at, churn_at + static_cast<int64_t>(rng.Below(kDay)));
  }
  if (window_month >= 0) {
    ChurnTruth t{CustomerId(index), static_cast<float>(p), static_cast<float>(Sigmoid(z0)),
                 static_cast<float>(ThreeMonthEffect(z, response)), churned, sent, flagged};
    month_churn_.push_back(t);
  }
  if (sent) {
    OfferAssignment a;
    a.offer_id = offer.offer_id;
    a.customer_id = CustomerId(index);
    a.sent_at = sent_at;
    if (responded && responded_at < churn_at && responded_at < horizon_end()) {
      a.responded_at = responded_at;
      a.redeemed = redeemed;
    }
    if (a.redeemed) {  // the discount of the three following months' charges
      s.offer_effect_from = static_cast<int16_t>(month + 1);
      s.offer_effect_until = static_cast<int16_t>(month + 3);
      s.offer_discount = static_cast<uint8_t>(offer.discount_pct);
      s.offer_free_month_pending = offer.offer_type == "free_month";
      s.offer_id = offer.offer_id;
    }
    assignments_.push_back(a);
  }
  return churn_at;
}

double CompanyModel::RealisedLevel(int64_t index, int32_t ms, int32_t me, float p_active,
                                   double base_rate) const {
  const CustomerState& s = customers_[index];
  if (s.churn_day != kNeverDay) return 0.0;  // left this month: no later hazard reads it
  // The usage writer's first day of use is the day after signup.
  const int32_t first = std::max(ms, static_cast<int32_t>(s.signup_at / kDay) + 1);
  int active = 0;
  for (int32_t day = first; day < me; ++day) {
    active += UsesProductOn(usage_day_seed_[static_cast<size_t>(day - month_start_[0])], index, p_active);
  }
  return RealisedUsageLevel(active, std::max(0, me - first), base_rate);
}

void CompanyModel::SimulateMonth(int64_t index, int month, int32_t ms, int32_t me) {
  CustomerState& s = customers_[index];
  Xoshiro256& rng = s.rng;
  const int64_t ms_sec = int64_t{ms} * kDay;
  const int64_t me_sec = int64_t{me} * kDay;
  if (s.signup_at >= me_sec) return;  // not a customer yet
  EmitPurchases(index, me_sec);       // BG/NBD runs regardless of the subscription
  if (s.churn_day != kNeverDay) return;  // churned in an earlier month

  // 1. Tickets that closed before this month: their satisfaction is now known.
  int64_t latest_close = -1;
  for (int t = 0; t < 4; ++t) {
    if (s.ticket_close[t] != kNoTime && s.ticket_close[t] <= ms_sec) {
      if (s.ticket_sat[t] > 0 && s.ticket_close[t] > latest_close) {
        latest_close = s.ticket_close[t];
        s.last_satisfaction = s.ticket_sat[t];
      }
      s.ticket_close[t] = kNoTime;
    }
  }

  const bool at_risk = s.signup_at < ms_sec;
  const int window_month = month - options_.history_months;
  double decline = 0.0;
  if (s.months_seen >= 2) {
    decline = std::max(0.0, (s.months_seen >= 3 ? s.log_e[2] : s.log_e[1]) - double{s.log_e[0]});
  }
  const double low_usage = s.months_seen >= 1 ? std::max(0.0, -double{s.log_e[0]}) : 0.0;

  // 2. Campaigns, 3. churn.
  int64_t churn_at = kNeverClosed;
  if (at_risk) churn_at = CampaignAndChurn(index, month, ms, me);

  // 4. Engagement of this month: log-AR(1) around the customer's level, with
  // occasional decline phases (the usage drop that precedes many churns).
  if (s.decline_left == 0 && rng.Uniform() < 0.035) s.decline_left = static_cast<uint8_t>(3 + rng.Below(4));
  if (s.decline_left > 0) {
    s.engagement_x = static_cast<float>(0.85 * s.engagement_x + 0.2 * SampleNormal(rng) - 0.35);
    --s.decline_left;
  } else {
    s.engagement_x = static_cast<float>(0.6 * s.engagement_x + 0.3 * SampleNormal(rng));
  }
  const float log_e = std::clamp(s.engagement_mu + s.engagement_x, -4.0f, 1.5f);
  const double base_rate = DailyActivityBase(s.segment) * options_.daily_activity_scale;
  const float p_active = static_cast<float>(std::min(0.97, base_rate * std::exp(log_e)));
  s.log_e[2] = s.log_e[1];
  s.log_e[1] = s.log_e[0];
  s.log_e[0] = log_e;
  s.usage_level[2] = s.usage_level[1];
  s.usage_level[1] = s.usage_level[0];
  s.usage_level[0] = static_cast<float>(RealisedLevel(index, ms, me, p_active, base_rate));
  s.usage_habit[2] = s.usage_habit[1];
  s.usage_habit[1] = s.usage_habit[0];
  s.usage_habit[0] = s.months_seen == 0 ? s.usage_level[0]
                                        : static_cast<float>(kUsageHabitWeight * s.usage_level[0] +
                                                             (1.0 - kUsageHabitWeight) * s.usage_habit[1]);
  if (s.months_seen < 3) ++s.months_seen;
  if (window_month >= 0) {
    UsageProfiles::Rates& r = usage_.rates[static_cast<size_t>(index) * options_.months + window_month];
    r.p_active = p_active;
    r.extra_events = static_cast<float>(
        UsageExtraEventsMean(options_.events_per_active_day, options_.usage_intensity_elasticity, log_e));
    r.duration_factor = static_cast<float>(UsageDurationFactor(options_.usage_duration_elasticity, log_e));
  }

  // The part of the month the customer is a customer.
  const int64_t span_start = std::max(ms_sec, s.signup_at);
  const int64_t span_end = std::min({me_sec, churn_at, horizon_end()});
  if (span_end <= span_start) return;
  const double span = static_cast<double>(span_end - span_start);
  auto random_time = [&]() { return span_start + static_cast<int64_t>(rng.Uniform() * span); };

  // Tickets.
  const double ticket_rate = TicketRateBase(s.segment) * (1.0 + decline + 0.5 * low_usage) *
                             span / static_cast<double>(me_sec - ms_sec);
  const int64_t n_tickets = SamplePoisson(rng, ticket_rate);
  for (int64_t t = 0; t < n_tickets; ++t) {
    Ticket tk;
    tk.customer_id = CustomerId(index);
    tk.opened_at = random_time();
    double category_weights[] = {0.25, 0.40, 0.15, 0.12, 0.08};
    if (decline > 0.3) category_weights[4] *= 4.0;
    tk.category = static_cast<uint8_t>(SampleIndex(rng, category_weights));
    static constexpr double kPriority[] = {0.35, 0.40, 0.20, 0.05};
    static constexpr double kChannel[] = {0.40, 0.30, 0.20, 0.10};
    tk.priority = static_cast<uint8_t>(SampleIndex(rng, kPriority));
    tk.channel = static_cast<uint8_t>(SampleIndex(rng, kChannel));
    double hours = TicketResolutionHours(tk.priority) * std::exp(0.9 * SampleNormal(rng));
    if (rng.Uniform() < 0.12) hours += (20.0 + 70.0 * rng.Uniform()) * 24.0;  // stalled
    const int64_t closed = tk.opened_at + 300 + static_cast<int64_t>(hours * 3600.0);
    int8_t sat = 0;
    if (closed < horizon_end()) {
      tk.closed_at = closed;
      tk.status = 2;
      if (rng.Uniform() >= 0.4) {
        const double mean = 4.6 - 0.45 * std::log1p(hours / 4.0) - (tk.category == 4 ? 0.5 : 0.0);
        sat = static_cast<int8_t>(std::clamp(std::lround(mean + 0.8 * SampleNormal(rng)), 1L, 5L));
      }
    } else {
      tk.status = rng.Uniform() < 0.4 ? 0 : 1;
    }
    tk.satisfaction = sat;
    tk.messages = static_cast<uint8_t>(1 + rng.Below(tk.status == 2 ? 5 : 3));
    // Remember it for the hazard: an empty slot, else the one closing first.
    int slot = 0;
    for (int k = 0; k < 4; ++k) {
      if (s.ticket_close[k] == kNoTime) { slot = k; break; }
      if (s.ticket_close[k] < s.ticket_close[slot]) slot = k;
    }
    s.ticket_close[slot] = tk.closed_at == kNoTime ? kNeverClosed : tk.closed_at;
    s.ticket_sat[slot] = sat;
    if (tk.opened_at >= int64_t{window_start_} * kDay) tickets_.push_back(tk);
  }

  // Attribute changes: plan (and with it the fee), yearly price increases, moves.
  const float old_fee = s.fee;
  int64_t fee_changed_at = kNeverClosed;
  auto record = [&](int64_t ts, const char* attribute, std::string old_value, std::string new_value) {
    month_changes_.push_back(AttributeChange{CustomerId(index), ts, attribute, std::move(old_value),
                                             std::move(new_value)});
    s.updated_at = std::max(s.updated_at, ts);
  };
  auto fee_text = [](double fee) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", fee);
    return std::string(buf);
  };
  const CivilDate signup_civil = CivilFromDays(static_cast<int32_t>(s.signup_at / kDay));
  const int months_since_signup = month - MonthOf(s.signup_at);
  const CivilDate month_civil = CivilFromDays(ms);
  const int32_t bill_day =
      ms + std::min(signup_civil.day, DaysInMonth(month_civil.year, month_civil.month)) - 1;
  const int64_t bill_at = int64_t{bill_day} * kDay + s.signup_at % kDay;
  const auto plans = PlansOf(s.segment);
  if (rng.Uniform() < 0.012) {
    int new_plan = s.plan;
    if (rng.Uniform() < 0.6) {
      if (s.plan + 1 < static_cast<int>(plans.size())) new_plan = s.plan + 1;
    } else if (s.plan > 0) {
      new_plan = s.plan - 1;
    }
    if (new_plan != s.plan) {
      const int64_t ts = random_time();
      record(ts, "plan", std::string(plans[s.plan].name), std::string(plans[new_plan].name));
      s.plan = static_cast<uint8_t>(new_plan);
      s.fee = static_cast<float>(plans[new_plan].list_fee * ContractPriceFactor(s.contract) * s.price_factor);
      record(ts, "monthly_fee", fee_text(old_fee), fee_text(s.fee));
      fee_changed_at = ts;
    }
  }
  if (s.contract == Contract::kMonthly && months_since_signup > 0 && months_since_signup % 12 == 0 &&
      fee_changed_at == kNeverClosed && rng.Uniform() < 0.3 && bill_at >= span_start && bill_at < span_end) {
    s.price_factor *= 1.07f;
    s.fee = static_cast<float>(s.fee * 1.07);
    record(bill_at, "monthly_fee", fee_text(old_fee), fee_text(s.fee));
    fee_changed_at = bill_at;
  }
  if (rng.Uniform() < 0.004) {
    const auto cities = Cities();
    const uint8_t new_city = static_cast<uint8_t>(rng.Below(cities.size()));
    if (new_city != s.city) {
      record(random_time(), "city", std::string(cities[s.city].city), std::string(cities[new_city].city));
      s.city = new_city;
    }
  }

  // Subscription charge on the signup day of the month (annual contracts once a year).
  const bool annual = s.contract == Contract::kAnnual;
  if (bill_at >= s.signup_at && bill_at < span_end && (!annual || months_since_signup % 12 == 0)) {
    const double fee = bill_at >= fee_changed_at ? s.fee : old_fee;
    double amount = annual ? fee * 12.0 : fee;
    int64_t offer_id = 0;
    if (month >= s.offer_effect_from && month <= s.offer_effect_until) {
      if (s.offer_free_month_pending) {
        amount -= fee;
        s.offer_free_month_pending = false;
        offer_id = s.offer_id;
      } else if (s.offer_discount > 0 && s.offer_discount < 100) {
        amount *= 1.0 - s.offer_discount / 100.0;
        offer_id = s.offer_id;
      }
    }
    AddTransaction(s, index, bill_at, std::llround(amount * 100.0), TxnKind::kSubscription, offer_id);
  }
}

Status CompanyModel::Run(const MonthFn& on_month) {
  BuildOffers();
  customers_.reserve(static_cast<size_t>(options_.customers));
  for (int64_t i = 0; i < options_.customers; ++i) InitCustomer(i);

  for (int month = 0; month < total_months_; ++month) {
    current_month_ = month;
    month_txns_ = std::move(future_[month]);
    future_[month] = {};
    month_churn_.clear();
    month_changes_.clear();
    const int32_t ms = month_start_[month];
    const int32_t me = month_start_[month + 1];
    for (int64_t i = 0; i < options_.customers; ++i) SimulateMonth(i, month, ms, me);
    std::sort(month_txns_.begin(), month_txns_.end(), [](const Transaction& a, const Transaction& b) {
      if (a.ts != b.ts) return a.ts < b.ts;
      if (a.customer_id != b.customer_id) return a.customer_id < b.customer_id;
      return a.kind < b.kind;
    });
    for (Transaction& t : month_txns_) t.transaction_id = next_transaction_id_++;
    std::sort(month_changes_.begin(), month_changes_.end(),
              [](const AttributeChange& a, const AttributeChange& b) {
                return a.ts != b.ts ? a.ts < b.ts : a.customer_id < b.customer_id;
              });
    Month out;
    out.index = month - options_.history_months;
    out.start_day = ms;
    out.end_day = me;
    out.transactions = month_txns_;
    out.churn = month_churn_;
    out.changes = month_changes_;
    RETURN_NOT_OK(on_month(out));
  }

  std::stable_sort(assignments_.begin(), assignments_.end(),
                   [](const OfferAssignment& a, const OfferAssignment& b) { return a.sent_at < b.sent_at; });
  for (size_t i = 0; i < assignments_.size(); ++i) assignments_[i].assignment_id = static_cast<int64_t>(i) + 1;
  std::stable_sort(tickets_.begin(), tickets_.end(),
                   [](const Ticket& a, const Ticket& b) { return a.opened_at < b.opened_at; });
  for (size_t i = 0; i < tickets_.size(); ++i) tickets_[i].ticket_id = static_cast<int64_t>(i) + 1;

  for (int64_t i = 0; i < options_.customers; ++i) {
    const CustomerState& s = customers_[i];
    usage_.first_day[i] = static_cast<int32_t>(s.signup_at / kDay) + 1;
    usage_.end_day[i] = std::min(s.churn_day, window_end_);
    usage_.segment[i] = static_cast<uint8_t>(s.segment);
    usage_.device[i] = s.device;
  }
  return Status::OK();
}

}  // namespace custlake::generate
