#include "generate/generator.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <nlohmann/json.hpp>

#include "generate/calendar.h"
#include "generate/contract_tables.h"
#include "generate/company_model.h"
#include "generate/ticket_writer.h"
#include "generate/usage_writer.h"

namespace custlake::generate {

nlohmann::json GenerateSummary::ToJson() const {
  return {{"tables",
           {{"customers", customers}, {"transactions", transactions}, {"offers", offers},
            {"offer_assignments", offer_assignments}}},
          {"customers_active_at_end", active_customers_at_end},
          {"customers_churned", churned_customers},
          {"usage", {{"events", usage_events}, {"files", usage.files}, {"records", usage.records_in_files},
                     {"bytes", usage.bytes}, {"mess", usage.ToJson()}}},
          {"tickets", {{"files", tickets.files}, {"records", tickets.records_in_files},
                       {"bytes", tickets.bytes}, {"mess", tickets.ToJson()}}},
          {"truth_churn_rows", truth_churn_rows},
          {"seconds", {{"total", seconds}, {"model_and_transactions", model_seconds},
                       {"tables", tables_seconds}, {"usage", usage_seconds}, {"tickets", tickets_seconds}}},
          {"usage_events_per_second", usage_seconds > 0 ? usage_events / usage_seconds : 0.0}};
}

namespace {
using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// The fields of a customer that change over time, as they stood at a moment.
struct AsOfState {
  int64_t updated_at = 0;
  int32_t churn_day = kNeverDay;
  float fee = 0;
  uint8_t plan = 0, city = 0;

  static AsOfState Of(const CustomerState& s, int64_t at) {
    // A churn on the last day may be recorded just after midnight; as of
    // midnight it is shown with the last second before it.
    const bool churned = s.churn_day != kNeverDay && int64_t{s.churn_day} * 86400 < at;
    return {std::min(s.updated_at, at - 1), churned ? s.churn_day : kNeverDay, s.fee, s.plan, s.city};
  }
  void ApplyTo(CustomerState* s) const {
    s->updated_at = updated_at;
    s->churn_day = churn_day;
    s->fee = fee;
    s->plan = plan;
    s->city = city;
  }
};

/// Appends rows to one table, committing every `batch` rows.
class TableSink {
 public:
  TableSink(db::Connection* db, db::TableDef table, int64_t batch)
      : db_(db), table_(std::move(table)), batch_(batch) {}
  Status Append(const std::vector<db::Value>& row) {
    ++rows_;
    if (db_ == nullptr) return Status::OK();
    if (!inserter_) {
      ASSIGN_OR_RETURN(inserter_, db_->BeginInsert(table_));
    }
    RETURN_NOT_OK(inserter_->Append(row).WithContext("table " + table_.name + ", row " + std::to_string(rows_)));
    if (++in_batch_ >= batch_) return Flush();
    return Status::OK();
  }
  Status Flush() {
    in_batch_ = 0;
    if (!inserter_) return Status::OK();
    Status st = inserter_->Finish().WithContext("table " + table_.name);
    inserter_.reset();
    return st;
  }
  int64_t rows() const { return rows_; }

 private:
  db::Connection* db_;
  db::TableDef table_;
  int64_t batch_;
  std::unique_ptr<db::BulkInserter> inserter_;
  int64_t rows_ = 0, in_batch_ = 0;
};

/// Writes the transactions table on a thread of its own while the model
/// simulates the next months: each month's rows are handed over whole, at
/// most two months ahead (bounded memory), and the writer's first error stops
/// the simulation at the next hand-over.
class TransactionWriter {
 public:
  TransactionWriter(db::Connection* db, int64_t batch_rows)
      : sink_(db, TransactionsTable(), batch_rows), thread_([this] { Loop(); }) {}
  ~TransactionWriter() { (void)Finish(); }

  Status Push(std::vector<Transaction> month) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return queue_.size() < 2 || !status_.ok(); });
    if (!status_.ok()) return status_;
    queue_.push_back(std::move(month));
    ready_.notify_one();
    return Status::OK();
  }
  /// Writes what is queued, stops the thread; the writer's status.
  Status Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
      ready_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    return status_;
  }
  int64_t rows() const { return sink_.rows(); }

 private:
  void Loop() {
    std::vector<db::Value> row;
    for (;;) {
      std::vector<Transaction> month;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) break;
        month = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
      }
      Status st;
      for (const Transaction& t : month) {
        TransactionRow(t, &row);
        st = sink_.Append(row);
        if (!st.ok()) break;
      }
      if (!st.ok()) return Fail(st);
    }
    Status st = sink_.Flush();
    if (!st.ok()) Fail(st);
  }
  void Fail(Status st) {
    std::lock_guard lock(mu_);
    status_ = std::move(st);
    space_.notify_all();
  }

  TableSink sink_;
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<std::vector<Transaction>> queue_;
  bool done_ = false;
  Status status_;
  std::thread thread_;  // last: starts after the rest is built
};

