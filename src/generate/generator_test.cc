#include "generate/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "db/connection.h"
#include "generate/calendar.h"
#include "generate/company_model.h"
#include "generate/contract_tables.h"
#include "generate/usage_day.h"
#include "generate/usage_writer.h"
#include "support/status_testing.h"

namespace custlake::generate {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

[[maybe_unused]] std::vector<std::vector<std::string>> ReadCsv(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : Lines(ReadFile(p))) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("custlake_generate_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  struct Run {
    GenerateSummary summary;
    fs::path landing, truth, db_path;
  };
  Result<Run> Generate(const GeneratorOptions& options, const std::string& name, bool with_db = true) {
    Run run;
    run.landing = root_ / name / "landing";
    run.truth = root_ / name / "truth";
    run.db_path = root_ / name / "sic.db";
    fs::create_directories(root_ / name);
    std::unique_ptr<db::Connection> conn;
    if (with_db) {
      ASSIGN_OR_RETURN(auto url, db::DatabaseUrl::Parse("sqlite:" + run.db_path.string()));
      ASSIGN_OR_RETURN(conn, db::Connection::Open(url));
    }
    ASSIGN_OR_RETURN(run.summary, generate::Generate(options, conn.get(), run.landing.string(), run.truth.string()));
    return run;
  }

  fs::path root_;
};


std::map<std::string, std::string> ReadTree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = ReadFile(e.path());
  }
  return files;
}

Result<std::vector<std::string>> DumpTable(db::Connection* conn, const std::string& table) {
  std::vector<std::string> out;
  ASSIGN_OR_RETURN(auto stream, conn->Query("SELECT * FROM " + table + " ORDER BY 1"));
  std::vector<db::Value> row;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, stream->Next(&row));
    if (!more) break;
    std::string line;
    for (const db::Value& v : row) {
      if (std::holds_alternative<int64_t>(v)) line += std::to_string(std::get<int64_t>(v));
      if (std::holds_alternative<double>(v)) line += std::to_string(std::get<double>(v));
      if (std::holds_alternative<std::string>(v)) line += std::get<std::string>(v);
      if (std::holds_alternative<std::monostate>(v)) line += "NULL";
      line += '|';
    }
    out.push_back(std::move(line));
  }
  return out;
}

Result<std::unique_ptr<db::Connection>> OpenSqlite(const fs::path& path) {
  ASSIGN_OR_RETURN(auto url, db::DatabaseUrl::Parse("sqlite:" + path.string()));
  return db::Connection::Open(url);
}

GeneratorOptions Small() {
  GeneratorOptions o;
  o.customers = 400;
  o.months = 3;
  o.history_months = 6;
  return o;
}

TEST_F(GeneratorTest, SameSeedGivesIdenticalFilesAndTables) {
  ASSERT_OK_AND_ASSIGN(Run a, Generate(Small(), "a"));
  ASSERT_OK_AND_ASSIGN(Run b, Generate(Small(), "b"));
  const auto landing_a = ReadTree(a.landing), landing_b = ReadTree(b.landing);
  ASSERT_GT(landing_a.size(), 90u);
  EXPECT_TRUE(landing_a == landing_b) << "landing folders differ";
  EXPECT_TRUE(ReadTree(a.truth) == ReadTree(b.truth)) << "truth folders differ";
  for (const auto& [name, bytes] : landing_a) EXPECT_NE(name[0], '.') << "temporary left behind: " << name;
  ASSERT_OK_AND_ASSIGN(auto conn_a, OpenSqlite(a.db_path));
  ASSERT_OK_AND_ASSIGN(auto conn_b, OpenSqlite(b.db_path));
  for (const char* table : {"customers", "transactions", "offers", "offer_assignments"}) {
    ASSERT_OK_AND_ASSIGN(auto rows_a, DumpTable(conn_a.get(), table));
    ASSERT_OK_AND_ASSIGN(auto rows_b, DumpTable(conn_b.get(), table));
    EXPECT_FALSE(rows_a.empty()) << table;
    EXPECT_TRUE(rows_a == rows_b) << table << " differs";
  }

  GeneratorOptions other = Small();
  other.seed = 43;
  ASSERT_OK_AND_ASSIGN(Run c, Generate(other, "c", /*with_db=*/false));
  const auto landing_c = ReadTree(c.landing);
  EXPECT_NE(landing_a.at("usage/2025-01-01.ndjson"), landing_c.at("usage/2025-01-01.ndjson"));
}

