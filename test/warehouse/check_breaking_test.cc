// Every check declared in the models' headers is shown to fire: the base
// fixture is built (all checks pass), then, for each declared check, a copy of
// the built tables gets a minimal corruption that breaks exactly that check,
// and RunChecks must fail exactly it (plus the checks a case names as bound
// to fail with it), naming the offending row. A declared check with no
// breaking case fails the test, so a new check must come with one.
//
// unique, not_null and relationship checks are broken generically: a copy of
// one row of the table, made harmless to every other check by a table's
// "fresh" values (a new key, an unreconciled activity type, ...), carrying the
// duplicate key, the NULL or the dangling key. The SQL checks (reconciliations
// to the cent, SCD2 intervals, point in time, churn once, ...) have a
// hand-written corruption each.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "warehouse/checks.h"
#include "warehouse/model_loader.h"
#include "warehouse/raw_sources.h"
#include "warehouse_fixture.h"

namespace custlake::warehouse {
namespace {

/// One way to break one check.
struct BreakingCase {
  std::string table;
  std::string check;                    ///< CheckResult::check, e.g. "unique(customer_key)"
  std::vector<std::string> statements;  ///< run on the copied tables before the checks
  /// Scalar SQL expressions, run before the corruption: texts the failure's sample must hold.
  std::vector<std::string> expect_sql;
  int64_t failing_rows = 1;
  std::set<std::string> also_fail;  ///< "table:check" bound to fail too
  std::string now;                  ///< the clock of the freshness checks ("" = just after the data)
};

/// Per table: the one source row generic cases copy, and the values that
/// make the copy harmless to every other check of every table.
struct RowRecipe {
  std::string pick;                          ///< WHERE condition choosing one row
  std::map<std::string, std::string> fresh;  ///< column -> SQL value in the copy
  std::string bad_key = "1234567";           ///< a key no dimension holds
};

const std::map<std::string, RowRecipe>& Recipes() {
  static const std::map<std::string, RowRecipe> recipes = {
      {"dim_customer",
       {"customer_id = 2",
        {{"customer_key", "customer_key + 1"},
         {"version", "0"},
         {"valid_from", "TIMESTAMPTZ '1800-01-01 00:00:00+00'"},
         {"valid_to", "TIMESTAMPTZ '1850-01-01 00:00:00+00'"},
         {"is_current", "false"}}}},
      {"dim_date",
       {"date_key = 20250301",
        {{"date_key", "20990101"}, {"date", "DATE '2099-01-01'"}, {"month_start", "DATE '2099-01-01'"}}}},
      {"dim_offer", {"offer_id = 7", {{"offer_key", "8"}, {"offer_id", "8"}}}},
      {"dim_support_ticket", {"ticket_id = 1", {{"ticket_key", "2"}, {"ticket_id", "2"}}}},
      {"dim_usage",
       {"event_type = 'feature_use'", {{"usage_key", "usage_key + 1"}, {"event_type", "'corrupt'"}}}},
      // An activity type no reconciliation counts.
      {"fact_customer_activity",
       {"activity_type = 'usage' AND source_id = 'e1'",
        {{"activity_type", "'corrupt'"}, {"source_id", "'x1'"}}}},
      // Customer 2 has no activity: a copy of its January row adds nothing to any sum.
      {"fact_customer_metrics",
       {"customer_id = 2 AND month_start = DATE '2025-01-01'", {{"customer_id", "99"}}}},
      // The dashboard's marts: a copy under a value of the grain no row has.
      {"mart_dashboard_months", {"month_start = DATE '2025-01-01'", {{"tickets", "99"}}}},
      {"mart_dashboard_cohorts", {"month_start = DATE '2025-01-01'", {{"tenure_months", "999"}}}},
      {"mart_dashboard_customers", {"customer_id = 2", {{"first_month", "DATE '1999-01-01'"}}}},
      {"mart_dashboard_spans", {"customer_id = 2", {{"first_month", "DATE '1999-01-01'"}}}},
  };
  return recipes;
}

/// INSERT of a copy of the recipe's row with the fresh values, except
/// `keep` (kept as in the source row), and `set` applied last.
std::string CopyRow(const std::string& table, const std::set<std::string>& keep,
                    const std::map<std::string, std::string>& set) {
  const RowRecipe& recipe = Recipes().at(table);
  std::map<std::string, std::string> values;
  for (const auto& [col, value] : recipe.fresh) {
    if (!keep.count(col)) values[col] = value;
  }
  for (const auto& [col, value] : set) values[col] = value;
  std::string replace;
  for (const auto& [col, value] : values) replace += (replace.empty() ? "" : ", ") + value + " AS " + col;
  return "INSERT INTO " + table + " SELECT *" + (replace.empty() ? "" : " REPLACE (" + replace + ")") +
         " FROM " + table + " WHERE " + recipe.pick + " LIMIT 1";
}

/// "'col=' || col" of the recipe's row: the key the copy duplicates.
std::string KeyText(const std::string& table, const std::vector<std::string>& cols) {
  std::string text;
  for (const std::string& c : cols) {
    text += std::string(text.empty() ? "'" : " || ', ") + c + "=' || " + c;
  }
  return "(SELECT " + text + " FROM " + table + " WHERE " + Recipes().at(table).pick + " LIMIT 1)";
}

/// A marker of the copied row other than `col` ("source_id=x1").
std::string MarkerText(const std::string& table, const std::string& col) {
  for (const auto& [c, value] : Recipes().at(table).fresh) {
    if (c == col) continue;
    return "'" + c + "=' || (SELECT " + value + " FROM " + table + " WHERE " + Recipes().at(table).pick +
           " LIMIT 1)";
  }
  return "''";
}

/// The generic case of a unique, not_null or relationship check; nullopt for
/// SQL checks or tables without a recipe.
std::optional<BreakingCase> GenericCase(const Model& m, const ModelCheck& check) {
  if (!Recipes().count(m.name)) return std::nullopt;
  BreakingCase c{m.name, check.name, {}, {}, 1, {}, ""};
  const std::string& col = check.columns.empty() ? "" : check.columns[0];
  switch (check.kind) {
    case CheckKind::kUnique:
      c.statements = {CopyRow(m.name, {check.columns.begin(), check.columns.end()}, {})};
      c.expect_sql = {KeyText(m.name, check.columns) + " || ', duplicates=2'"};
      return c;
    case CheckKind::kNotNull:
      c.statements = {CopyRow(m.name, {}, {{col, "NULL"}})};
      // A row of no customer has no current version either.
      if (m.name == "dim_customer" && col == "customer_id")
        c.also_fail = {"dim_customer:one_current_version"};
      c.expect_sql = {"'" + col + "=NULL'", MarkerText(m.name, col)};
      return c;
    case CheckKind::kRelationship: {
      std::string bad = col == "date_key" ? "18991231" : Recipes().at(m.name).bad_key;
      c.statements = {CopyRow(m.name, {}, {{col, bad}})};
      c.expect_sql = {"'" + col + "=" + bad + ", fact_rows=1'"};
      return c;
    }
    default:
      return std::nullopt;
  }
}

BreakingCase Case(std::string table, std::string check, std::vector<std::string> statements,
                  std::vector<std::string> expect_sql, std::string now = "") {
  return {std::move(table), std::move(check), std::move(statements), std::move(expect_sql), 1, {},
          std::move(now)};
}

/// The hand-written cases: checks whose SQL needs its own corruption, and
/// generic kinds on rows the recipe cannot make harmless.
std::vector<BreakingCase> SpecialCases() {
  const std::string v3_key = "(SELECT customer_key FROM dim_customer WHERE customer_id = 1 AND version = 3)";
  return {
      // dim_customer: SCD2.
      Case("dim_customer", "no_overlap(customer_id, valid_from, valid_to)",
           {"UPDATE dim_customer SET valid_to = valid_to + INTERVAL 1 DAY WHERE customer_id = 1 AND version "
            "= 2"},
           {"'customer_id=1, valid_from=2025-02-10 00:00:00+00, valid_to=2025-02-21 00:00:00+00, "
            "next_from=2025-02-20 00:00:00+00'"}),
      Case("dim_customer", "one_current_version",
           {"UPDATE dim_customer SET is_current = true WHERE customer_id = 1 AND version = 2"},
           {"'customer_id=1, current_versions=2'"}),
      Case("dim_customer", "covers_all_raw_customers",
           {"UPDATE dim_customer SET customer_id = 3 WHERE customer_id = 2"}, {"'customer_id=2'"}),
      // dim_support_ticket.
      Case("dim_support_ticket", "satisfaction_in_range",
           {"UPDATE dim_support_ticket SET satisfaction = 6 WHERE ticket_id = 1"},
           {"'ticket_id=1, satisfaction=6'"}),
      Case("dim_support_ticket", "closed_after_opened",
           {"UPDATE dim_support_ticket SET closed_at = opened_at - INTERVAL 1 SECOND WHERE ticket_id = 1"},
           {"'ticket_id=1, opened_at=2025-02-12 08:00:00+00, closed_at=2025-02-12 07:59:59+00'"}),
      // fact_customer_activity: a key repeated among rows no reconciliation counts.
      Case("fact_customer_activity", "unique(activity_type, source_id)",
           {"INSERT INTO fact_customer_activity SELECT * REPLACE ('corrupt' AS activity_type, 'x1' AS "
            "source_id) "
            "FROM fact_customer_activity WHERE activity_type = 'usage' AND source_id IN ('e1', 'e2')"},
           {"'activity_type=corrupt, source_id=x1, duplicates=2'"}),
      // A fact keyed to a version of its customer that was not valid when it happened.
      Case("fact_customer_activity", "point_in_time",
           {"UPDATE fact_customer_activity SET customer_key = " + v3_key + " WHERE source_id = 'e1'"},
           {"'activity_type=usage, source_id=e1, customer_id=1, occurred_at=2025-01-05 09:00:00+00'"}),
      // A usage fact lost on the way, the metrics agreeing with the facts: only raw tells.
      Case("fact_customer_activity", "reconcile_usage_events",
           {"DELETE FROM fact_customer_activity WHERE activity_type = 'usage' AND source_id = 'e1'",
            "UPDATE fact_customer_metrics SET usage_events = usage_events - 1 WHERE customer_id = 1 AND "
            "month_start = DATE '2025-01-01'"},
           {"'raw_events=4, fact_events=3'"}),
      // One cent.
      Case(
          "fact_customer_activity", "reconcile_transactions_to_the_cent",
          {"UPDATE fact_customer_activity SET amount = amount + 0.01 WHERE activity_type = 'transaction' AND "
           "source_id = '2'"},
          {"'raw_rows=3, fact_rows=3, raw_amount=30.25, fact_amount=30.26'"}),
      Case("fact_customer_activity", "reconcile_tickets",
           {"DELETE FROM fact_customer_activity WHERE activity_type = 'ticket'"},
           {"'raw_tickets=1, fact_tickets=0'"}),
      Case("fact_customer_activity", "reconcile_offers",
           {"DELETE FROM fact_customer_activity WHERE activity_type = 'offer_redeemed'"},
           {"'sent=1, sent_1=1, redeemed=1, redeemed_1=0'"}),
      // The clock a week after the newest usage event.
      Case("fact_customer_activity", "freshness(occurred_at)", {}, {"'newest=2025-02-25 18:00:00+00'"},
           "2025-03-04 18:00:00+00"),
      Case("fact_customer_activity", "freshness_usage",
           {"UPDATE fact_customer_activity SET occurred_at = occurred_at - INTERVAL 1 HOUR WHERE source_id = "
            "'e3b'"},
           {"'raw_newest=2025-02-25 18:00:00+00, fact_newest=2025-02-25 17:00:00+00'"}),
      // fact_customer_metrics: reconciliations with raw and with the facts.
      Case("fact_customer_metrics", "reconcile_revenue_to_the_cent",
           {"UPDATE fact_customer_metrics SET revenue = revenue + 0.01 WHERE customer_id = 1 AND "
            "month_start = DATE '2025-02-01'"},
           {"'raw_revenue=30.25, metrics_revenue=30.26'"}),
      Case("fact_customer_metrics", "reconcile_usage_events",
           {"UPDATE fact_customer_metrics SET usage_events = usage_events + 1 WHERE customer_id = 2 AND "
            "month_start = DATE '2025-01-01'"},
           {"'fact_events=4, metrics_events=5'"}),
      Case("fact_customer_metrics", "reconcile_transactions",
           {"UPDATE fact_customer_metrics SET transactions = transactions - 1 WHERE customer_id = 1 AND "
            "month_start = DATE '2025-02-01'"},
           {"'n=3, n_1=2'"}),
      Case("fact_customer_metrics", "churn_once",
           {"UPDATE fact_customer_metrics SET churned = true WHERE customer_id = 1"},
           {"'customer_id=1, count_star()=2'"}),
  };
}

std::string Key(const std::string& table, const std::string& check) { return table + ":" + check; }

/// "col=value, ..." of each sampled row, one row a line.
std::string SampleText(const CheckResult& r) {
  std::string out;
  for (size_t i = 0; i < r.sample.rows.size(); ++i) {
    for (size_t c = 0; c < r.sample.columns.size(); ++c) {
      out +=
          (c ? ", " : "") + r.sample.columns[c] + "=" + (r.sample.nulls[i][c] ? "NULL" : r.sample.rows[i][c]);
    }
    out += "\n";
  }
  return out;
}

/// Every declared check's case: the hand-written one, else the generic one.
/// `uncovered` receives the declared checks with neither.
std::map<std::string, BreakingCase> CasesFor(const std::vector<Model>& models,
                                             std::vector<std::string>* declared,
                                             std::vector<std::string>* uncovered) {
  std::map<std::string, BreakingCase> cases;
  for (BreakingCase& c : SpecialCases()) cases[Key(c.table, c.check)] = c;
  for (const Model& m : models) {
    for (const ModelCheck& check : m.checks) {
      std::string key = Key(m.name, check.name);
      declared->push_back(key);
      if (cases.count(key)) continue;
      if (auto generic = GenericCase(m, check)) {
        cases[key] = *generic;
      } else {
        uncovered->push_back(key);
      }
    }
  }
  return cases;
}

class CheckBreakingTest : public WarehouseFixture {
 protected:
  /// The fixture's in-memory session gets copies of the built tables and the
  /// raw views, as `custlake check` sees them; cases corrupt the copies.
  void CopyBuild(const std::string& version_path) {
    ASSERT_OK_AND_ASSIGN(std::vector<Model> all, LoadBuiltinModels());
    // The staging models are views over the raw views (raw.<name>, as a build makes them); the
    // checks run on the other models' tables.
    std::vector<Model> staging;
    for (Model& m : all) (m.IsView() ? staging : models_).push_back(std::move(m));
    ASSERT_OK_AND_ASSIGN(auto attached, AttachVersion(session_.get(), version_path, "wh"));
    ASSERT_OK_AND_ASSIGN(auto raw, SnapshotRaw(lake_.get(), RawSourceViews(staging)));
    ASSERT_OK(CreateRawViews(session_.get(), raw, "raw"));
    for (const RawDataset& r : raw) raw_views_.insert(r.view);
    for (const Model& v : staging) {
      ASSERT_OK(session_->Execute("CREATE VIEW raw." + v.name + " AS\n" + v.sql));
      raw_views_.insert(v.name);
    }
    for (const Model& m : models_) {
      ASSERT_OK(session_->Execute("CREATE TABLE main." + m.name + " AS SELECT * FROM wh.main." + m.name));
    }
  }

