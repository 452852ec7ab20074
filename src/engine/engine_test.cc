#include "engine/engine.h"

#include <gtest/gtest.h>

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

TEST(EngineReadOnlyTest, AnswersQueries) {
  std::unique_ptr<Database> db;
  auto s = MemorySession(&db);
  auto r = s->QueryReadOnly("SELECT 40 + 2 AS answer");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Scalar(), "42");
  EXPECT_TRUE(s->QueryReadOnly("EXPLAIN SELECT 1").ok());
  EXPECT_FALSE(s->QueryReadOnly("SELEC 1").ok());
  EXPECT_FALSE(s->QueryReadOnly("").ok());
}

}  // namespace
}  // namespace custlake::engine