TEST_F(GeneratorTest, ContractTablesExistWithExactlyTheContractColumns) {
  ASSERT_OK_AND_ASSIGN(Run run, Generate(Small(), "a"));
  // Written out here from DESIGN.md, not taken from contract_tables.cc.
  const std::map<std::string, std::vector<std::string>> contract = {
      {"customers", {"customer_id", "first_name", "last_name", "email", "gender", "birth_date", "city", "region",
                     "country", "segment", "plan", "contract", "monthly_fee", "signup_date", "status",
                     "churn_date", "created_at", "updated_at"}},
      {"transactions", {"transaction_id", "customer_id", "ts", "amount", "currency", "kind", "payment_method",
                        "offer_id", "updated_at"}},
      {"offers", {"offer_id", "name", "campaign", "channel", "offer_type", "discount_pct", "start_date",
                  "end_date", "target_segment"}},
      {"offer_assignments", {"assignment_id", "offer_id", "customer_id", "sent_at", "responded_at", "redeemed", "updated_at"}}};
  ASSERT_OK_AND_ASSIGN(auto conn, OpenSqlite(run.db_path));
  const std::map<std::string, int64_t> expected_rows = {
      {"customers", run.summary.customers}, {"transactions", run.summary.transactions},
      {"offers", run.summary.offers}, {"offer_assignments", run.summary.offer_assignments}};
  for (const auto& [table, columns] : contract) {
    ASSERT_OK_AND_ASSIGN(auto stream, conn->Query("SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid"));
    std::vector<std::string> names;
    std::vector<db::Value> row;
    for (;;) {
      ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&row));
      if (!more) break;
      names.push_back(std::get<std::string>(row[0]));
    }
    EXPECT_EQ(names, columns) << table;
    ASSERT_OK_AND_ASSIGN(auto rows, DumpTable(conn.get(), table));
    EXPECT_EQ(static_cast<int64_t>(rows.size()), expected_rows.at(table)) << table;
    EXPECT_GT(rows.size(), 0u) << table;
  }
  // status and churn_date agree; ids of transactions grow with time.
  ASSERT_OK_AND_ASSIGN(auto bad, DumpTable(conn.get(),
      "(SELECT customer_id FROM customers WHERE (status = 'churned') <> (churn_date IS NOT NULL)"
      " OR updated_at < created_at OR status NOT IN ('active','churned'))"));
  EXPECT_TRUE(bad.empty());
  ASSERT_OK_AND_ASSIGN(auto unordered, DumpTable(conn.get(),
      "(SELECT a.transaction_id FROM transactions a JOIN transactions b ON b.transaction_id = a.transaction_id + 1"
      " WHERE b.ts < a.ts)"));
  EXPECT_TRUE(unordered.empty());
}