Status CheckFolders(const std::string& landing_dir, const std::string& truth_dir) {
  if (landing_dir.empty() || truth_dir.empty()) {
    return Status::InvalidArgument("generate: give both a landing folder and a truth folder");
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path landing = fs::weakly_canonical(fs::absolute(landing_dir, ec), ec);
  const fs::path truth = fs::weakly_canonical(fs::absolute(truth_dir, ec), ec);
  auto inside = [](const fs::path& child, const fs::path& parent) {
    auto c = child.begin();
    for (auto p = parent.begin(); p != parent.end(); ++p, ++c) {
      if (p->empty()) continue;
      if (c == child.end() || *c != *p) return false;
    }
    return true;
  };
  if (inside(truth, landing)) {
    return Status::InvalidArgument("generate: the truth folder " + truth.string() +
                                   " lies inside the landing folder " + landing.string() +
                                   "; the ingest would read it. Put it beside the landing folder");
  }
  return Status::OK();
}
}  // namespace

Result<GenerateSummary> Generate(const GeneratorOptions& options, db::Connection* db,
                                 const std::string& landing_dir, const std::string& truth_dir,
                                 const ProgressFn& progress) {
  RETURN_NOT_OK(options.Validate());
  RETURN_NOT_OK(CheckFolders(landing_dir, truth_dir));
  const auto t_start = Clock::now();
  GenerateSummary summary;
  ASSIGN_OR_RETURN(auto truth, TruthWriter::Open(truth_dir));

  if (db != nullptr) {
    for (const db::TableDef& table : ContractTables()) {
      RETURN_NOT_OK(db->CreateTable(table, /*drop_existing=*/true).WithContext("generate: creating " + table.name));
    }
  }

  // Realised churn over the window, by segment and by contract.
  int64_t at_risk[2][3] = {}, churned[2][3] = {};
  CompanyModel model(options);
  TransactionWriter transactions(db, options.db_batch_rows);
  std::vector<db::Value> row;
  const int total_months = options.history_months + options.months;
  // As of a date before the window's end, the tables show the state of that
  // day: the customers' changing fields are copied when the simulation
  // reaches it (months run in order and a month only changes a customer
  // within it), later rows are left out and later updates undone.
  const int32_t as_of_day = options.AsOfDay();
  const int64_t as_of = int64_t{as_of_day} * 86400;
  std::vector<AsOfState> as_of_states;
  auto on_month = [&](const CompanyModel::Month& month) -> Status {
    if (month.start_day < as_of_day) {
      std::vector<Transaction> rows(month.transactions.begin(), month.transactions.end());
      for (Transaction& t : rows) {
        if (t.updated_at >= as_of) t.updated_at = t.ts;  // its later update has not happened yet
      }
      RETURN_NOT_OK(transactions.Push(std::move(rows)));
    }
    if (month.end_day == as_of_day && as_of_day < model.window_end_day()) {
      as_of_states.reserve(static_cast<size_t>(model.customer_count()));
      for (int64_t i = 0; i < model.customer_count(); ++i) as_of_states.push_back(AsOfState::Of(model.customer(i), as_of));
    }
    RETURN_NOT_OK(truth->AddMonth(month));
    for (const ChurnTruth& c : month.churn) {
      const CustomerState& s = model.customer(c.customer_id - 1);
      ++at_risk[0][static_cast<int>(s.segment)];
      ++at_risk[1][static_cast<int>(s.contract)];
      churned[0][static_cast<int>(s.segment)] += c.churned;
      churned[1][static_cast<int>(s.contract)] += c.churned;
    }
    if (progress) progress("model", month.index + options.history_months + 1, total_months, 0);
    return Status::OK();
  };
  Status simulated = model.Run(on_month);
  RETURN_NOT_OK(transactions.Finish());
  RETURN_NOT_OK(simulated);
  summary.transactions = transactions.rows();
  summary.model_seconds = Since(t_start);

  // The usage files (the bulk of the bytes) are written on a second thread
  // while this one writes the other tables, the truth and the tickets: they
  // share nothing but the finished model, read-only.
  UsageWriter usage(options, model.usage());
  Result<UsageMessCounts> usage_counts = Status::Internal("usage not written");
  double usage_seconds = 0;
  std::thread usage_thread([&] {
    const auto t_usage = Clock::now();
    usage_counts = usage.Write(landing_dir + "/usage", as_of_day, [&](int64_t done, int64_t total, int64_t bytes) {
      if (progress) progress("usage", done, total, bytes);
    });
    usage_seconds = Since(t_usage);
  });
  struct Join {
    std::thread& t;
    ~Join() {
      if (t.joinable()) t.join();  // an early return above waits for the usage files
    }
  } join_usage{usage_thread};

  const auto t_tables = Clock::now();
  TableSink customers(db, CustomersTable(), options.db_batch_rows);
  for (int64_t i = 0; i < model.customer_count(); ++i) {
    CustomerState s = model.customer(i);
    if (s.signup_at >= as_of) continue;  // not a customer yet
    if (!as_of_states.empty()) as_of_states[static_cast<size_t>(i)].ApplyTo(&s);
    CustomerRow(s, CompanyModel::CustomerId(i), &row);
    RETURN_NOT_OK(customers.Append(row));
    if (s.churn_day == kNeverDay) {
      ++summary.active_customers_at_end;
    } else {
      ++summary.churned_customers;
    }
  }
  RETURN_NOT_OK(customers.Flush());
  TableSink offers(db, OffersTable(), options.db_batch_rows);
  for (const Offer& o : model.offers()) {
    if (o.start_day >= as_of_day) continue;  // a later campaign
    OfferRow(o, &row);
    RETURN_NOT_OK(offers.Append(row));
  }
  RETURN_NOT_OK(offers.Flush());
  TableSink assignments(db, OfferAssignmentsTable(), options.db_batch_rows);
  for (OfferAssignment a : model.assignments()) {
    if (a.sent_at >= as_of) break;  // sorted by sent_at
    if (a.responded_at >= as_of) {  // the answer comes later
      a.responded_at = kNoTime;
      a.redeemed = false;
    }
    OfferAssignmentRow(a, &row);
    RETURN_NOT_OK(assignments.Append(row));
  }
  RETURN_NOT_OK(assignments.Flush());
  summary.customers = customers.rows();
  summary.offers = offers.rows();
  summary.offer_assignments = assignments.rows();
  RETURN_NOT_OK(truth->WriteCustomers(model));
  summary.tables_seconds = Since(t_tables);

  const auto t_tickets = Clock::now();
  TicketWriter tickets(options, model.horizon_end());
  ASSIGN_OR_RETURN(summary.tickets, tickets.Write(model.tickets(), landing_dir + "/tickets", as_of_day));
  summary.tickets_seconds = Since(t_tickets);

  usage_thread.join();
  usage_thread = std::thread();  // joined: nothing left for join_usage
  ASSIGN_OR_RETURN(summary.usage, std::move(usage_counts));
  summary.usage_events = usage.events();
  summary.usage_seconds = usage_seconds;
  if (progress) progress("tickets", 1, 1, 0);

  // parameters.json: what was asked, the laws of the simulated world, and what came out.
  nlohmann::json realised;
  for (int g = 0; g < 2; ++g) {
    for (int k = 0; k < 3; ++k) {
      const std::string name(g == 0 ? SegmentName(static_cast<Segment>(k)) : ContractName(static_cast<Contract>(k)));
      realised[g == 0 ? "monthly_churn_by_segment" : "monthly_churn_by_contract"][name] = {
          {"customer_months_at_risk", at_risk[g][k]},
          {"churned", churned[g][k]},
          {"rate", at_risk[g][k] > 0 ? static_cast<double>(churned[g][k]) / at_risk[g][k] : 0.0}};
    }
  }
  const int64_t all_at_risk = at_risk[0][0] + at_risk[0][1] + at_risk[0][2];
  const int64_t all_churned = churned[0][0] + churned[0][1] + churned[0][2];
  realised["monthly_churn"] = all_at_risk > 0 ? static_cast<double>(all_churned) / all_at_risk : 0.0;
  nlohmann::json segments;
  for (int k = 0; k < kSegments; ++k) {
    const Segment s = static_cast<Segment>(k);
    nlohmann::json plans = nlohmann::json::object();
    for (const Plan& p : PlansOf(s)) plans[std::string(p.name)] = p.list_fee;
    const auto contracts = ContractMix(s);
    segments[std::string(SegmentName(s))] = {
        {"share", SegmentMix()[k]},
        {"contract_mix", {{"monthly", contracts[0]}, {"annual", contracts[1]}, {"two_year", contracts[2]}}},
        {"plans_list_fee", plans},
        {"reference_fee", ReferenceFee(s)},
        {"daily_activity_base", DailyActivityBase(s)},
        {"tickets_per_month_base", TicketRateBase(s)}};
  }
  nlohmann::json parameters = {
      {"generator", options.ToJson()},
      {"window", {{"start", DateString(model.window_start_day())},
                  {"end_exclusive", DateString(model.window_end_day())}}},
      {"model", options.model.ToJson()},
      {"segments", segments},
      {"contract_price_factor", {{"monthly", 1.0}, {"annual", 0.9}, {"two_year", 0.8}}},
      {"offers", {{"at_risk_threshold", 0.05}, {"at_risk_targeted_share", 0.5}, {"broad_offer_rate", 0.02},
                  {"redeem_given_response", 0.6}, {"effect_months", 3}}},
      {"realised", realised},
      {"summary", {{"customers", summary.customers}, {"transactions", summary.transactions},
                   {"usage_events", summary.usage_events}, {"tickets", summary.tickets.records_in_files}}}};
  nlohmann::json mess = {{"usage", summary.usage.ToJson()}, {"tickets", summary.tickets.ToJson()},
                         {"rules", "see src/generate/truth.h: records_in_files = committed + quarantined + duplicates"}};
  RETURN_NOT_OK(truth->Finish(parameters, mess));
  summary.truth_churn_rows = truth->churn_rows();
  summary.seconds = Since(t_start);
  return summary;
}

}  // namespace custlake::generate
