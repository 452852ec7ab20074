#include "query/key_lookup.h"

#include <gtest/gtest.h>

namespace custlake::query {
namespace {

/// A DuckDB holding a small fact table (several rows per key, NULLs, a NULL
/// key) and a dimension (one row per key); the cache answers beside DuckDB.
class KeyLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    auto s = db_->Connect();
    ASSERT_TRUE(s.ok());
    session_ = std::move(s).value();
    ASSERT_TRUE(session_
                    ->Execute("CREATE TABLE facts AS SELECT * FROM (VALUES "
                              "(7::BIGINT, DATE '2025-02-01', 12.50::DECIMAL(18,2), false, 3, ['a', 'b']), "
                              "(7, DATE '2025-01-01', NULL, true, NULL, NULL), "
                              "(7, NULL, 1.00, false, 1, []), "
                              "(9, DATE '2025-01-01', -3.25, NULL, 0, ['x']), "
                              "(NULL, DATE '2025-01-01', 99.00, false, 5, NULL), "
                              "(-4, DATE '2024-12-01', 0.00, true, 2, NULL)) "
                              "t(customer_id, month_start, revenue, churned, usage_events, reasons)")
                    .ok());
    ASSERT_TRUE(session_
                    ->Execute("CREATE TABLE dim AS SELECT * FROM (VALUES (1::INTEGER, 'one'), (2, 'two'), "
                              "(3, NULL)) t(k, name)")
                    .ok());
    ASSERT_TRUE(session_->Execute("CREATE TABLE other AS SELECT 7 AS customer_id, 1 AS v").ok());
  }
  KeyLookupCache Cache(int64_t budget = 1 << 20) {
    return KeyLookupCache(budget, [](const std::string& name) { return name == "facts" || name == "dim"; });
  }
  KeyLookupCache::Runner Runner() {
    return [this](const std::string& sql, int64_t max_rows) {
      ++queries_;
      return session_->QueryReadOnly(sql, max_rows);
    };
  }
  std::optional<engine::QueryResult> Fast(KeyLookupCache& cache, const std::string& sql,
                                          std::optional<std::string> value, int64_t max_rows = -1) {
    return cache.Answer(sql, {std::move(value)}, max_rows, Runner());
  }
  /// The same statement run by DuckDB, bound as the extended protocol binds it.
  Result<engine::QueryResult> Normal(const std::string& sql, std::optional<std::string> value,
                                     int64_t max_rows = -1) {
    return session_->QueryReadOnlyWithParams(sql, {std::move(value)}, max_rows);
  }
  static void ExpectSame(const engine::QueryResult& fast, const engine::QueryResult& normal) {
    EXPECT_EQ(fast.columns, normal.columns);
    EXPECT_EQ(fast.types, normal.types);
    EXPECT_EQ(fast.kinds, normal.kinds);
    EXPECT_EQ(fast.rows, normal.rows);
    EXPECT_EQ(fast.nulls, normal.nulls);
    EXPECT_EQ(fast.truncated, normal.truncated);
    EXPECT_EQ(fast.rows_changed, normal.rows_changed);
  }

  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Session> session_;
  int queries_ = 0;
};

constexpr const char* kLookup =
    "SELECT month_start, revenue, churned, usage_events, reasons FROM facts WHERE customer_id = $1 "
    "ORDER BY month_start";

TEST_F(KeyLookupTest, AnswersPresentAndAbsentKeysExactlyAsDuckDb) {
  KeyLookupCache cache = Cache();
  for (const char* id : {"7", "9", "-4", "8", "0", "123456789012", "-9223372036854775808"}) {
    auto fast = Fast(cache, kLookup, id);
    ASSERT_TRUE(fast.has_value()) << id;
    auto normal = Normal(kLookup, id);
    ASSERT_TRUE(normal.ok()) << normal.status().ToString();
    ExpectSame(*fast, *normal);
  }
  EXPECT_EQ(Fast(cache, kLookup, "7")->rows.size(), 3u);
  EXPECT_EQ(queries_, 2) << "recognised and read once";
  EXPECT_GT(cache.bytes_held(), 0);
}

TEST_F(KeyLookupTest, NullAndValuesThatAreNoCanonicalIntegerRunTheNormalWay) {
  KeyLookupCache cache = Cache();
  ASSERT_TRUE(Fast(cache, kLookup, "7").has_value());
  for (const char* value : {"007", " 7", "+7", "7.0", "1e3", "abc", "1 OR 1=1", "", "-0",
                            "9223372036854775808", "99999999999999999999"}) {
    EXPECT_FALSE(Fast(cache, kLookup, value).has_value()) << value;
  }
  EXPECT_FALSE(Fast(cache, kLookup, std::nullopt).has_value());
  EXPECT_FALSE(cache.Answer(kLookup, {}, -1, Runner()).has_value());
  EXPECT_FALSE(cache.Answer(kLookup, {"7", "8"}, -1, Runner()).has_value());
}