// Re-parses every landing file independently and checks the truth's counts.
// Re-reads every landing file independently of the generator and checks
// that the truth's mess counts describe exactly what the files hold.
void ExpectTruthMatchesFiles(const fs::path& landing, const fs::path& truth_dir, bool every_kind_occurs) {
  const nlohmann::json truth = nlohmann::json::parse(ReadFile(truth_dir / "mess_counts.json"));
  const nlohmann::json& tu = truth["usage"];

  std::map<std::string, int64_t> kinds;
  std::map<std::string, std::string> first_copy;
  int64_t records = 0, committed = 0, quarantined = 0, duplicates = 0;
  static const std::set<std::string> kKnown = {"event_id", "customer_id", "ts", "event_type", "feature",
                                               "device", "duration_s", "bytes", "app_version"};
  auto is_digits = [](const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  };
  auto iso = [](const std::string& s) {
    // YYYY-MM-DDTHH:MM:SS.mmm then Z, +HH:MM / -HH:MM, or nothing
    if (s.size() < 23 || s[4] != '-' || s[10] != 'T' || s[19] != '.') return std::string();
    const std::string zone = s.substr(23);
    if (zone.empty()) return std::string("naive");
    if (zone == "Z") return std::string("z");
    if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') return std::string("offset");
    return std::string();
  };
  std::vector<fs::path> usage_files;
  for (const auto& e : fs::directory_iterator(landing / "usage")) usage_files.push_back(e.path());
  std::sort(usage_files.begin(), usage_files.end());  // date order: originals before re-sends
  for (const fs::path& path : usage_files) {
    const std::string file_date = path.filename().string().substr(0, 10);
    for (const std::string& line : Lines(ReadFile(path))) {
      ++records;
      const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.is_object()) {
        ++quarantined;
        ++kinds["unparseable"];
        continue;
      }
      if (!j.contains("event_id") || !j.contains("customer_id") || !j.contains("ts")) {
        ++quarantined;
        ++kinds["missing_required"];
        continue;
      }
      const auto& cid = j["customer_id"];
      const auto& ts = j["ts"];
      bool ok = j["event_id"].is_string() && (cid.is_number_integer() || (cid.is_string() && is_digits(cid)));
      std::string ts_kind;
      if (ts.is_string()) ts_kind = iso(ts);
      if (ts.is_number_integer()) ts_kind = ts.get<int64_t>() < 100000000000 ? "epoch_s" : "epoch_ms";
      ok = ok && !ts_kind.empty();
      bool as_string = cid.is_string();
      for (const char* k : {"duration_s", "bytes"}) {
        if (!j.contains(k) || j[k].is_null()) continue;
        if (j[k].is_string()) {
          as_string = true;
          ok = ok && is_digits(j[k]);
        } else {
          ok = ok && j[k].is_number_integer();
        }
      }
      if (!ok) {
        ++quarantined;
        ++kinds["bad_type"];
        continue;
      }
      const std::string id = j["event_id"];
      if (auto it = first_copy.find(id); it != first_copy.end()) {
        EXPECT_EQ(it->second, line) << "a duplicate must be an exact re-send";
        ++duplicates;
        continue;
      }
      first_copy.emplace(id, line);
      ++committed;
      bool missing_optional = false, extra = false;
      for (const char* k : {"feature", "device", "duration_s", "bytes", "app_version"}) {
        if (!j.contains(k) || j[k].is_null()) missing_optional = true;
      }
      for (const auto& [k, v] : j.items()) extra = extra || !kKnown.count(k);
      std::string kind = "clean";
      if (as_string) kind = "numbers_as_strings";
      else if (ts_kind == "offset") kind = "tz_offset";
      else if (ts_kind == "naive") kind = "tz_naive";
      else if (ts_kind == "epoch_s") kind = "epoch_seconds";
      else if (ts_kind == "epoch_ms") kind = "epoch_millis";
      else if (extra) kind = "extra_fields";
      else if (missing_optional) kind = "missing_optional";
      else if (ts.get<std::string>().substr(0, 10) != file_date) kind = "late";
      ++kinds[kind];
    }
  }
  EXPECT_EQ(records, tu["records_in_files"].get<int64_t>());
  EXPECT_EQ(committed, tu["committed"].get<int64_t>());
  EXPECT_EQ(quarantined, tu["quarantined"].get<int64_t>());
  EXPECT_EQ(duplicates, tu["duplicates"].get<int64_t>());
  EXPECT_EQ(records, committed + quarantined + duplicates);
  for (const auto& [kind, n] : tu["committed_by_kind"].items()) {
    EXPECT_EQ(kinds[kind], n.get<int64_t>()) << kind;
    if (every_kind_occurs) {
      EXPECT_GT(n.get<int64_t>(), 0) << kind;
    }
  }
  const auto& q = tu["quarantined_by_kind"];
  EXPECT_EQ(kinds["unparseable"], q["malformed"].get<int64_t>() + q["truncated"].get<int64_t>());
  EXPECT_EQ(kinds["missing_required"], q["missing_required"].get<int64_t>());
  EXPECT_EQ(kinds["bad_type"], q["bad_type"].get<int64_t>());

  // Tickets: array files, NDJSON files, single documents.
  const nlohmann::json& tt = truth["tickets"];
  int64_t t_records = 0, t_committed = 0, t_quarantined = 0, files = 0;
  auto check = [&](const nlohmann::json& doc) {
    ++t_records;
    const bool good = doc.is_object() && doc.contains("ticket_id") && doc.contains("customer_id") &&
                      doc.contains("opened_at") && doc["messages"].is_array() && !doc["messages"].empty();
    ++(good ? t_committed : t_quarantined);
  };
  for (const auto& e : fs::directory_iterator(landing / "tickets")) {
    ++files;
    const std::string text = ReadFile(e.path());
    const nlohmann::json whole = nlohmann::json::parse(text, nullptr, false);
    if (!whole.is_discarded()) {
      if (whole.is_array()) {
        for (const auto& doc : whole) check(doc);
      } else {
        check(whole);
      }
      continue;
    }
    for (const std::string& line : Lines(text)) {
      const nlohmann::json doc = nlohmann::json::parse(line, nullptr, false);
      if (doc.is_discarded()) {
        ++t_records;
        ++t_quarantined;
      } else {
        check(doc);
      }
    }
  }
  EXPECT_EQ(files, tt["files"].get<int64_t>());
  EXPECT_EQ(t_records, tt["records_in_files"].get<int64_t>());
  EXPECT_EQ(t_committed, tt["committed"].get<int64_t>());
  EXPECT_EQ(t_quarantined, tt["quarantined"].get<int64_t>());
  if (every_kind_occurs) {
    EXPECT_GT(tt["quarantined_by_kind"]["malformed"].get<int64_t>(), 0);
    EXPECT_GT(tt["files_by_format"]["ndjson"].get<int64_t>(), 0);
    EXPECT_GT(tt["files_by_format"]["single_document"].get<int64_t>(), 0);
  }
}

