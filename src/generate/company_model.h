// The simulated subscription business: who signs up when, what they pay,
// how they use the product, when they open tickets, which offers they get
// and when they leave.
//
// The simulation runs month by month over history_months before the window
// and the `months` of the window, all customers in each month, so the
// transactions of a month can be sorted by time and numbered: transaction
// ids grow with time, as in a real operational database. Each customer has
// its own generator (seeded from the seed and the customer index), so a
// customer's story does not depend on anyone else's.
//
// One month of a customer alive at its start (see ModelParameters for the hazard):
//   1. features from earlier months: usage level and its trend, open tickets, last
//      satisfaction, a redeemed offer in the previous 3 months, tenure, fee;
//   2. campaigns: an at-risk customer (base hazard > 5 %) gets the month's
//      retention offer of its segment with probability 1/2, anyone else with
//      probability 2 %, at most one offer per 3 months, sent in the month's
//      first 3 days; the offer changes the hazard in this month and the two
//      after, differently for each customer (offer_response.h), and a
//      redeemed one discounts the 3 following months' charges;
//   3. churn with the month's hazard, on a uniform day of the month (after
//      the send for a customer sent an offer);
//   4. engagement of the month (log-AR(1) plus occasional decline phases),
//      the days of use it gives (drawn as the usage writer draws them, so
//      the hazard of the next months reads the days the files show),
//      tickets, attribute changes (plan, fee, city), subscription charges.
// A customer is not at risk in the month of signup. Purchases follow BG/NBD
// from signup on, independently of the subscription (see ModelParameters).
//
// Memory: about 220 bytes per customer (CustomerState, with the realised usage
// levels and habit of 3 months) plus 12 bytes per customer-month of the window
// (usage rates) plus the window's tickets and all offer
// assignments. A CompanyModel is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "generate/catalog.h"
#include "generate/offer_response.h"
#include "generate/options.h"
#include "generate/rng.h"

