#include "serve/pg_commands.h"

#include <gtest/gtest.h>

namespace custlake::serve {
namespace {

TEST(PgCommands, DeclareAsPsycopg2SendsIt) {
  auto declare = ParseDeclare("DECLARE \"c_7f_1\" CURSOR WITHOUT HOLD FOR SELECT 1 FROM t WHERE x = ';'");
  ASSERT_TRUE(declare.ok()) << declare.status().ToString();
  EXPECT_EQ(declare->name, "c_7f_1");
  EXPECT_EQ(declare->query, "SELECT 1 FROM t WHERE x = ';'");
  EXPECT_EQ(ParseDeclare("declare Big no scroll cursor for select 2")->name, "big");
  EXPECT_FALSE(ParseDeclare("DECLARE c CURSOR SELECT 1").ok());
  EXPECT_FALSE(ParseDeclare("DECLARE c BINARY CURSOR FOR SELECT 1").ok());
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
  EXPECT_FALSE(ParseFetch("FETCH BACKWARD 1 FROM c").ok());
  EXPECT_FALSE(ParseFetch("FETCH 99999999999999999999 FROM c").ok());
  EXPECT_EQ(*ParseClose("CLOSE \"c_1\""), "c_1");
  EXPECT_EQ(*ParseClose("close all"), "");
  EXPECT_FALSE(ParseClose("CLOSE").ok());
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