TEST_F(GeneratorTest, MessCountsInTruthMatchTheFiles) {
  GeneratorOptions o = Small();
  o.customers = 600;
  // Ten times the default mess so that every kind occurs often.
  UsageMessRates& m = o.usage_mess;
  for (double* r : {&m.numbers_as_strings, &m.tz_offset, &m.tz_naive, &m.epoch_seconds, &m.epoch_millis,
                    &m.extra_fields, &m.missing_optional, &m.late, &m.missing_required, &m.bad_type,
                    &m.malformed, &m.truncated, &m.duplicate}) {
    *r *= 10;
  }
  o.ticket_mess.malformed = 0.05;
  o.ticket_mess.missing_required = 0.05;
  o.ticket_mess.coercible = 0.2;
  ASSERT_OK_AND_ASSIGN(Run run, Generate(o, "a", /*with_db=*/false));
  ExpectTruthMatchesFiles(run.landing, run.truth, /*every_kind_occurs=*/true);
}

// Generating as of an earlier date gives the same company earlier: every
// landing file of the earlier run comes out byte-identical in the later one,
// rows only ever change with a later updated_at, and the truth counts match
// the files of each run. This is what lets a pipeline be run, the company
// moved forward, and the pipeline run again incrementally.
TEST_F(GeneratorTest, AsOfIsTheSameCompanyEarlier) {
  GeneratorOptions o = Small();
  o.customers = 800;
  o.months = 4;
  ScaleMess(5, &o);  // plenty of late events and re-sends across the cut
  GeneratorOptions early_options = o;
  early_options.as_of = "2025-03-01";
  ASSERT_OK_AND_ASSIGN(Run early, Generate(early_options, "early"));
  ASSERT_OK_AND_ASSIGN(Run late, Generate(o, "late"));
  ExpectTruthMatchesFiles(early.landing, early.truth, /*every_kind_occurs=*/false);
  ExpectTruthMatchesFiles(late.landing, late.truth, /*every_kind_occurs=*/false);

  const auto early_files = ReadTree(early.landing), late_files = ReadTree(late.landing);
  ASSERT_GT(early_files.size(), 30u);
  EXPECT_GT(late_files.size(), early_files.size());
  for (const auto& [name, bytes] : early_files) {
    EXPECT_LT(name.substr(name.find('/') + 1, 10), "2025-03-01") << name;
    auto it = late_files.find(name);
    ASSERT_NE(it, late_files.end()) << name;
    EXPECT_EQ(it->second, bytes) << name << " changed between the two dates";
  }
  EXPECT_LT(early.summary.usage_events, late.summary.usage_events);

  ASSERT_OK_AND_ASSIGN(auto e, OpenSqlite(early.db_path));
  ASSERT_OK_AND_ASSIGN(auto l, OpenSqlite(late.db_path));
  // Transactions: the earlier table is the later one's prefix (ids grow with
  // time); a row may only differ by an update that came later.
  ASSERT_OK_AND_ASSIGN(auto early_txns, DumpTable(e.get(),
      "(SELECT transaction_id, customer_id, ts, amount, kind FROM transactions)"));
  ASSERT_OK_AND_ASSIGN(auto late_txns, DumpTable(l.get(),
      "(SELECT transaction_id, customer_id, ts, amount, kind FROM transactions WHERE ts < '2025-03-01')"));
  EXPECT_EQ(early_txns, late_txns);
  ASSERT_OK_AND_ASSIGN(auto future_updates, DumpTable(e.get(),
      "(SELECT transaction_id FROM transactions WHERE updated_at >= '2025-03-01')"));
  EXPECT_TRUE(future_updates.empty());
  // Customers: those signed up before the date; same row, or a later updated_at.
  ASSERT_OK_AND_ASSIGN(auto early_customers, DumpTable(e.get(), "customers"));
  ASSERT_OK_AND_ASSIGN(auto late_known, DumpTable(l.get(),
      "(SELECT * FROM customers WHERE signup_date < '2025-03-01')"));
  ASSERT_EQ(early_customers.size(), late_known.size());
  ASSERT_OK_AND_ASSIGN(auto moved, DumpTable(e.get(),
      "(SELECT customer_id, updated_at, churn_date FROM customers WHERE updated_at >= '2025-03-01' "
      "OR churn_date >= '2025-03-01')"));
  EXPECT_TRUE(moved.empty()) << moved.front();
  int changed = 0;
  for (size_t i = 0; i < early_customers.size(); ++i) {
    if (early_customers[i] == late_known[i]) continue;
    ++changed;
    // customer_id|...|updated_at| : the later row was updated later.
    auto updated_at = [](const std::string& row) {
      const size_t end = row.rfind('|'), start = row.rfind('|', end - 1);
      return row.substr(start + 1, end - start - 1);
    };
    EXPECT_GT(updated_at(late_known[i]), updated_at(early_customers[i])) << late_known[i];
  }
  EXPECT_GT(changed, 10) << "plan, fee, city and churn change in two months";
  // Offers answered after the date are unanswered before it.
  ASSERT_OK_AND_ASSIGN(auto answered_later, DumpTable(e.get(),
      "(SELECT assignment_id FROM offer_assignments WHERE responded_at >= '2025-03-01' OR sent_at >= '2025-03-01')"));
  EXPECT_TRUE(answered_later.empty());

  GeneratorOptions bad = o;
  bad.as_of = "2025-03-15";
  EXPECT_NE(bad.Validate().message().find("1st of a month"), std::string::npos);
  bad.as_of = "2026-01-01";
  EXPECT_NE(bad.Validate().message().find("window's end 2025-05-01"), std::string::npos);
}

