#include "serve/sql_text.h"

#include <gtest/gtest.h>

namespace custlake::serve {
namespace {

TEST(SqlText, SplitsAtTopLevelSemicolonsOnly) {
  EXPECT_EQ(SplitStatements("SELECT 1; SELECT ';' -- ;\n; SELECT $$;$$ /* ; */"),
            (std::vector<std::string>{"SELECT 1", "SELECT ';' -- ;", "SELECT $$;$$ /* ; */"}));
  EXPECT_EQ(SplitStatements(""), std::vector<std::string>{""});
  EXPECT_EQ(SplitStatements("SELECT 1;"), std::vector<std::string>{"SELECT 1"});
  EXPECT_EQ(SplitStatements("SELECT 1; -- done"), std::vector<std::string>{"SELECT 1"});
  EXPECT_EQ(SplitStatements("/* nothing */"), std::vector<std::string>{""});
}

TEST(SqlText, FirstKeywordSkipsCommentsAndBlanks) {
  EXPECT_EQ(FirstKeyword("  /* hi */ -- x\n set search_path = x"), "SET");
  EXPECT_EQ(FirstKeyword("(SELECT 1)"), "");
}

TEST(SqlText, ParametersBecomeQuotedTypedLiterals) {
  std::vector<BoundParam> params{
      {std::string("it's'; DROP TABLE x; --"), "VARCHAR"}, {std::nullopt, "INTEGER"}, {std::string("5"), ""}};
  EXPECT_EQ(BindParameters("SELECT $1, '$2', $2, $3, $10", params),
            "SELECT CAST('it''s''; DROP TABLE x; --' AS VARCHAR), '$2', CAST(NULL AS INTEGER), '5', $10");
  EXPECT_EQ(MaxParameterIndex("SELECT $12 + $3 -- $40"), 12);
}

TEST(SqlTextTest, CastParametersKeepsThePlaceholdersAndTheirDeclaredTypes) {
  EXPECT_EQ(CastParameters("SELECT $1, '$2', $2 /* $1 */, $3, $10", {"VARCHAR", "", "INTEGER"}),
            "SELECT CAST($1 AS VARCHAR), '$2', $2 /* $1 */, CAST($3 AS INTEGER), $10");
  EXPECT_EQ(CastParameters("SELECT 1", {"BIGINT"}), "SELECT 1");
}

TEST(SqlTextTest, OneStandaloneIntegerBecomesTheFirstParameter) {
  auto one = ParameterizeOneInteger("SELECT a FROM t WHERE customer_id=42 ORDER BY a -- 7\n");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->sql, "SELECT a FROM t WHERE customer_id=$1 ORDER BY a -- 7\n");
  EXPECT_EQ(one->value, "42");
  EXPECT_EQ(ParameterizeOneInteger("SELECT t1.a FROM t1 WHERE \"k2\" = '3' AND x = 0042")->sql,
            "SELECT t1.a FROM t1 WHERE \"k2\" = '3' AND x = $1");
  // Not one standalone integer: two, none, a decimal, an exponent, hex, underscores, a parameter.
  for (const char* sql : {"SELECT 1 FROM t WHERE k = 2", "SELECT a FROM t", "SELECT a FROM t WHERE k = 1.5",
                          "SELECT a FROM t WHERE k = 1e5", "SELECT a FROM t WHERE k = 0x1F",
                          "SELECT a FROM t WHERE k = 1_000", "SELECT a FROM t WHERE k = .5",
                          "SELECT a FROM t WHERE k = $1 AND j = 3", "SELECT a FROM t WHERE k = 'x1'"}) {
    EXPECT_FALSE(ParameterizeOneInteger(sql).has_value()) << sql;
  }
}

}  // namespace
}  // namespace custlake::serve
