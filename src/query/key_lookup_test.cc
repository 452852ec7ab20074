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
    return KeyLookupCache(budget,
                          [](const std::string& name) { return name == "facts" || name == "dim" || name == "typed"; });
  }
  void Exec(const std::string& sql) {
    Status status = session_->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  /// Reads in the test's session, counting queries and streamed chunks.
  KeyLookupCache::Reader Runner() {
    KeyLookupCache::Reader read;
    read.run = [this](const std::string& sql, int64_t max_rows) {
      ++queries_;
      return session_->QueryReadOnly(sql, max_rows);
    };
    read.stream = [this](const std::string& sql, const auto& on_columns, const auto& on_chunk) {
      ++queries_;
      return session_->ForEachTextChunk(sql, on_columns, [&](const engine::TextChunk& chunk) {
        ++chunks_;
        return on_chunk(chunk);
      });
    };
    return read;
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
  int chunks_ = 0;
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
  EXPECT_EQ(queries_, 2) << "the small budget recognised the text and read once; none when off";
}

TEST_F(KeyLookupTest, RowsStreamedInChunksAnswerAsDuckDb) {
  // 10,000 rows, 3 a key: DuckDB's chunks (2,048 rows) end inside a key's rows.
  Exec("CREATE TABLE typed AS SELECT (i // 3)::BIGINT AS k, i AS v, 'r' || i AS s FROM range(10000) r(i)");
  KeyLookupCache cache = Cache();
  const std::string sql = "SELECT s, v FROM typed WHERE k = $1 ORDER BY v DESC";
  for (const char* id : {"0", "682", "683", "1365", "3333", "3334"}) {
    auto fast = Fast(cache, sql, id);
    ASSERT_TRUE(fast.has_value()) << id;
    ExpectSame(*fast, *Normal(sql, id));
  }
  EXPECT_EQ(queries_, 2) << "recognised, then one streamed query";
  EXPECT_GE(chunks_, 5);
}

TEST_F(KeyLookupTest, ReadingStopsOnceOverTheBudget) {
  Exec("CREATE TABLE typed AS SELECT i::BIGINT AS k, 'value ' || i AS s FROM range(100000) r(i)");
  KeyLookupCache cache = Cache(64 << 10);
  EXPECT_FALSE(Fast(cache, "SELECT s FROM typed WHERE k = $1", "5").has_value());
  EXPECT_EQ(cache.bytes_held(), 0);
  EXPECT_GE(chunks_, 1);
  EXPECT_LT(chunks_, 10) << "the read went on past the budget (100,000 rows are ~49 chunks)";
  // Later lookups of the text run the normal way without reading again.
  EXPECT_FALSE(Fast(cache, "SELECT s FROM typed WHERE k = $1", "6").has_value());
  EXPECT_EQ(queries_, 2);
}

TEST_F(KeyLookupTest, BuiltOffTheRequestPathInASessionOfItsOwn) {
  KeyLookupCache cache(1 << 20, [](const std::string& name) { return name == "facts"; },
                       [this]() { return db_->Connect(); });
  EXPECT_FALSE(Fast(cache, kLookup, "7").has_value()) << "the first lookup runs the normal way";
  cache.WaitForBuilds();
  EXPECT_GT(cache.bytes_held(), 0);
  for (const char* id : {"7", "9", "-4", "8"}) {
    auto fast = Fast(cache, kLookup, id);
    ASSERT_TRUE(fast.has_value()) << id;
    ExpectSame(*fast, *Normal(kLookup, id));
  }
  EXPECT_EQ(queries_, 0) << "the caller's session read nothing";
  // A text that is no lookup, built off the path too: it stays with DuckDB.
  EXPECT_FALSE(Fast(cache, "SELECT customer_id FROM other WHERE customer_id = $1", "7").has_value());
  cache.WaitForBuilds();
  EXPECT_FALSE(Fast(cache, "SELECT customer_id FROM other WHERE customer_id = $1", "7").has_value());
}

TEST_F(KeyLookupTest, ACacheGoingDuringABuildStopsAndJoinsIt) {
  // Big enough that its sort is still running when the cache goes (if not, the build has ended: also fine).
  Exec("CREATE TABLE typed AS SELECT (hash(i) % 1000000)::BIGINT AS k, 'v' || i AS s FROM range(3000000) r(i)");
  for (int round = 0; round < 3; ++round) {
    KeyLookupCache cache(int64_t{1} << 30, [](const std::string& name) { return name == "typed"; },
                         [this]() { return db_->Connect(); });
    EXPECT_FALSE(Fast(cache, "SELECT s FROM typed WHERE k = $1 ORDER BY s", "5").has_value());
  }
  // The database is still whole and answers.
  auto count = session_->Query("SELECT count(*) FROM typed");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->Scalar(), "3000000");
}