TEST_F(GeneratorTest, CleanOptionsGiveCleanFiles) {
  GeneratorOptions o = Small();
  o.usage_mess = UsageMessRates::None();
  o.ticket_mess = TicketMessRates::None();
  ASSERT_OK_AND_ASSIGN(Run run, Generate(o, "a", /*with_db=*/false));
  EXPECT_EQ(run.summary.usage.records_in_files, run.summary.usage.clean);
  EXPECT_EQ(run.summary.usage.clean, run.summary.usage_events);
  EXPECT_EQ(run.summary.tickets.records_in_files, run.summary.tickets.clean);
}

// Per customer-month of the clean usage files: active days, events, and the mean ln(duration).
struct MonthUsage {
  int days = 0;
  int64_t events = 0;
  double log_duration = 0;
};
std::map<std::pair<int64_t, std::string>, MonthUsage> UsageByCustomerMonth(const fs::path& usage_dir) {
  std::map<std::pair<int64_t, std::string>, MonthUsage> out;
  for (const auto& e : fs::directory_iterator(usage_dir)) {
    const std::string month = e.path().filename().string().substr(0, 7);
    std::map<int64_t, int> events_today;
    for (const std::string& line : Lines(ReadFile(e.path()))) {
      const auto number_after = [&](const std::string& key) {
        const size_t at = line.find(key);
        return at == std::string::npos ? -1 : std::atoll(line.c_str() + at + key.size());
      };
      const int64_t customer = number_after("\"customer_id\":");
      ++events_today[customer];
      out[{customer, month}].log_duration += std::log(std::max<int64_t>(1, number_after("\"duration_s\":")));
    }
    for (const auto& [customer, n] : events_today) {
      MonthUsage& m = out[{customer, month}];
      ++m.days;
      m.events += n;
    }
  }
  return out;
}

