// The catalog over a session shaped like a LakeSession's: warehouse tables as
// views in main (with the built-in models' keys) and a raw view, queried with
// the SQL psql and SQLAlchemy send, through TranslatePgDialect.
#include "serve/pg_catalog.h"

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "lake/lake_testing.h"
#include "serve/pg_catalog_keys.h"
#include "serve/pg_dialect.h"
#include "warehouse/model_loader.h"

namespace custlake::serve {
namespace {

using Rows = std::vector<std::vector<std::string>>;

class PgCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, engine::Database::Open(engine::DatabaseOptions{}));
    ASSERT_OK_AND_ASSIGN(session_, db_->Connect());
    for (const char* sql : {
             "CREATE SCHEMA raw",
             "CREATE VIEW main.dim_customer AS SELECT 1::BIGINT AS customer_key, 7 AS customer_id",
             "CREATE VIEW main.dim_date AS SELECT 20240101 AS date_key, DATE '2024-01-01' AS date",
             "CREATE VIEW main.fact_customer_metrics AS SELECT 7 AS customer_id, DATE '2024-01-01' AS month_start, "
             "1::BIGINT AS customer_key, 20240101 AS date_key, 12.50::DECIMAL(18,2) AS revenue",
             "CREATE VIEW raw.usage AS SELECT 'e1' AS event_id",
         }) {
      ASSERT_OK(session_->Execute(sql));
    }
    ASSERT_OK_AND_ASSIGN(models_, warehouse::LoadBuiltinModels());
    for (const std::string& sql : PgCatalogSetup(models_)) {
      Status st = session_->Execute(sql);
      ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
    }
  }

  std::vector<std::vector<std::string>> Query(const std::string& pg_sql) {
    auto result = session_->QueryText(TranslatePgDialect(pg_sql));
    EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n" << TranslatePgDialect(pg_sql);
    return result.ok() ? result->rows : std::vector<std::vector<std::string>>{};
  }

  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Session> session_;
  std::vector<warehouse::Model> models_;
};

TEST(PgCatalogKeys, TheModelsDeclareTheStarSchemasKeys) {
  ASSERT_OK_AND_ASSIGN(auto models, warehouse::LoadBuiltinModels());
  bool metrics_pk = false, metrics_fk = false;
  for (const TableKey& key : DeclaredKeys(models)) {
    if (key.table != "fact_customer_metrics") continue;
    if (key.kind == 'p') {
      metrics_pk = key.columns == std::vector<std::string>{"customer_id", "month_start"};
      EXPECT_EQ(key.name, "fact_customer_metrics_pkey");
    }
    if (key.kind == 'f' && key.ref_table == "dim_customer") {
      metrics_fk = key.columns == std::vector<std::string>{"customer_key"} &&
                   key.ref_columns == std::vector<std::string>{"customer_key"};
    }
  }
  EXPECT_TRUE(metrics_pk);
  EXPECT_TRUE(metrics_fk);
}

TEST_F(PgCatalogTest, PsqlListsTheWarehouseTables) {
  // psql 15's \dt, as `psql -E` shows it.
  EXPECT_EQ(Query(R"(SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;)"),
            (Rows{{"main", "dim_customer", "table", "custlake"},
                  {"main", "dim_date", "table", "custlake"},
                  {"main", "fact_customer_metrics", "table", "custlake"}}));
}

TEST_F(PgCatalogTest, PsqlFindsATableByRegexAndItsColumns) {
  Rows found = Query(R"(SELECT c.oid,
  n.nspname,
  c.relname
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(fact_customer_metrics)$' COLLATE pg_catalog.default
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 2, 3;)");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0][2], "fact_customer_metrics");
  EXPECT_EQ(Query("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull "
                 "FROM pg_catalog.pg_attribute a WHERE a.attrelid = '" + found[0][0] +
                 "' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"),
            (Rows{{"customer_id", "integer", "true"},
                  {"month_start", "date", "true"},
                  {"customer_key", "bigint", "false"},
                  {"date_key", "integer", "false"},
                  {"revenue", "numeric(18,2)", "false"}}));
  EXPECT_EQ(Query("SELECT 'fact_customer_metrics'::regclass = " + found[0][0]), (Rows{{"true"}}));
}