// Every type a copy holds as numbers, and some it holds as text, with their edges:
// the answer is DuckDB's, byte for byte, whatever the column's form.
TEST_F(KeyLookupTest, EveryTypeAnswersAsDuckDbWrites) {
  Exec(R"(CREATE TABLE typed AS SELECT * FROM (VALUES
      (1, 1, (-128)::TINYINT, (-32768)::SMALLINT, (-2147483648)::INTEGER, (-9223372036854775808)::BIGINT, 255::UTINYINT,
       65535::USMALLINT, 4294967295::UINTEGER, 18446744073709551615::UBIGINT, 170141183460469231731687303715884105727::HUGEINT,
       true, DATE '0001-01-01', TIMESTAMP '1970-01-01 00:00:00', 0.1::DOUBLE, 0.1::FLOAT, 12.50::DECIMAL(18,2),
       -0.5::DECIMAL(4,1), 1.0000000001::DECIMAL(38,10), 'héllo'::VARCHAR, [1, 2], TIME '12:34:56.5', INTERVAL 3 DAY,
       '00000000-0000-0000-0000-000000000001'::UUID, 'ab'::BLOB),
      (1, 2, 127, 32767, 2147483647, 9223372036854775807, 0, 0, 0, 0, -1, false, DATE '9999-12-31',
       TIMESTAMP '2025-06-30 23:59:59.123456', 1e300, 3.4e38, -3.25, 0.0, -99.5, '', [], TIME '00:00:00', INTERVAL 1 MONTH,
       NULL, ''::BLOB),
      (1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, DATE '2024-02-29', TIMESTAMP '1969-12-31 23:59:59.5', -0.0, 1.0, 0.00,
       -9.9, 0, NULL, NULL, NULL, NULL, NULL, NULL),
      (1, 4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, TIMESTAMP '2000-01-01 00:00:00.01',
       'inf'::DOUBLE, 'nan'::FLOAT, -0.01, NULL, NULL, 'x', NULL, NULL, NULL, NULL, NULL),
      (2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, DATE '1970-01-01', NULL, 1.0 / 3, 123456.78, 999999999999999.99,
       999.9, 1, 'y', [3], NULL, NULL, NULL, NULL),
      (3, 1, 5, 5, 5, 5, 5, 5, 5, 5, 5, true, DATE '-0044-03-15', TIMESTAMP '-0001-01-01 00:00:00', 5, 5, 5, 5, 5,
       'z', [5], NULL, NULL, NULL, NULL)
    ) t(k, ord, ti, si, i, bi, uti, usi, ui, ubi, hi, b, d, ts, dbl, flt, dec, dec1, dec38, v, l, tm, iv, u, bl))");
  const std::string sql =
      "SELECT ti, si, i, bi, uti, usi, ui, ubi, hi, b, d, ts, dbl, flt, dec, dec1, dec38, v, l, tm, iv, u, bl "
      "FROM typed WHERE k = $1 ORDER BY ord";
  KeyLookupCache cache = Cache();
  for (const char* id : {"1", "2", "3", "4"}) {
    auto fast = Fast(cache, sql, id);
    ASSERT_TRUE(fast.has_value()) << id;
    auto normal = Normal(sql, id);
    ASSERT_TRUE(normal.ok()) << normal.status().ToString();
    ExpectSame(*fast, *normal);
  }
}