double Correlation(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

// The churn hazard reads the days of use the usage files show: the company model counts them with
// the usage writer's own streams (usage_day.h), so every customer-month's days of use in the files
// are the days UsesProductOn gives for the model's rates; and a month without use raises the next
// month's hazard.
TEST_F(GeneratorTest, HazardReadsTheDaysOfUseTheFilesShow) {
  GeneratorOptions o = Small();
  o.customers = 2000;
  o.usage_mess = UsageMessRates::None();
  o.ticket_mess = TicketMessRates::None();
  ASSERT_OK(o.Validate());
  CompanyModel model(o);
  ASSERT_OK(model.Run([](const CompanyModel::Month&) { return Status::OK(); }));
  const UsageProfiles& u = model.usage();
  UsageWriter writer(o, u);
  const fs::path usage_dir = root_ / "days" / "usage";
  ASSERT_OK(writer.Write(usage_dir.string(), model.window_end_day()));  // the Result itself: .status() of a temporary dangles
  const auto in_files = UsageByCustomerMonth(usage_dir);

  int64_t customer_months = 0, active_days = 0;
  for (int64_t c = 0; c < model.customer_count(); ++c) {
    for (int k = 0; k < u.months; ++k) {
      int days = 0;
      const int32_t from = std::max(u.month_start[k], u.first_day[c]);
      const int32_t to = std::min(u.month_start[k + 1], u.end_day[c]);
      for (int32_t day = from; day < to; ++day) {
        days += UsesProductOn(UsageDaySeed(o.seed, day), c, u.rates[static_cast<size_t>(c) * u.months + k].p_active);
      }
      const auto it = in_files.find({CompanyModel::CustomerId(c), DateString(u.month_start[k]).substr(0, 7)});
      ASSERT_EQ(it == in_files.end() ? 0 : it->second.days, days) << "customer index " << c << ", window month " << k;
      customer_months += from < to;
      active_days += days;
    }
  }
  EXPECT_GT(customer_months, 3000);
  EXPECT_GT(active_days, 10000);

  // The hazard of a month (without offers) after a month with no day of use against after a busy one.
  ASSERT_OK_AND_ASSIGN(Run run, Generate(o, "hazard", false));
  double sum_idle = 0, sum_busy = 0;
  int64_t idle = 0, busy = 0;
  for (const auto& row : ReadCsv(run.truth / "churn_probability.csv")) {
    if (row[0] == "customer_id" || row[1] == DateString(u.month_start[0]).substr(0, 7)) continue;
    const int64_t id = std::stoll(row[0]);
    const int32_t month_start = ParseDate(row[1] + "-01", "month").ValueOr(0);
    const std::string before = DateString(AddMonthsToFirst(month_start, -1)).substr(0, 7);
    const auto it = in_files.find({id, before});
    const int days = it == in_files.end() ? 0 : it->second.days;
    if (days == 0) sum_idle += std::stod(row[3]), ++idle;
    if (days >= 8) sum_busy += std::stod(row[3]), ++busy;
  }
  ASSERT_GT(idle, 50);
  ASSERT_GT(busy, 50);
  EXPECT_GT(sum_idle / idle, 1.3 * (sum_busy / busy)) << idle << " idle, " << busy << " busy customer-months";
}

// An engaged month shows in how much a customer does on a day of use and how long its events
// last, not only in how many days it uses the product; the volume stays at events_per_active_day.
// With both elasticities 0 a day's events and durations carry nothing of the engagement.
TEST_F(GeneratorTest, UsageVolumeFollowsEngagement) {
  for (const double elasticity : {0.0, 1.0}) {
    SCOPED_TRACE(elasticity);
    GeneratorOptions o = Small();
    o.customers = 2000;
    o.usage_mess = UsageMessRates::None();
    o.ticket_mess = TicketMessRates::None();
    o.usage_intensity_elasticity = o.usage_duration_elasticity = elasticity;
    ASSERT_OK_AND_ASSIGN(Run run, Generate(o, "e" + std::to_string(static_cast<int>(elasticity)), false));
    std::vector<double> log_days, log_per_day, mean_log_duration;
    int64_t days = 0, events = 0;
    for (const auto& [key, m] : UsageByCustomerMonth(run.landing / "usage")) {
      days += m.days;
      events += m.events;
      if (m.days < 2) continue;
      log_days.push_back(std::log(m.days));
      log_per_day.push_back(std::log(static_cast<double>(m.events) / m.days));
      mean_log_duration.push_back(m.log_duration / static_cast<double>(m.events));
    }
    ASSERT_GT(log_days.size(), 1000u);
    const double per_day = static_cast<double>(events) / static_cast<double>(days);
    EXPECT_NEAR(per_day, o.events_per_active_day, 0.1);  // measured 1.99-2.01
    const double r_events = Correlation(log_days, log_per_day);
    const double r_duration = Correlation(log_days, mean_log_duration);
    if (elasticity == 0) {
      EXPECT_LT(std::abs(r_events), 0.15);
      EXPECT_LT(std::abs(r_duration), 0.15);
    } else {
      EXPECT_GT(r_events, 0.3);
      EXPECT_GT(r_duration, 0.15);
    }
  }
  GeneratorOptions bad = Small();
  bad.usage_intensity_elasticity = 5;
  EXPECT_NE(bad.Validate().message().find("usage_intensity_elasticity"), std::string::npos);
}

double Hyp2F1(double a, double b, double c, double z) {
  double term = 1.0, sum = 1.0;
  for (int n = 0; n < 100000 && std::fabs(term) > 1e-15 * std::fabs(sum); ++n) {
    term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
    sum += term;
  }
  return sum;
}

int64_t ParseTs(const std::string& s) {
  const int32_t day = DaysFromCivil({std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2))});
  return int64_t{day} * 86400 + std::stoi(s.substr(11, 2)) * 3600 + std::stoi(s.substr(14, 2)) * 60 +
         std::stoi(s.substr(17, 2));
}