TEST_F(PgCatalogTest, ConstraintsAndIndexesOfAFact) {
  EXPECT_EQ(Query("SELECT conname, contype, pg_catalog.pg_get_constraintdef(r.oid, true) FROM pg_catalog.pg_constraint r "
                 "WHERE r.conrelid = 'fact_customer_metrics'::regclass ORDER BY 1"),
            (Rows{{"fact_customer_metrics_customer_key_fkey", "f",
                   "FOREIGN KEY (customer_key) REFERENCES dim_customer(customer_key)"},
                  {"fact_customer_metrics_date_key_fkey", "f", "FOREIGN KEY (date_key) REFERENCES dim_date(date_key)"},
                  {"fact_customer_metrics_pkey", "p", "PRIMARY KEY (customer_id, month_start)"}}));
  EXPECT_EQ(Query("SELECT c2.relname, i.indisprimary, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) "
                 "FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i "
                 "WHERE c.oid = 'fact_customer_metrics'::regclass AND c.oid = i.indrelid AND i.indexrelid = c2.oid"),
            (Rows{{"fact_customer_metrics_pkey", "true",
                   "CREATE UNIQUE INDEX fact_customer_metrics_pkey ON main.fact_customer_metrics USING btree "
                   "(customer_id, month_start)"}}));
}

TEST_F(PgCatalogTest, InformationSchemaHasTheKeys) {
  EXPECT_EQ(Query("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'raw'"),
            (Rows{{"usage", "VIEW"}}));
  EXPECT_EQ(Query("SELECT tc.constraint_name, kcu.column_name, kcu.ordinal_position "
                 "FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kcu "
                 "USING (constraint_name) WHERE tc.table_name = 'fact_customer_metrics' "
                 "AND tc.constraint_type = 'PRIMARY KEY' ORDER BY 3"),
            (Rows{{"fact_customer_metrics_pkey", "customer_id", "1"},
                  {"fact_customer_metrics_pkey", "month_start", "2"}}));
  EXPECT_EQ(Query("SELECT unique_constraint_name FROM information_schema.referential_constraints "
                 "WHERE constraint_name = 'fact_customer_metrics_date_key_fkey'"),
            (Rows{{"dim_date_pkey"}}));
}

TEST(PgDialect, RewritesOnlyCodeNotLiterals) {
  EXPECT_EQ(TranslatePgDialect("SELECT 'pg_catalog.x', \"pg_catalog.y\" FROM pg_catalog.pg_class"),
            "SELECT 'pg_catalog.x', \"pg_catalog.y\" FROM pg_class");
  EXPECT_EQ(TranslatePgDialect("WHERE a OPERATOR(pg_catalog.~) 'x' COLLATE pg_catalog.default"),
            "WHERE a  ~  'x' ");
  EXPECT_EQ(TranslatePgDialect("SELECT 'tbl'::regclass, c.oid::pg_catalog.regclass, x::oid, y::name"),
            "SELECT pg_compat.regclass_oid('tbl'), pg_compat.regclass_name(c.oid), x::BIGINT, y::VARCHAR");
  EXPECT_EQ(TranslatePgDialect("SELECT * FROM information_schema.columns -- pg_catalog.x"),
            "SELECT * FROM pg_info.columns -- pg_catalog.x");
  EXPECT_EQ(TranslatePgDialect("FROM generate_series(0, array_upper(x::int2[], 1)) s, t WHERE"),
            "FROM generate_series(0, array_upper(x::int2[], 1)) AS s(s), t WHERE");
  EXPECT_EQ(TranslatePgDialect("FROM generate_series(1, 3) AS i(i) WHERE"), "FROM generate_series(1, 3) AS i(i) WHERE");
  EXPECT_EQ(TranslatePgDialect("FROM generate_series(1, 3) WHERE"), "FROM generate_series(1, 3) WHERE");
}

}  // namespace
}  // namespace custlake::serve