namespace custlake::generate {

inline constexpr int32_t kNeverDay = std::numeric_limits<int32_t>::max();
inline constexpr int64_t kNoTime = -1;

enum class TxnKind : uint8_t { kSubscription, kPurchase, kRefund };
std::string_view TxnKindName(TxnKind k);

struct Transaction {
  int64_t transaction_id = 0;  ///< assigned when the month is sorted
  int64_t customer_id = 0;
  int64_t ts = 0;              ///< epoch seconds
  int64_t updated_at = 0;      ///< epoch seconds
  int64_t offer_id = 0;        ///< 0 = NULL
  int64_t amount_cents = 0;    ///< negative for refunds
  TxnKind kind = TxnKind::kSubscription;
  PaymentMethod payment = PaymentMethod::kCard;
};

struct Offer {
  int64_t offer_id = 0;
  std::string name;
  std::string campaign;
  int channel = 0;          ///< index into OfferChannels()
  std::string offer_type;   ///< discount, free_month
  int discount_pct = 0;
  int32_t start_day = 0;    ///< epoch days, inclusive
  int32_t end_day = 0;      ///< epoch days, inclusive
  std::string target_segment;  ///< consumer, smb, enterprise or all
};

struct OfferAssignment {
  int64_t assignment_id = 0;  ///< assigned after sorting by sent_at
  int64_t offer_id = 0;
  int64_t customer_id = 0;
  int64_t sent_at = 0;                ///< epoch seconds
  int64_t responded_at = kNoTime;     ///< kNoTime = no response
  bool redeemed = false;
};

struct Ticket {
  int64_t ticket_id = 0;       ///< assigned after sorting by opened_at
  int64_t customer_id = 0;
  int64_t opened_at = 0;       ///< epoch seconds
  int64_t closed_at = kNoTime; ///< kNoTime = still open at the end of the window
  uint8_t channel = 0, category = 0, priority = 0;
  uint8_t status = 0;          ///< 0 open, 1 pending, 2 closed
  int8_t satisfaction = 0;     ///< 1..5, 0 = none given
  uint8_t messages = 1;
};
std::string_view TicketStatusName(uint8_t status);

/// One row of truth/churn_probability.csv.
struct ChurnTruth {
  int64_t customer_id = 0;
  float p_churn = 0;          ///< hazard actually used this month
  float p_without_offer = 0;  ///< the same without any offer's effect (contact or redemption)
  float offer_effect = 0;     ///< true 3-month effect of this month's retention offer (offer_response.h)
  bool churned = false;
  bool offer_sent = false;    ///< sent an offer this month
  bool flagged = false;       ///< flagged by the campaign's targeting rule (FlaggedForRetention)
};

/// One row of truth/attribute_changes.csv.
struct AttributeChange {
  int64_t customer_id = 0;
  int64_t ts = 0;
  const char* attribute = "";  ///< plan, monthly_fee, city
  std::string old_value, new_value;
};

/// Compact state of one customer, kept for the whole run.
struct CustomerState {
  explicit CustomerState(uint64_t seed) : rng(seed) {}
  Xoshiro256 rng;
  int64_t signup_at = 0;        ///< epoch seconds
  int64_t updated_at = 0;
  int32_t churn_day = kNeverDay;
  int32_t birth_day = 0;
  float fee = 0;                ///< current monthly fee
  float price_factor = 1;       ///< accumulated price increases
  float engagement_mu = 0, engagement_x = 0;
  float log_e[3] = {0, 0, 0};   ///< latent log engagement of the last 3 months, [0] = latest
  /// Realised usage level of the last 3 months (RealisedUsageLevel of the days of use the usage
  /// files show), [0] = latest: what the offer's response reads.
  float usage_level[3] = {0, 0, 0};
  /// The usage habit: the realised levels smoothed over the months (kUsageHabitWeight on the latest),
  /// of the last 3 months, [0] = latest: what the churn hazard reads.
  float usage_habit[3] = {0, 0, 0};
  uint8_t months_seen = 0;      ///< months of engagement history (capped at 3)
  uint8_t decline_left = 0;     ///< months left in a decline phase
  Segment segment = Segment::kConsumer;
  Contract contract = Contract::kMonthly;
  uint8_t plan = 0, city = 0, gender = 0, device = 0;
  PaymentMethod payment = PaymentMethod::kCard;
  uint16_t first_name = 0, last_name = 0, email_domain = 0;
  // Purchases (BG/NBD, Gamma-Gamma).
  float lambda = 0, dropout = 0, nu = 0;
  bool purchase_alive = true;
  uint32_t purchases = 0;       ///< purchases made so far (the first is time zero)
  double next_purchase = 0;     ///< epoch seconds
  // Offers.
  int16_t last_offer_month = -100;
  float offer_logit = 0;              ///< the last offer's effect on the hazard logit (offer_response.h)
  int16_t offer_effect_until = -100;  ///< last month index with the redeemed discount
  int16_t offer_effect_from = 0;
  uint8_t offer_discount = 0;
  bool offer_free_month_pending = false;
  int64_t offer_id = 0;
  // Tickets: close time and satisfaction of up to 4 tickets not yet applied.
  int64_t ticket_close[4] = {kNoTime, kNoTime, kNoTime, kNoTime};
  int8_t ticket_sat[4] = {0, 0, 0, 0};
  int8_t last_satisfaction = 0; ///< 0 = none yet
};

/// Per-customer daily usage rates for the window, the input of UsageWriter.
struct UsageProfiles {
  int months = 0;
  std::vector<int32_t> month_start;  ///< months + 1 epoch days
  /// A customer-month's usage, all following the month's engagement e (kept together: the writer
  /// reads them for the same customer-day).
  struct Rates {
    float p_active = 0;         ///< P(uses the product on a day)
    float extra_events = 0;     ///< mean events beyond the first on a day of use (UsageExtraEventsMean)
    float duration_factor = 1;  ///< on event durations and the seconds between events (UsageDurationFactor)
  };
  std::vector<Rates> rates;          ///< [customer * months + month]
  std::vector<int32_t> first_day;    ///< first epoch day with usage (day after signup)
  std::vector<int32_t> end_day;      ///< first epoch day without usage (churn day or window end)
  std::vector<uint8_t> segment;
  std::vector<uint8_t> device;       ///< preferred device index
};

class CompanyModel {
 public:
  /// `options` must have passed Validate().
  explicit CompanyModel(const GeneratorOptions& options);