  CheckOptions Options(const std::string& now) const {
    CheckOptions o;
    o.freshness = "error";
    o.now = now.empty() ? "2025-02-26 12:00:00+00" : now;  // half a day after the newest usage event
    o.raw_views = raw_views_;
    return o;
  }

  /// The case's corruption in a transaction rolled back afterwards: exactly
  /// the expected checks fail, the target naming the offending row.
  void ExpectCaseFails(const std::string& key, const BreakingCase& c) {
    std::vector<std::string> expect;
    for (const std::string& sql : c.expect_sql) {
      ASSERT_OK_AND_ASSIGN(auto text, session_->Query("SELECT " + sql));
      ASSERT_EQ(text.rows.size(), 1u) << sql;
      expect.push_back(text.Scalar());
    }
    ASSERT_OK(session_->Execute("BEGIN TRANSACTION"));
    for (const std::string& sql : c.statements) ASSERT_OK(session_->Execute(sql));
    auto report = RunChecks(session_.get(), models_, Options(c.now));
    ASSERT_OK(session_->Execute("ROLLBACK"));
    ASSERT_TRUE(report.ok()) << report.status().message();
    std::set<std::string> failed, want = c.also_fail;
    want.insert(key);
    const CheckResult* target = nullptr;
    for (const CheckResult& r : report->results) {
      EXPECT_EQ(r.error, "") << Key(r.table, r.check);
      if (r.passed) continue;
      failed.insert(Key(r.table, r.check));
      if (Key(r.table, r.check) == key) target = &r;
    }
    EXPECT_EQ(failed, want) << report->FailureText();
    ASSERT_NE(target, nullptr);
    EXPECT_EQ(target->failing_rows, c.failing_rows) << SampleText(*target);
    for (const std::string& text : expect) {
      EXPECT_NE(SampleText(*target).find(text), std::string::npos)
          << "expected the failure to name: " << text << "\nit showed:\n"
          << SampleText(*target);
    }
  }

