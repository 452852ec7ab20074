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

}  // namespace
}  // namespace custlake::serve
