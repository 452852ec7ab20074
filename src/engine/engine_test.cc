#include "engine/engine.h"

#include <gtest/gtest.h>

#include <cmath>

namespace custlake::engine {
namespace {

std::unique_ptr<Session> MemorySession(std::unique_ptr<Database>* db) {
  auto opened = Database::Open({});
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  *db = std::move(opened).value();
  auto session = (*db)->Connect();
  EXPECT_TRUE(session.ok());
  return std::move(session).value();
}

TEST(EngineTest, QueryRendersValuesTypesAndNulls) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  auto r = s->Query("SELECT 42::BIGINT AS n, 1.25::DECIMAL(10,2) AS d, NULL::VARCHAR AS v, true AS b, DATE '2025-01-31' AS day");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->columns, (std::vector<std::string>{"n", "d", "v", "b", "day"}));
  EXPECT_EQ(r->types[0], "BIGINT");
  EXPECT_EQ(r->types[1], "DECIMAL(10,2)");
  EXPECT_EQ(r->rows[0][0], "42");
  EXPECT_EQ(r->rows[0][1], "1.25");
  EXPECT_TRUE(r->nulls[0][2]);
  EXPECT_EQ(r->kinds[3], ValueKind::kBoolean);
  EXPECT_EQ(r->rows[0][4], "2025-01-31");
}

TEST(EngineTest, ErrorsComeBackAsStatusNotExceptions) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  auto r = s->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_table"), std::string::npos);
  EXPECT_FALSE(s->Execute("CREAT TABLE x").ok());
}

TEST(EngineTest, MaxRowsLimitsMaterialisation) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  auto r = s->Query("SELECT * FROM range(1000)", 10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows.size(), 10u);
}

TEST(EngineTest, CurrentCatalogAndHasTable) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  ASSERT_TRUE(s->Execute("CREATE TABLE t AS SELECT 1 AS x; CREATE VIEW v AS SELECT 1 AS x").ok());
  auto catalog = CurrentCatalog(s.get());
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(*catalog, "memory");
  auto has = [&](const std::string& db_name, const std::string& table) {
    auto r = HasTable(s.get(), db_name, table);
    EXPECT_TRUE(r.ok()) << db_name << "." << table;
    return r.ok() && *r;
  };
  EXPECT_TRUE(has("memory", "t"));
  EXPECT_FALSE(has("memory", "v"));  // a view is not a table
  EXPECT_FALSE(has("memory", "missing"));
  EXPECT_FALSE(has("other", "t"));
}

TEST(EngineTest, QuotingEscapes) {
  EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
}

TEST(EngineTest, BadSettingIsAnError) {
  DatabaseOptions o;
  o.settings["no_such_setting"] = "1";
  EXPECT_FALSE(Database::Open(o).ok());
}

}  // namespace
}  // namespace custlake::engine

namespace custlake::engine {
namespace {

TEST(EngineReadOnlyTest, RefusesWritesAndSettingsBeforeRunningAnything) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  ASSERT_TRUE(s->Execute("CREATE TABLE t AS SELECT 1 AS x").ok());
  for (const char* sql : {"DROP TABLE t", "INSERT INTO t VALUES (2)", "COPY t TO '/tmp/custlake-x.csv'",
                          "SET threads = 1", "ATTACH '/tmp/custlake-x.db'", "INSTALL httpfs", "LOAD httpfs",
                          "SELECT 1; DROP TABLE t"}) {
    auto r = s->QueryReadOnly(sql);
    EXPECT_FALSE(r.ok()) << sql;
  }
  auto count = s->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->Scalar(), "1");  // "SELECT 1; DROP TABLE t" ran nothing
}