TEST_F(KeyLookupTest, OrderDirectionsCastsAndTheKeyOnTheRight) {
  KeyLookupCache cache = Cache();
  for (const std::string sql :
       {"SELECT Month_Start, usage_events FROM facts WHERE customer_id = $1 ORDER BY month_start DESC NULLS FIRST",
        "SELECT month_start, usage_events FROM main.facts WHERE $1 = customer_id ORDER BY usage_events ASC, "
        "month_start NULLS LAST",
        "select \"revenue\", customer_id from facts where customer_id = CAST($1 AS INTEGER) order by revenue desc",
        "SELECT name FROM dim WHERE k = $1"}) {
    for (const char* id : {"7", "9", "1", "2", "3", "4"}) {
      auto fast = Fast(cache, sql, id);
      ASSERT_TRUE(fast.has_value()) << sql << " " << id;
      auto normal = Normal(sql, id);
      ASSERT_TRUE(normal.ok()) << normal.status().ToString();
      ExpectSame(*fast, *normal);
    }
  }
  // Out of the cast's range (INTEGER): DuckDB says so; the cache leaves it to DuckDB.
  EXPECT_FALSE(Fast(cache, "select revenue from facts where customer_id = CAST($1 AS INTEGER) order by revenue",
                    "3000000000")
                   .has_value());
}

TEST_F(KeyLookupTest, WithoutOrderByOnlyAKeyOfOneRowIsAnswered) {
  KeyLookupCache cache = Cache();
  const std::string sql = "SELECT revenue FROM facts WHERE customer_id = $1";
  EXPECT_FALSE(Fast(cache, sql, "7").has_value());  // three rows: DuckDB's order is its own
  auto one = Fast(cache, sql, "9");
  ASSERT_TRUE(one.has_value());
  ExpectSame(*one, *Normal(sql, "9"));
}

TEST_F(KeyLookupTest, MoreRowsThanTheRowLimitRunTheNormalWay) {
  KeyLookupCache cache = Cache();
  EXPECT_FALSE(Fast(cache, kLookup, "7", 2).has_value());
  auto fits = Fast(cache, kLookup, "7", 3);
  ASSERT_TRUE(fits.has_value());
  ExpectSame(*fits, *Normal(kLookup, "7", 3));
}

TEST_F(KeyLookupTest, OnlyPlainLookupsOfWarehouseTablesAreRecognised) {
  KeyLookupCache cache = Cache();
  for (const std::string sql : {
           "SELECT v FROM other WHERE customer_id = $1",                              // not a warehouse table
           "SELECT revenue AS r FROM facts WHERE customer_id = $1",                   // alias
           "SELECT revenue + 1 FROM facts WHERE customer_id = $1",                    // expression
           "SELECT * FROM facts WHERE customer_id = $1",                              // star
           "SELECT revenue FROM facts WHERE customer_id = $1 LIMIT 1",                // limit
           "SELECT DISTINCT revenue FROM facts WHERE customer_id = $1",               // distinct
           "SELECT revenue FROM facts WHERE customer_id > $1",                        // not equality
           "SELECT revenue FROM facts WHERE customer_id = $1 AND churned",            // more filters
           "SELECT revenue FROM facts WHERE customer_id = $1 + 0",                    // expression of $1
           "SELECT revenue FROM facts WHERE customer_id = CAST($1 AS VARCHAR)",       // a cast not to an integer
           "SELECT revenue FROM facts WHERE month_start = $1",                        // key not an integer
           "SELECT revenue FROM facts f WHERE customer_id = $1",                      // table alias
           "SELECT f.revenue FROM facts f WHERE f.customer_id = $1",                  // qualified columns
           "SELECT count(*) FROM facts WHERE customer_id = $1",                       // aggregate
           "SELECT revenue FROM facts WHERE customer_id = $1 ORDER BY revenue + 1",   // order by expression
           "WITH x AS (SELECT 1) SELECT revenue FROM facts WHERE customer_id = $1",   // CTE
           "SELECT revenue FROM facts JOIN dim ON k = customer_id WHERE customer_id = $1",
           "SELECT revenue FROM facts WHERE customer_id = $1 UNION ALL SELECT 1",
           "DELETE FROM facts WHERE customer_id = $1"}) {
    EXPECT_FALSE(Fast(cache, sql, "7").has_value()) << sql;
  }
}

TEST_F(KeyLookupTest, ALongTextIsNotRemembered) {
  KeyLookupCache cache = Cache();
  const std::string padded = std::string(kLookup) + " -- " + std::string(KeyLookupCache::kMaxStatementBytes, 'x');
  EXPECT_FALSE(Fast(cache, padded, "7").has_value());
  EXPECT_EQ(queries_, 0);
}

TEST_F(KeyLookupTest, ATableOverTheBudgetIsNotHeld) {
  KeyLookupCache small = Cache(200);
  EXPECT_FALSE(Fast(small, kLookup, "7").has_value());
  EXPECT_EQ(small.bytes_held(), 0);
  KeyLookupCache off = Cache(0);
  EXPECT_FALSE(Fast(off, kLookup, "7").has_value());
  EXPECT_EQ(queries_, 1) << "the small budget read at most what it could hold; none when off";
}

TEST(LookupShapeTest, CanonicalIntegersInTheTypesRange) {
  EXPECT_TRUE(IsCanonicalInteger("0", "INTEGER"));
  EXPECT_TRUE(IsCanonicalInteger("-2147483648", "INTEGER"));
  EXPECT_FALSE(IsCanonicalInteger("2147483648", "INTEGER"));
  EXPECT_FALSE(IsCanonicalInteger("-1", "UINTEGER"));
  EXPECT_FALSE(IsCanonicalInteger("1", "VARCHAR"));
  EXPECT_FALSE(IsCanonicalInteger("01", "BIGINT"));
}

}  // namespace
}  // namespace custlake::query