  struct Month {
    int index = 0;            ///< relative to the window: -history_months .. months-1
    int32_t start_day = 0;    ///< epoch day
    int32_t end_day = 0;      ///< epoch day after the last
    std::span<const Transaction> transactions;   ///< sorted by ts, ids assigned
    std::span<const ChurnTruth> churn;           ///< window months only: customers at risk
    std::span<const AttributeChange> changes;
  };
  using MonthFn = std::function<Status(const Month&)>;

  /// Runs the whole simulation, handing each month to `on_month` (which may
  /// stop it by returning an error). Call once.
  Status Run(const MonthFn& on_month);

  int64_t customer_count() const { return static_cast<int64_t>(customers_.size()); }
  const CustomerState& customer(int64_t index) const { return customers_[index]; }
  static int64_t CustomerId(int64_t index) { return index + 1; }
  const std::vector<Offer>& offers() const { return offers_; }
  /// Sorted by sent_at, ids assigned (after Run).
  const std::vector<OfferAssignment>& assignments() const { return assignments_; }
  /// Tickets opened in the window, sorted by opened_at, ids assigned (after Run).
  const std::vector<Ticket>& tickets() const { return tickets_; }
  const UsageProfiles& usage() const { return usage_; }
  int32_t window_start_day() const { return window_start_; }
  int32_t window_end_day() const { return window_end_; }
  int64_t horizon_end() const { return int64_t{window_end_} * 86400; }
  int64_t transaction_count() const { return next_transaction_id_ - 1; }

 private:
  void InitCustomer(int64_t index);
  void BuildOffers();
  /// The month's hazard logit (an earlier offer's effect included) and, in
  /// *without_offer, without any offer's effect; *drivers gets what an offer's effect depends on.
  double Logit(const CustomerState& s, int32_t month_start, int month, double* without_offer,
               OfferDrivers* drivers) const;
  /// Steps 2 and 3 of a month for a customer at risk: the campaign's send
  /// and the churn draw; writes the truth row. Returns the churn time (or kNeverClosed).
  int64_t CampaignAndChurn(int64_t index, int month, int32_t ms, int32_t me);
  void SimulateMonth(int64_t index, int month, int32_t ms, int32_t me);
  /// The realised usage level (RealisedUsageLevel) of the customer's days of use in [ms, me) at
  /// p_active, drawn with the usage writer's streams; 0 for a customer who left in the month.
  double RealisedLevel(int64_t index, int32_t ms, int32_t me, float p_active, double base_rate) const;
  void EmitPurchases(int64_t index, int64_t until);
  void AddTransaction(const CustomerState& s, int64_t index, int64_t ts, int64_t cents, TxnKind kind,
                      int64_t offer_id);
  int MonthOf(int64_t epoch_seconds) const;

  GeneratorOptions options_;
  int total_months_ = 0;  ///< history + window
  std::vector<int32_t> month_start_;  ///< total_months_ + 1, index 0 = first history month
  std::vector<uint64_t> usage_day_seed_;  ///< UsageDaySeed of every day from month_start_[0] on
  int32_t window_start_ = 0, window_end_ = 0;
  std::vector<CustomerState> customers_;
  std::vector<Offer> offers_;
  std::vector<OfferAssignment> assignments_;
  std::vector<Ticket> tickets_;
  UsageProfiles usage_;
  // Per-month scratch, reused.
  std::vector<std::vector<Transaction>> future_;  ///< transactions due in later months (refunds)
  std::vector<Transaction> month_txns_;
  std::vector<ChurnTruth> month_churn_;
  std::vector<AttributeChange> month_changes_;
  int current_month_ = 0;
  int64_t next_transaction_id_ = 1;
};

}  // namespace custlake::generate