/// A column built from what DuckDB returns for `values` (a SQL list of one type).
LookupColumn ColumnOf(engine::Session& session, const std::string& values, std::vector<std::string>* texts) {
  auto result = session.QueryReadOnly("SELECT unnest(" + values + ")", -1);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  LookupColumn column(result->types[0]);
  for (size_t r = 0; r < result->rows.size(); ++r) {
    column.Append(result->rows[r][0], result->nulls[r][0]);
    texts->push_back(result->nulls[r][0] ? "" : result->rows[r][0]);
  }
  column.Finish();
  return column;
}

TEST_F(KeyLookupTest, ColumnsHoldNumbersWhereTheTextComesBackExactAndTextElsewhere) {
  using Form = LookupColumn::Form;
  const std::vector<std::pair<std::string, Form>> cases = {
      {"[DATE '2020-01-01' + 5, DATE '2021-03-01']", Form::kDate},
      {"[(17 * 7 % 100000 / 100.0)::DECIMAL(18,2), 1000.5::DECIMAL(18,2)]", Form::kDecimal},
      {"[1 % 5 = 0, 5 % 5 = 0]", Form::kBoolean},
      {"[1, -2, NULL, 9223372036854775807]::BIGINT[]", Form::kInteger},
      {"[1, 300, NULL, -70000, 5000000000, -1, 0]::BIGINT[]", Form::kInteger},  // widened 1 -> 2 -> 4 -> 8 bytes
      {"[12.50, -3.25, 0.00, -0.01, NULL]::DECIMAL(18,2)[]", Form::kDecimal},
      {"[-0.5, 0.0, 999.9]::DECIMAL(4,1)[]", Form::kDecimal},
      {"[1.5]::DECIMAL(38,10)[]", Form::kText},  // wider than 64 bits: DuckDB's text
      {"[DATE '2025-01-01', DATE '0001-01-01', NULL]", Form::kDate},
      {"[DATE '2025-01-01', DATE '-0044-03-15']", Form::kText},  // a BC date: the column turns into text
      {"[TIMESTAMP '2025-01-01 10:00:00', TIMESTAMP '1969-12-31 23:59:59.000001']", Form::kTimestamp},
      {"[true, false, NULL]", Form::kBoolean},
      {"['a', NULL, 'bc']", Form::kText},
      {"[18446744073709551615]::UBIGINT[]", Form::kText},  // over int64
  };
  for (const auto& [values, form] : cases) {
    std::vector<std::string> texts;
    LookupColumn column = ColumnOf(*session_, values, &texts);
    EXPECT_EQ(column.form(), form) << values;
    for (size_t r = 0; r < texts.size(); ++r) EXPECT_EQ(column.Text(r), texts[r]) << values << " row " << r;
  }
}

TEST_F(KeyLookupTest, AFactRowTakesAboutTenBytes) {
  // The benchmark's lookup columns (DATE, DECIMAL(18,2), BOOLEAN, BIGINT), 16 rows per key.
  Exec("CREATE TABLE typed AS SELECT (i // 16)::BIGINT AS k, DATE '2020-01-01' + (i % 16)::INTEGER * 31 "
                            "AS d, (i * 7 % 100000 / 100.0)::DECIMAL(18,2) AS rev, i % 5 = 0 AS b, "
                            "(i % 3000)::BIGINT AS n FROM range(16000) r(i)");
  KeyLookupCache cache = Cache(int64_t{64} << 20);
  const std::string sql = "SELECT d, rev, b, n FROM typed WHERE k = $1 ORDER BY d";
  auto fast = Fast(cache, sql, "42");
  ASSERT_TRUE(fast.has_value());
  ExpectSame(*fast, *Normal(sql, "42"));
  EXPECT_EQ(fast->rows.size(), 16u);
  // 2 (DATE) + 4 (DECIMAL) + 1 (BOOLEAN) + 2 (BIGINT under 3000) + 0.5 (NULL bits) + 0.75 (key and start
  // per 16 rows): 10.3 bytes a row; DuckDB's text took ~200.
  EXPECT_LT(cache.bytes_held(), 11 * 16000) << cache.bytes_held() / 16000.0 << " bytes a row";
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