TEST(EngineReadOnlyTest, BindsParametersToOnePreparedTextAndRefusesWrites) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  ASSERT_TRUE(s->Execute("CREATE TABLE t AS SELECT i AS id, 'name ' || i AS name FROM range(10) r(i)").ok());
  const std::string sql = "SELECT name FROM t WHERE id = $1";
  for (const char* id : {"3", "7"}) {  // the same text with other values
    auto r = s->QueryReadOnlyWithParams(sql, {std::string(id)});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->Scalar(), std::string("name ") + id);
  }
  auto hostile = s->QueryReadOnlyWithParams("SELECT CAST($1 AS VARCHAR) AS v", {std::string("x'); DROP TABLE t; --")});
  ASSERT_TRUE(hostile.ok()) << hostile.status().ToString();
  EXPECT_EQ(hostile->Scalar(), "x'); DROP TABLE t; --");
  auto null = s->QueryReadOnlyWithParams("SELECT CAST($1 AS INTEGER) IS NULL", {std::nullopt});
  ASSERT_TRUE(null.ok()) << null.status().ToString();
  EXPECT_EQ(null->Scalar(), "true");
  EXPECT_FALSE(s->QueryReadOnlyWithParams(sql, {std::string("not a number")}).ok());
  EXPECT_FALSE(s->QueryReadOnlyWithParams(sql, {}).ok());  // one parameter missing
  EXPECT_FALSE(s->QueryReadOnlyWithParams("DELETE FROM t WHERE id = $1", {std::string("1")}).ok());
  auto count = s->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->Scalar(), "10");
}

TEST(EngineReadOnlyTest, AnswersQueries) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  auto r = s->QueryReadOnly("SELECT 40 + 2 AS answer");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Scalar(), "42");
  EXPECT_TRUE(s->QueryReadOnly("EXPLAIN SELECT 1").ok());
  EXPECT_FALSE(s->QueryReadOnly("SELEC 1").ok());
  EXPECT_FALSE(s->QueryReadOnly("").ok());
  EXPECT_TRUE(s->QueryReadOnly("SELECT 1 AS x; -- done").ok());
}

// Every type renders as DuckDB writes it: the C API's value_varchar gives
// nothing for TIMESTAMPTZ, lists, structs, maps, UUIDs, ENUMs and more.
TEST(EngineTest, QueryReadOnlyRendersEveryTypeAndKeepsNamesTypesAndOrder) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  auto r = s->QueryReadOnly(
      "SELECT TIMESTAMPTZ '2025-01-01 10:00:00+00' AS ts, [1, 2] AS l, {'x': 1} AS st, MAP {'k': 1} AS m, "
      "'1e6f1a3c-8a35-4f3b-9d7e-0c1c4e1f2a3b'::UUID AS u, 'x'::ENUM('x', 'y') AS e, TIMETZ '10:00:00+02' AS tt, "
      "[{'ts': TIMESTAMPTZ '2025-01-01 10:00:00+00'}] AS msgs, 1.25::DECIMAL(10, 2) AS d, 7 AS a, 8 AS a;");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 1u);
  const std::vector<std::string> expected = {"2025-01-01 10:00:00+00", "[1, 2]", "{'x': 1}", "{k=1}",
                                             "1e6f1a3c-8a35-4f3b-9d7e-0c1c4e1f2a3b", "x", "10:00:00+02",
                                             "[{'ts': '2025-01-01 10:00:00+00'}]", "1.25", "7", "8"};
  EXPECT_EQ(r->rows[0], expected);
  EXPECT_EQ(r->columns.back(), "a");  // duplicate names stay as the query wrote them
  EXPECT_EQ(r->types[0], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(r->types[8], "DECIMAL(10,2)");
  EXPECT_EQ(r->kinds[9], ValueKind::kInteger);

  // The row limit is part of the query, ORDER BY is kept, truncation is reported.
  auto top = s->QueryReadOnly("SELECT i FROM range(1000000) t(i) ORDER BY i DESC", 3);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  ASSERT_EQ(top->rows.size(), 3u);
  EXPECT_EQ(top->rows[0][0], "999999");
  EXPECT_EQ(top->rows[2][0], "999997");
  EXPECT_TRUE(top->truncated);
  auto all = s->QueryReadOnly("SELECT i FROM range(3) t(i)", 3);
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->truncated);
  EXPECT_FALSE(s->QueryReadOnly("SELECT 1; SELECT 2").ok());
}

