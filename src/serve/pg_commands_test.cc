#include "serve/pg_commands.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace custlake::serve {
namespace {

TEST(PgCommands, DeclareAsPsycopg2SendsIt) {
  auto declare = ParseDeclare("DECLARE \"c_7f_1\" CURSOR WITHOUT HOLD FOR SELECT 1 FROM t WHERE x = ';'");
  ASSERT_TRUE(declare.ok()) << declare.status().ToString();
  EXPECT_EQ(declare->name, "c_7f_1");
  EXPECT_EQ(declare->query, "SELECT 1 FROM t WHERE x = ';'");
  EXPECT_EQ(ParseDeclare("declare Big no scroll cursor for select 2")->name, "big");
  EXPECT_FALSE(ParseDeclare("DECLARE c CURSOR SELECT 1").ok());
  EXPECT_TRUE(ParseDeclare("DECLARE c BINARY CURSOR FOR SELECT 1")->binary);
  EXPECT_FALSE(ParseDeclare("DECLARE c CURSOR FOR SELECT 1")->binary);
  EXPECT_TRUE(ParseDeclare("declare Big no scroll cursor for select 2")->no_scroll);
  EXPECT_FALSE(ParseDeclare("DECLARE c SCROLL CURSOR FOR SELECT 2")->no_scroll);
}

TEST(PgCommands, FetchMoveAndClose) {
  auto f = ParseFetch("FETCH FORWARD 2000 FROM \"c_1\"");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->count, 2000);
  EXPECT_EQ(f->name, "c_1");
  EXPECT_FALSE(f->move);
  EXPECT_EQ(ParseFetch("fetch c")->count, 1);
  EXPECT_EQ(ParseFetch("FETCH ALL IN c")->count, -1);
  EXPECT_EQ(ParseFetch("FETCH FORWARD ALL FROM c")->count, -1);
  EXPECT_EQ(ParseFetch("FETCH 5 c")->count, 5);
  EXPECT_TRUE(ParseFetch("MOVE NEXT FROM c")->move);
  EXPECT_FALSE(ParseFetch("FETCH SIDEWAYS 1 FROM c").ok());
  EXPECT_FALSE(ParseFetch("FETCH ABSOLUTE FROM c").ok());
  EXPECT_FALSE(ParseFetch("FETCH 99999999999999999999 FROM c").ok());
  EXPECT_EQ(*ParseClose("CLOSE \"c_1\""), "c_1");
  EXPECT_EQ(*ParseClose("close all"), "");
  EXPECT_FALSE(ParseClose("CLOSE").ok());
}

TEST(PgCommands, FetchDirections) {
  using D = FetchCursor::Direction;
  const std::vector<std::tuple<std::string, D, int64_t>> cases{
      {"FETCH PRIOR FROM c", D::kBackward, 1},       {"FETCH FIRST c", D::kAbsolute, 1},
      {"FETCH LAST IN c", D::kAbsolute, -1},         {"FETCH ABSOLUTE -2 FROM c", D::kAbsolute, -2},
      {"fetch relative +3 c", D::kRelative, 3},      {"FETCH RELATIVE 0 FROM c", D::kRelative, 0},
      {"FETCH -4 FROM c", D::kBackward, 4},          {"FETCH BACKWARD FROM c", D::kBackward, 1},
      {"FETCH BACKWARD 7 FROM c", D::kBackward, 7},  {"FETCH BACKWARD -7 FROM c", D::kForward, 7},
      {"FETCH BACKWARD ALL FROM c", D::kBackward, -1}, {"FETCH FORWARD -2 FROM c", D::kBackward, 2},
      {"FETCH FORWARD 0 FROM c", D::kRelative, 0},   {"MOVE NEXT c", D::kForward, 1}};
  for (const auto& [sql, direction, count] : cases) {
    auto f = ParseFetch(sql);
    ASSERT_TRUE(f.ok()) << sql << ": " << f.status().ToString();
    EXPECT_EQ(f->direction, direction) << sql;
    EXPECT_EQ(f->count, count) << sql;
    EXPECT_EQ(f->name, "c") << sql;
  }
}