// The simulated business has the documented laws: churn by contract and
// segment, a calibrated truth file, BG/NBD repeat buying, Gamma-Gamma spend.
TEST_F(GeneratorTest, RealismChurnAndPurchases) {
  GeneratorOptions o;
  o.customers = 12000;
  ASSERT_OK_AND_ASSIGN(Run run, Generate(o, "a"));

  std::map<int64_t, std::string> contract_of, segment_of;
  for (const auto& row : ReadCsv(run.truth / "customers.csv")) {
    if (row[0] == "customer_id") continue;
    segment_of[std::stoll(row[0])] = row[1];
    contract_of[std::stoll(row[0])] = row[2];
  }
  ASSERT_EQ(static_cast<int64_t>(contract_of.size()), o.customers);
  std::map<std::string, std::pair<int64_t, int64_t>> by_contract, by_segment, by_month;  // (at risk, churned)
  int64_t at_risk = 0, churned = 0;
  double sum_p = 0;
  for (const auto& row : ReadCsv(run.truth / "churn_probability.csv")) {
    if (row[0] == "customer_id") continue;
    const int64_t id = std::stoll(row[0]);
    const bool c = row[4] == "1";
    ++at_risk;
    churned += c;
    sum_p += std::stod(row[2]);
    ASSERT_EQ(row.size(), 7u);  // ..., churned, offer_sent, offer_effect (offer_truth_test.cc checks the offer columns)
    by_contract[contract_of[id]].first++;
    by_contract[contract_of[id]].second += c;
    by_segment[segment_of[id]].first++;
    by_segment[segment_of[id]].second += c;
    by_month[row[1]].first++;
    by_month[row[1]].second += c;
  }
  auto rate = [](const std::pair<int64_t, int64_t>& p) { return static_cast<double>(p.second) / p.first; };
  const double overall = static_cast<double>(churned) / at_risk;
  EXPECT_GT(overall, 0.015);
  EXPECT_LT(overall, 0.04);
  EXPECT_NEAR(sum_p / at_risk, overall, 0.1 * overall) << "the truth's probabilities are calibrated";
  // The ranges docs/generate.md documents (default parameters, >= 10,000 customers).
  ASSERT_EQ(by_month.size(), 12u);
  for (const auto& [month, counts] : by_month) {
    EXPECT_GE(rate(counts), 0.015) << month;
    EXPECT_LE(rate(counts), 0.040) << month;
  }
  const std::map<std::string, std::pair<double, double>> segment_range = {
      {"consumer", {0.024, 0.038}}, {"smb", {0.012, 0.025}}, {"enterprise", {0.003, 0.014}}};
  const std::map<std::string, std::pair<double, double>> contract_range = {
      {"monthly", {0.035, 0.055}}, {"annual", {0.010, 0.020}}, {"two_year", {0.003, 0.010}}};
  for (const auto& [groups, ranges] : {std::pair{&by_segment, &segment_range}, std::pair{&by_contract, &contract_range}}) {
    for (const auto& [name, range] : *ranges) {
      EXPECT_GE(rate((*groups)[name]), range.first) << name;
      EXPECT_LE(rate((*groups)[name]), range.second) << name;
    }
  }

  // Customers churned in the window in the database = churn events in the truth.
  ASSERT_OK_AND_ASSIGN(auto conn, OpenSqlite(run.db_path));
  ASSERT_OK_AND_ASSIGN(auto churned_rows, DumpTable(conn.get(),
      "(SELECT customer_id FROM customers WHERE churn_date >= '2025-01-01')"));
  EXPECT_EQ(static_cast<int64_t>(churned_rows.size()), churned);

  // Attributes change over time: the truth's last change of each attribute is
  // the database's value, and updated_at moved with it.
  std::map<int64_t, std::map<std::string, std::pair<std::string, std::string>>> last_change;  // id -> attr -> (ts, value)
  for (const auto& row : ReadCsv(run.truth / "attribute_changes.csv")) {
    if (row[0] == "customer_id") continue;
    auto& [ts, value] = last_change[std::stoll(row[0])][row[2]];
    if (row[1] >= ts) ts = row[1], value = row[4];
  }
  ASSERT_GT(last_change.size(), 500u);
  ASSERT_OK_AND_ASSIGN(auto current, DumpTable(conn.get(),
      "(SELECT customer_id, plan, CAST(monthly_fee AS TEXT), city, updated_at FROM customers)"));
  int64_t checked = 0;
  for (const std::string& line : current) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, '|');) cells.push_back(cell);
    auto it = last_change.find(std::stoll(cells[0]));
    if (it == last_change.end()) continue;
    const std::map<std::string, int> column = {{"plan", 1}, {"monthly_fee", 2}, {"city", 3}};
    for (const auto& [attribute, change] : it->second) {
      EXPECT_EQ(cells[column.at(attribute)], change.second) << "customer " << cells[0] << " " << attribute;
      EXPECT_GE(cells[4], change.first) << "customer " << cells[0] << ": updated_at did not move";
      ++checked;
    }
  }
  EXPECT_GT(checked, 500);

  // BG/NBD: mean repeat purchases within 52 weeks of the first purchase.
  ASSERT_OK_AND_ASSIGN(auto stream, conn->Query(
      "SELECT customer_id, ts, amount FROM transactions WHERE kind = 'purchase' ORDER BY customer_id, ts"));
  const int64_t horizon = int64_t{DaysFromCivil({2026, 1, 1})} * 86400;
  const double t_weeks = 52.0;
  std::map<int64_t, std::pair<int64_t, int64_t>> first_and_repeats;
  double amount_sum = 0;
  int64_t purchases = 0;
  std::vector<db::Value> row;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&row));
    if (!more) break;
    const int64_t id = std::get<int64_t>(row[0]);
    const int64_t ts = ParseTs(std::get<std::string>(row[1]));
    amount_sum += std::stod(std::get<std::string>(row[2]));
    ++purchases;
    auto [it, inserted] = first_and_repeats.try_emplace(id, ts, 0);
    if (!inserted && ts <= it->second.first + static_cast<int64_t>(t_weeks * 7 * 86400)) ++it->second.second;
  }
  int64_t n = 0, repeats = 0;
  for (const auto& [id, fr] : first_and_repeats) {
    if (fr.first + static_cast<int64_t>(t_weeks * 7 * 86400) > horizon) continue;
    ++n;
    repeats += fr.second;
  }
  ASSERT_GT(n, 5000);
  const ModelParameters& mp = o.model;
  const double r = mp.bgnbd_r, alpha = mp.bgnbd_alpha, a = mp.bgnbd_a, b = mp.bgnbd_b;
  const double expected = (a + b - 1) / (a - 1) *
                          (1 - std::pow(alpha / (alpha + t_weeks), r) *
                                   Hyp2F1(r, b, a + b - 1, t_weeks / (alpha + t_weeks)));
  EXPECT_NEAR(static_cast<double>(repeats) / n, expected, 0.07 * expected)
      << "BG/NBD E[X(52 weeks)] = " << expected;
  // Gamma-Gamma: mean spend per purchase p * gamma / (q - 1).
  EXPECT_NEAR(amount_sum / purchases, mp.gg_p * mp.gg_gamma / (mp.gg_q - 1), 1.5);
}

TEST_F(GeneratorTest, ValidationSaysWhatIsWrong) {
  GeneratorOptions o = Small();
  o.start_date = "2025-01-15";
  EXPECT_NE(o.Validate().message().find("first day of a month"), std::string::npos);
  o = Small();
  o.usage_mess.malformed = 2;
  EXPECT_NE(o.Validate().message().find("usage_mess.malformed"), std::string::npos);
  o = Small();
  o.customers = 0;
  EXPECT_FALSE(o.Validate().ok());
  auto inside = generate::Generate(Small(), nullptr, (root_ / "land").string(), (root_ / "land" / "truth").string());
  ASSERT_FALSE(inside.ok());
  EXPECT_NE(inside.status().message().find("inside the landing folder"), std::string::npos);
}

}  // namespace
}  // namespace custlake::generate