// Queries of plain types take the one-prepare path (values rendered by the
// C API): they read exactly as the wrapped path renders them (QueryText of a
// query with a column that forces the wrap), names and types the query's own.
TEST(EngineTest, PlainTypesRenderAsTheWrappedPathDoes) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  const std::string columns =
      "true AS b, -7::TINYINT AS ti, 300::SMALLINT AS si, -70000 AS i, 9007199254740993 AS bi, 200::UTINYINT AS ut, "
      "4000000000::UINTEGER AS ui, 18446744073709551615::UBIGINT AS ub, 170141183460469231731687303715884105727::HUGEINT "
      "AS hi, 0.1::FLOAT AS f, 1e300 / 3 AS dbl, -0.0::DOUBLE AS nz, 'caf\u00e9 ''x''' AS v, DATE '2025-02-28' AS dt, "
      "TIMESTAMP '2025-02-28 23:00:00.123456' AS ts, -1234.5::DECIMAL(10, 3) AS dec, 12345678901234567890.12::DECIMAL(38, 2) "
      "AS wide, NULL::INTEGER AS n";
  auto plain = s->QueryReadOnly("SELECT " + columns + " FROM range(2)");
  auto wrapped = s->QueryText("SELECT " + columns + ", [1] AS forces_the_wrap FROM range(2)");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  ASSERT_EQ(plain->rows.size(), 2u);
  for (size_t c = 0; c < plain->columns.size(); ++c) {
    EXPECT_EQ(plain->columns[c], wrapped->columns[c]);
    EXPECT_EQ(plain->types[c], wrapped->types[c]) << plain->columns[c];
    EXPECT_EQ(plain->kinds[c], wrapped->kinds[c]) << plain->columns[c];
    EXPECT_EQ(plain->rows[0][c], wrapped->rows[0][c]) << plain->columns[c];
    EXPECT_EQ(plain->nulls[0][c], wrapped->nulls[0][c]) << plain->columns[c];
  }
  // Parameters bind on the same path, and a missing one is still a clear error.
  auto bound = s->QueryWithParams("SELECT $1::INTEGER + 1 AS x", {std::string("41")});
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  EXPECT_EQ(bound->Scalar(), "42");
  EXPECT_FALSE(s->QueryWithParams("SELECT $1::INTEGER AS x", {}).ok());
  // A session plans a query once and reuses it (a bounded cache): each run binds its own values,
  // and queries beyond the bound still run (the least recently used plans are dropped).
  for (int i = 0; i < 3; ++i) {
    auto again = s->QueryWithParams("SELECT $1::INTEGER + 1 AS x", {std::to_string(i)});
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->Scalar(), std::to_string(i + 1));
  }
  EXPECT_FALSE(s->QueryReadOnly("SELECT $1::INTEGER + 1 AS x").ok());  // no value bound: not the last run's
  for (int i = 0; i < 40; ++i) {
    auto distinct = s->QueryReadOnly("SELECT " + std::to_string(i) + " AS x");
    ASSERT_TRUE(distinct.ok()) << distinct.status().ToString();
    EXPECT_EQ(distinct->Scalar(), std::to_string(i));
  }
  EXPECT_EQ(s->QueryWithParams("SELECT $1::INTEGER + 1 AS x", {std::string("9")})->Scalar(), "10");
}

// QueryText renders like QueryReadOnly, for any connection's own SQL
// (tables it made included), and runs other statements as Query does.
TEST(EngineTest, QueryTextRendersEveryTypeOverTheSessionsTables) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  ASSERT_TRUE(s->Execute("CREATE TABLE t AS SELECT TIMESTAMPTZ '2025-02-26 09:00:00+00' AS occurred_at, "
                         "[{'x': 1}] AS l FROM range(3)").ok());
  auto r = s->QueryText("SELECT *, count(*) OVER () AS n FROM t LIMIT 2");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0], (std::vector<std::string>{"2025-02-26 09:00:00+00", "[{'x': 1}]", "3"}));
  EXPECT_EQ(r->types[0], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(r->kinds[2], ValueKind::kInteger);
  EXPECT_FALSE(s->QueryText("SELEC 1").ok());
}

}  // namespace
}  // namespace custlake::engine

#include "engine/appender.h"

namespace custlake::engine {
namespace {

TEST(EngineTest, ForEachDoubleChunkGivesNamesThenNumbersAcrossChunksWithNaNForNull) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  std::vector<std::string> names;
  std::vector<double> a, b;
  auto status = s->ForEachDoubleChunk(
      "SELECT CAST(i AS DOUBLE) AS a, CASE WHEN i % 3 = 0 THEN NULL ELSE i / 4 END AS b FROM range(5000) t(i)",
      [&](const std::vector<std::string>& n) {
        EXPECT_TRUE(a.empty());  // before any row
        names = n;
        return Status::OK();
      },
      [&](size_t rows, const std::vector<const double*>& columns) {
        EXPECT_LE(rows, 2048u);  // DuckDB's vector size: the rows come chunk by chunk
        a.insert(a.end(), columns[0], columns[0] + rows);
        b.insert(b.end(), columns[1], columns[1] + rows);
        return Status::OK();
      });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(a.size(), 5000u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i], static_cast<double>(i));
    if (i % 3 == 0) {
      EXPECT_TRUE(std::isnan(b[i])) << i;
    } else {
      EXPECT_EQ(b[i], static_cast<double>(i) / 4) << i;
    }
  }
}