TEST(PgCommands, CursorStepsAsPostgreSqlMovesItsCursors) {
  // Five rows; each step from the position the last one left, checked against PostgreSQL 15.
  const std::vector<std::pair<std::string, std::vector<size_t>>> steps{
      {"FETCH 2 c", {1, 2}},          {"FETCH PRIOR c", {1}},        {"FETCH PRIOR c", {}},
      {"FETCH NEXT c", {1}},          {"FETCH LAST c", {5}},         {"FETCH NEXT c", {}},
      {"FETCH BACKWARD 2 c", {5, 4}}, {"FETCH RELATIVE 0 c", {4}},   {"FETCH ABSOLUTE -5 c", {1}},
      {"FETCH RELATIVE 3 c", {4}},    {"FETCH ABSOLUTE 9 c", {}},    {"FETCH BACKWARD ALL c", {5, 4, 3, 2, 1}},
      {"FETCH ABSOLUTE 0 c", {}},     {"FETCH RELATIVE -1 c", {}},   {"FETCH ALL c", {1, 2, 3, 4, 5}}};
  size_t position = 0;
  for (const auto& [sql, rows] : steps) {
    const CursorStep step = StepCursor(*ParseFetch(sql), 5, position);
    EXPECT_EQ(step.rows, rows) << sql << " from " << position;
    position = step.position;
  }
  EXPECT_EQ(position, 6u) << "after the last row";
}

TEST(PgCommands, CopyForms) {
  auto text = ParseCopy("COPY (SELECT ')' AS p FROM t) TO STDOUT");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->query, "SELECT ')' AS p FROM t");
  EXPECT_FALSE(text->csv);
  EXPECT_EQ(text->delimiter, '\t');
  EXPECT_EQ(text->null_text, "\\N");
  auto csv = ParseCopy("COPY ( SELECT 1 ) TO STDOUT WITH (FORMAT csv, HEADER true, DELIMITER ';', NULL 'NA')");
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_TRUE(csv->csv && csv->header);
  EXPECT_EQ(csv->delimiter, ';');
  EXPECT_EQ(csv->null_text, "NA");
  auto old = ParseCopy("COPY dim_date TO STDOUT WITH CSV HEADER");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->query, "SELECT * FROM dim_date");
  EXPECT_TRUE(old->csv && old->header);
  EXPECT_EQ(old->delimiter, ',');
  EXPECT_EQ(old->null_text, "");
  EXPECT_FALSE(ParseCopy("COPY t FROM STDIN").ok());
  EXPECT_FALSE(ParseCopy("COPY (SELECT 1) TO '/tmp/x'").ok());
  EXPECT_FALSE(ParseCopy("COPY (SELECT 1) TO STDOUT (FORMAT binary)").ok());
  EXPECT_FALSE(ParseCopy("COPY (SELECT 1 TO STDOUT").ok());
  EXPECT_FALSE(ParseCopy("COPY (SELECT 1) TO STDOUT (DELIMITER ',,')").ok());
}

TEST(PgCommands, CopyLinesEscapeAsPostgreSQLDoes) {
  CopyToStdout text;
  EXPECT_EQ(CopyLine({"a\tb", "back\\slash", "line\nbreak", ""}, {false, false, false, true}, text),
            "a\\tb\tback\\\\slash\tline\\nbreak\t\\N\n");
  CopyToStdout csv;
  csv.csv = true;
  csv.delimiter = ',';
  csv.null_text = "";
  EXPECT_EQ(CopyLine({"plain", "a,b", "say \"hi\"", "", ""}, {false, false, false, false, true}, csv),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"\",\n");
}

}  // namespace
}  // namespace custlake::serve
