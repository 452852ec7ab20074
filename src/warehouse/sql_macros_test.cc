#include "warehouse/sql_macros.h"

#include <gtest/gtest.h>

#include "support/status_testing.h"
#include "warehouse/export_ddl.h"
#include "warehouse/model_loader.h"

namespace custlake::warehouse {
namespace {

std::string Expand(const std::string& sql, Dialect d) {
  auto r = ExpandMacros(sql, d, "models/x.sql", 1);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : "";
}

TEST(SqlMacros, HashKeyIsTheSame60BitsOfMd5EverywhereAndNests) {
  const std::string key =
      "SELECT {{ hash_key(to_text(customer_id) || '|' || to_text(epoch_us(changed_at))) }} AS k";
  EXPECT_EQ(
      Expand(key, Dialect::kDuckDb),
      "SELECT CAST(('0x' || left(md5(CAST(customer_id AS VARCHAR) || '|' || CAST(epoch_us(changed_at) AS "
      "VARCHAR)), 15)) AS BIGINT) AS k");
  EXPECT_EQ(Expand(key, Dialect::kTrino),
            "SELECT from_base(substr(to_hex(md5(to_utf8(CAST(customer_id AS VARCHAR) || '|' || "
            "CAST(CAST(round(to_unixtime(changed_at) * 1000000) AS BIGINT) AS VARCHAR)))), 1, 15), 16) AS k");
  EXPECT_EQ(
      Expand(key, Dialect::kSpark),
      "SELECT CAST(conv(substr(md5(CAST(customer_id AS STRING) || '|' || CAST(unix_micros(changed_at) AS "
      "STRING)), 1, 15), 16, 10) AS BIGINT) AS k");
}

TEST(SqlMacros, DialectSpecificConstructs) {
  EXPECT_EQ(Expand("{{ trunc_date(month, utc(ts)) }}", Dialect::kDuckDb),
            "CAST(date_trunc('month', (ts AT TIME ZONE 'UTC')) AS DATE)");
  EXPECT_EQ(Expand("{{ trunc_date(month, utc(ts)) }}", Dialect::kHive), "CAST(trunc(ts, 'month') AS DATE)");
  EXPECT_EQ(Expand("{{ days_between(a, b) }}", Dialect::kSpark), "datediff(b, a)");
  EXPECT_EQ(Expand("FROM t l {{ unnest_fields(l.messages, m, ts, author) }}", Dialect::kTrino),
            "FROM t l CROSS JOIN UNNEST(l.messages) AS m(ts, author)");
  EXPECT_EQ(Expand("FROM t l {{ unnest_fields(l.messages, m, ts, author) }}", Dialect::kHive),
            "FROM t l LATERAL VIEW inline(l.messages) m AS ts, author");
  EXPECT_EQ(Expand("{{ ident(date) }}", Dialect::kHive), "`date`");
  EXPECT_EQ(Expand("{{ ident(date) }}", Dialect::kDuckDb), "\"date\"");
  // Literals inside a macro call are copied as they are, commas included.
  EXPECT_EQ(Expand("{{ to_text(coalesce(x, 'a, b')) }}", Dialect::kHive),
            "CAST(coalesce(x, 'a, b') AS STRING)");
  EXPECT_EQ(Expand("no macros here", Dialect::kTrino), "no macros here");
}

TEST(SqlMacros, ErrorsSayWhere) {
  auto unknown = ExpandMacros("SELECT\n{{ hashkey(x) }}", Dialect::kDuckDb, "models/x.sql", 10);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("models/x.sql:11"), std::string::npos)
      << unknown.status().message();
  EXPECT_NE(unknown.status().message().find("hash_key"), std::string::npos);
  auto args = ExpandMacros("{{ trunc_date(x) }}", Dialect::kDuckDb, "models/x.sql", 1);
  ASSERT_FALSE(args.ok());
  EXPECT_NE(args.status().message().find("takes 2 argument(s), got 1"), std::string::npos)
      << args.status().message();
  EXPECT_FALSE(ExpandMacros("{{ to_text(x) ", Dialect::kDuckDb, "m.sql", 1).ok());
  EXPECT_FALSE(ParseDialect("oracle").ok());
}

TEST(SqlMacros, BuiltinModelsExpandInEveryDialectWithoutDuckDbOnlySyntax) {
  ASSERT_OK_AND_ASSIGN(auto models, LoadBuiltinModels());
  for (Dialect d : {Dialect::kHive, Dialect::kTrino, Dialect::kSpark}) {
    for (const Model& m : models) {
      ASSERT_OK_AND_ASSIGN(std::string sql, ExpandMacros(m.source_sql, d, m.file, m.sql_line));
      for (const char* bad : {"QUALIFY", "GROUP BY ALL", "ANTI JOIN", " -> ", "list_", "epoch_us(", "range(",
                              "::", "{{", "TIMESTAMPTZ", "FILTER (", "strftime", "isodow(", "len("}) {
        EXPECT_EQ(sql.find(bad), std::string::npos) << DialectName(d) << " " << m.name << ": " << bad;
      }
    }
  }
}

TEST(ExportDdl, EveryModelAsCreateTableAsOrViewAndRawViewsWithBatchIds) {
  ASSERT_OK_AND_ASSIGN(auto models, LoadBuiltinModels());
  std::vector<TableSchema> tables;
  for (const Model& m : models) tables.push_back({&m, {{"x", "BIGINT"}}});
  std::vector<RawTableSchema> raw = {
      {"usage", "raw/usage", {{"event_id", "VARCHAR"}}, {"event_date"}, {"DATE"}, {}, ""},
      {"tickets", "raw/tickets", {{"messages", "STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]"}}, {}, {}, {}, ""},
      {"shop_clients", "raw/shop/clients", {{"client_id", "BIGINT"}, {"modified", "TIMESTAMP WITH TIME ZONE"}},
       {"ingest_date"}, {"DATE"}, {"client_id"}, "modified"}};
  ASSERT_OK_AND_ASSIGN(std::string hive, ExportDdl(tables, raw, Dialect::kHive, "hdfs:///lake/"));
  EXPECT_NE(hive.find("CREATE EXTERNAL TABLE IF NOT EXISTS raw.`usage_files`"), std::string::npos);
  EXPECT_NE(hive.find("PARTITIONED BY (`event_date` DATE)"), std::string::npos);
  // A lastmodified import: raw.<view> keeps every version, raw.<view>_current the latest per merge key.
  EXPECT_NE(hive.find("CREATE VIEW IF NOT EXISTS raw.`shop_clients_current` AS SELECT `client_id`, `modified`, "
                      "`ingest_date`, `_batch_id` FROM (SELECT *, row_number() OVER (PARTITION BY `client_id` "
                      "ORDER BY `modified` DESC) AS `_rn` FROM raw.`shop_clients`) `latest` WHERE `_rn` = 1;"),
            std::string::npos)
      << hive;
  EXPECT_EQ(hive.find("usage_current"), std::string::npos);
  EXPECT_NE(hive.find("LOCATION 'hdfs:///lake/raw/usage/'"), std::string::npos);
  EXPECT_NE(hive.find("regexp_extract(INPUT__FILE__NAME, 'part-([0-9]+)-', 1) AS BIGINT) AS `_batch_id`"),
            std::string::npos);
  EXPECT_NE(hive.find("`messages` ARRAY<STRUCT<ts:STRING, author:STRING, body:STRING>>"), std::string::npos);
  EXPECT_NE(hive.find("USE custlake_models;"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(std::string trino, ExportDdl(tables, raw, Dialect::kTrino, "s3://b/lake"));
  EXPECT_NE(trino.find("\"messages\" ARRAY(ROW(ts VARCHAR, author VARCHAR, body VARCHAR))"),
            std::string::npos);
  EXPECT_NE(trino.find("\"$path\""), std::string::npos);
  for (const Model& m : models) {
    if (m.IsView()) {  // the staging layer: views over the raw views
      EXPECT_NE(hive.find("CREATE VIEW IF NOT EXISTS `" + m.name + "` AS"), std::string::npos) << m.name;
      EXPECT_NE(trino.find("CREATE OR REPLACE VIEW \"" + m.name + "\" AS"), std::string::npos) << m.name;
      continue;
    }
    EXPECT_NE(hive.find("CREATE TABLE `" + m.name + "` STORED AS PARQUET AS"), std::string::npos) << m.name;
    EXPECT_NE(trino.find("CREATE TABLE \"" + m.name + "\" WITH (format = 'PARQUET') AS"), std::string::npos)
        << m.name;
  }
  // Hive and Spark escape quotes in comments with a backslash, Trino doubles them.
  ASSERT_OK_AND_ASSIGN(std::string spark, ExportDdl(tables, raw, Dialect::kSpark, "s3://b/lake"));
  EXPECT_EQ(spark.find("''s"), std::string::npos);
}

}  // namespace
}  // namespace custlake::warehouse