TEST(EngineTest, ForEachDoubleChunkRefusesOtherTypesAndStopsAtTheCallersError) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  auto none = [](const std::vector<std::string>&) { return Status::OK(); };
  int chunks = 0;
  auto count = [&](size_t, const std::vector<const double*>&) {
    ++chunks;
    return Status::OK();
  };
  auto typed = s->ForEachDoubleChunk("SELECT 1.5::DOUBLE AS x, 'a' AS y", none, count);
  EXPECT_FALSE(typed.ok());
  EXPECT_NE(typed.message().find("the column y is not DOUBLE"), std::string::npos) << typed.ToString();
  EXPECT_EQ(chunks, 0);
  EXPECT_FALSE(s->ForEachDoubleChunk("SELECT * FROM missing_table", none, count).ok());
  auto stopped = s->ForEachDoubleChunk("SELECT CAST(i AS DOUBLE) AS i FROM range(10000) t(i)", none,
                                       [&](size_t, const std::vector<const double*>&) {
                                         ++chunks;
                                         return Status::InvalidArgument("enough");
                                       });
  EXPECT_EQ(stopped.message(), "enough");
  EXPECT_EQ(chunks, 1);
}

TEST(EngineTest, ForEachTextChunkGivesQueryReadOnlysTextNamesAndTypesAcrossChunks) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  const std::string sql =
      "SELECT i AS n, CASE WHEN i % 7 = 0 THEN NULL ELSE DATE '2020-01-01' + i::INTEGER END AS d, "
      "(i / 8.0)::DECIMAL(18,2) AS dec, [i] AS l, TIMESTAMPTZ '2025-01-01 10:00:00+00' AS ts, i / 3 AS dbl "
      "FROM range(5000) t(i) ORDER BY i";
  auto expected = s->QueryReadOnly(sql);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  QueryResult got;
  int chunks = 0;
  auto status = s->ForEachTextChunk(
      sql,
      [&](const QueryResult& shape) {
        EXPECT_TRUE(shape.rows.empty());
        got.columns = shape.columns;
        got.types = shape.types;
        got.kinds = shape.kinds;
        return Status::OK();
      },
      [&](const TextChunk& chunk) {
        ++chunks;
        for (size_t r = 0; r < chunk.rows; ++r) {
          std::vector<std::string> row;
          std::vector<bool> nulls;
          for (size_t c = 0; c < chunk.values.size(); ++c) {
            row.emplace_back(chunk.values[c][r]);
            nulls.push_back(chunk.nulls[c][r]);
          }
          got.rows.push_back(std::move(row));
          got.nulls.push_back(std::move(nulls));
        }
        return Status::OK();
      });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_GE(chunks, 3);
  EXPECT_EQ(got.columns, expected->columns);
  EXPECT_EQ(got.types, expected->types);
  EXPECT_EQ(got.kinds, expected->kinds);
  EXPECT_EQ(got.rows, expected->rows);
  EXPECT_EQ(got.nulls, expected->nulls);
}

TEST(EngineTest, ForEachTextChunkRefusesAWriteAndStopsAtTheCallersError) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  auto shape = [](const QueryResult&) { return Status::OK(); };
  int chunks = 0;
  auto stop = [&](const TextChunk&) {
    ++chunks;
    return Status::InvalidArgument("enough");
  };
  EXPECT_FALSE(s->ForEachTextChunk("CREATE TABLE t (i INTEGER)", shape, stop).ok());
  EXPECT_FALSE(s->Query("SELECT * FROM t").ok()) << "the write ran";
  EXPECT_FALSE(s->ForEachTextChunk("SELECT * FROM missing_table", shape, stop).ok());
  EXPECT_EQ(s->ForEachTextChunk("SELECT i FROM range(10000) t(i)", shape, stop).message(), "enough");
  EXPECT_EQ(chunks, 1);
}