  std::vector<Model> models_;
  std::set<std::string> raw_views_;
};

TEST_F(CheckBreakingTest, EveryDeclaredCheckFiresOnItsCorruptionAndNamesTheRow) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport built, RunBuild(/*full=*/true));
  CopyBuild(built.path);

  std::vector<std::string> declared, uncovered;
  std::map<std::string, BreakingCase> cases = CasesFor(models_, &declared, &uncovered);
  EXPECT_TRUE(uncovered.empty()) << "declared checks without a breaking case: "
                                 << ::testing::PrintToString(uncovered);
  for (const auto& [key, c] : cases) {
    EXPECT_NE(std::find(declared.begin(), declared.end(), key), declared.end())
        << key << ": no such declared check";
  }
  EXPECT_GE(declared.size(), 60u);

  // Unbroken, every check passes (so a failure below is the corruption's).
  ASSERT_OK_AND_ASSIGN(CheckReport clean, RunChecks(session_.get(), models_, Options("")));
  ASSERT_EQ(clean.failed, 0) << clean.FailureText();
  ASSERT_EQ(clean.passed, static_cast<int>(declared.size()));
  for (const auto& [key, c] : cases) {
    SCOPED_TRACE(key);
    ExpectCaseFails(key, c);
  }
}

}  // namespace
}  // namespace custlake::warehouse