TEST(AppenderTest, AppendsEveryTypeAcrossChunksWithNulls) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  std::vector<ColumnSpec> cols = {{"b", ColumnType::kBoolean},   {"i", ColumnType::kBigInt},
                                  {"u", ColumnType::kUBigInt},   {"d", ColumnType::kDouble},
                                  {"m", ColumnType::kDecimal, 18, 2}, {"s", ColumnType::kVarchar},
                                  {"day", ColumnType::kDate},    {"ts", ColumnType::kTimestamp}};
  ASSERT_TRUE(s->Execute(CreateTableSql("t", cols)).ok());
  auto app = Appender::Open(s.get(), "t", cols);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  const int n = 5000;  // more than two chunks
  for (int r = 0; r < n; r++) {
    (*app)->SetBool(0, r % 2 == 0);
    (*app)->SetInt64(1, r);
    (*app)->SetUInt64(2, UINT64_MAX - r);
    if (r % 3 == 0) (*app)->SetNull(3); else (*app)->SetDouble(3, r * 0.5);
    (*app)->SetInt64(4, -12345);  // -123.45
    if (r % 5 != 0) (*app)->SetString(5, r % 7 == 0 ? std::string(40, 'x') : "héllo");
    (*app)->SetInt64(6, 20089);  // 2025-01-01
    (*app)->SetInt64(7, 1735689600000000LL);
    ASSERT_TRUE((*app)->EndRow().ok());
  }
  ASSERT_TRUE((*app)->Close().ok());
  auto r = s->Query("SELECT count(*), sum(i), count(d), count(s), min(m)::VARCHAR, max(u)::VARCHAR, "
                    "min(day)::VARCHAR, (min(ts) AT TIME ZONE 'UTC')::VARCHAR, count(*) FILTER (WHERE b) FROM t");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0], "5000");
  EXPECT_EQ(r->rows[0][1], std::to_string(int64_t{n} * (n - 1) / 2));
  EXPECT_EQ(r->rows[0][2], "3333");
  EXPECT_EQ(r->rows[0][3], "4000");
  EXPECT_EQ(r->rows[0][4], "-123.45");
  EXPECT_EQ(r->rows[0][5], "18446744073709551615");
  EXPECT_EQ(r->rows[0][6], "2025-01-01");
  EXPECT_EQ(r->rows[0][7], "2025-01-01 00:00:00");
  EXPECT_EQ(r->rows[0][8], "2500");
}

// DuckDB stores DECIMAL(p<=4) as int16 and DECIMAL(p<=9) as int32: unscaled
// int64 values must be narrowed, not copied (every row after the first read garbage).
TEST(AppenderTest, SmallDecimalsAreStoredAtTheirWidth) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  std::vector<ColumnSpec> cols = {{"a", ColumnType::kDecimal, 4, 2}, {"b", ColumnType::kDecimal, 9, 3},
                                  {"c", ColumnType::kDecimal, 18, 2}};
  ASSERT_TRUE(s->Execute(CreateTableSql("t", cols)).ok());
  auto app = Appender::Open(s.get(), "t", cols);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  for (int r = 0; r < 3000; r++) {
    (*app)->SetInt64(0, r % 100 - 50);  // -0.50 .. 0.49
    (*app)->SetInt64(1, int64_t{r} * 1001);
    (*app)->SetInt64(2, -int64_t{r});
    ASSERT_TRUE((*app)->EndRow().ok());
  }
  ASSERT_TRUE((*app)->Close().ok());
  auto r = s->Query("SELECT sum(a)::VARCHAR, max(a)::VARCHAR, sum(b)::VARCHAR, max(b)::VARCHAR, sum(c)::VARCHAR FROM t");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0], (std::vector<std::string>{"-15.00", "0.49", "4502998.500", "3001.999", "-44985.00"}));
}

TEST(AppenderTest, WrongColumnCountIsAnError) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  ASSERT_TRUE(s->Execute("CREATE TABLE t (a BIGINT)").ok());
  EXPECT_FALSE(Appender::Open(s.get(), "t", {{"a", ColumnType::kBigInt}, {"b", ColumnType::kBigInt}}).ok());
  EXPECT_FALSE(Appender::Open(s.get(), "missing", {{"a", ColumnType::kBigInt}}).ok());
}

}  // namespace
}  // namespace custlake::engine
