#include "warehouse/model_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support/status_testing.h"
#include "warehouse/checks.h"
#include "warehouse/dag.h"
#include "warehouse/export_ddl.h"

namespace custlake::warehouse {
namespace {

TEST(ModelLoader, ParsesHeaderChecksAndSql) {
  std::string text =
      "-- model: dim_x\n"
      "-- description: the x\n"
      "--   continued\n"
      "-- materialized: merge\n"
      "-- unique_key: x_key\n"
      "-- column x_key: the key\n"
      "-- check unique: x_key\n"
      "-- check not_null: x_key, name\n"
      "-- check relationship: y_key -> dim_y.y_key\n"
      "-- check custom: SELECT 1\n"
      "--   WHERE false\n"
      "SELECT 1 AS x_key, 'a' AS name, y_key FROM dim_y JOIN raw.usage u ON true -- not dim_z\n";
  ASSERT_OK_AND_ASSIGN(Model m, ParseModel("models/dim_x.sql", text));
  EXPECT_EQ(m.name, "dim_x");
  EXPECT_EQ(m.description, "the x continued");
  EXPECT_EQ(m.materialized, Materialization::kMerge);
  ASSERT_EQ(m.checks.size(), 5u);
  EXPECT_EQ(m.checks[1].name, "not_null(x_key)");
  EXPECT_EQ(m.checks[3].ref_table, "dim_y");
  EXPECT_EQ(m.checks[4].sql, "SELECT 1\nWHERE false");
  EXPECT_EQ(m.checks[4].line, 10);
  EXPECT_EQ(m.sql_line, 12);
}

TEST(ModelLoader, FreshnessCheck) {
  ASSERT_OK_AND_ASSIGN(Model m, ParseModel("models/f.sql", "-- model: f\n"
                                                           "-- check freshness: occurred_at within 2 days where kind = 'usage'\n"
                                                           "SELECT 1"));
  ASSERT_EQ(m.checks.size(), 1u);
  EXPECT_EQ(m.checks[0].kind, CheckKind::kFreshness);
  EXPECT_EQ(m.checks[0].columns[0], "occurred_at");
  EXPECT_EQ(m.checks[0].max_age_seconds, 2 * 86400);
  EXPECT_EQ(m.checks[0].sql, "kind = 'usage'");
  auto bad = ParseModel("models/f.sql", "-- model: f\n-- check freshness: occurred_at within a while\nSELECT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("models/f.sql:2"), std::string::npos) << bad.status().message();
}

TEST(Checks, ChangedRowsResolveToDeltaOnlyWhenNothingElseChanged) {
  const std::string sql = "SELECT * FROM changed.fact_x f JOIN dim_c d ON d.k = f.k";
  CheckOptions o;
  EXPECT_EQ(ResolveChangedRows(sql, o), "SELECT * FROM \"fact_x\" f JOIN dim_c d ON d.k = f.k");
  o.delta_tables = o.appended_tables = {"fact_x"};
  o.changed = {"fact_x", "usage"};
  EXPECT_EQ(ResolveChangedRows(sql, o), "SELECT * FROM delta.\"fact_x\" f JOIN dim_c d ON d.k = f.k");
  o.changed.insert("dim_c");  // the dimension changed: old facts may break now
  EXPECT_EQ(ResolveChangedRows(sql, o), "SELECT * FROM \"fact_x\" f JOIN dim_c d ON d.k = f.k");
  // A reconciliation of raw with facts: both sides new rows, or both whole.
  const std::string rec =
      "SELECT 1 FROM (SELECT count(*) n FROM changed.usage) r, (SELECT count(*) n FROM changed.fact_x WHERE t = 'usage') f";
  o.changed = {"fact_x", "usage"};
  o.raw_views = {"usage"};
  EXPECT_EQ(ResolveChangedRows(rec, o),
            "SELECT 1 FROM (SELECT count(*) n FROM raw.\"usage\") r, (SELECT count(*) n FROM \"fact_x\" WHERE t = 'usage') f");
  o.delta_views = {"usage"};
  EXPECT_EQ(ResolveChangedRows(rec, o),
            "SELECT 1 FROM (SELECT count(*) n FROM delta.\"usage\") r, (SELECT count(*) n FROM delta.\"fact_x\" WHERE t = 'usage') f");
}

TEST(ModelLoader, UnchangedWhenIsSqlOfTableModelsOnly) {
  ASSERT_OK_AND_ASSIGN(Model m, ParseModel("models/d.sql",
                                           "-- model: d\n"
                                           "-- unchanged_when: SELECT count(*) = 0\n"
                                           "--   FROM changed.usage\n"
                                           "SELECT 1 AS k FROM raw.usage"));
  EXPECT_EQ(m.unchanged_when, "SELECT count(*) = 0\nFROM changed.usage");
  auto merge = ParseModel("models/d.sql",
                          "-- model: d\n-- materialized: merge\n-- unique_key: k\n"
                          "-- unchanged_when: SELECT true\nSELECT 1 AS k");
  ASSERT_FALSE(merge.ok());
  EXPECT_NE(merge.status().message().find("unchanged_when"), std::string::npos) << merge.status().message();
  // It is part of the models' fingerprint: changing it makes the next build a full one.
  ASSERT_OK_AND_ASSIGN(Model other, ParseModel("models/d.sql",
                                               "-- model: d\n"
                                               "-- unchanged_when: SELECT false\n"
                                               "SELECT 1 AS k FROM raw.usage"));
  EXPECT_NE(ModelsFingerprint({m}), ModelsFingerprint({other}));
}

TEST(ModelLoader, PostIncrementalRowsIsSqlOfAppendModelsWithPostIncrementalOnly) {
  const std::string head = "-- model: f\n-- materialized: append\n-- replace_key: src\n";
  ASSERT_OK_AND_ASSIGN(Model m, ParseModel("models/f.sql", head +
                                                               "-- post_incremental_rows: f.k IN (SELECT k\n"
                                                               "--   FROM delta.usage)\n"
                                                               "SELECT 1 AS k, 'u' AS src FROM raw.usage\n"
                                                               "-- @post_incremental\n"
                                                               "DELETE FROM f WHERE k IN (SELECT k FROM delta.usage)"));
  EXPECT_EQ(m.post_incremental_rows, std::vector<std::string>{"f.k IN (SELECT k\nFROM delta.usage)"});
  auto without_statements = ParseModel("models/f.sql", head + "-- post_incremental_rows: true\nSELECT 1 AS k, 'u' AS src");
  ASSERT_FALSE(without_statements.ok());
  EXPECT_NE(without_statements.status().message().find("post_incremental_rows applies to"), std::string::npos)
      << without_statements.status().message();
  EXPECT_NE(without_statements.status().message().find("models/f.sql:1"), std::string::npos);
  auto table = ParseModel("models/d.sql", "-- model: d\n-- post_incremental_rows: true\nSELECT 1 AS k");
  ASSERT_FALSE(table.ok());
  // It is part of the models' fingerprint: changing it makes the next build a full one.
  Model other = m;
  other.post_incremental_rows.push_back("true");
  EXPECT_NE(ModelsFingerprint({m}), ModelsFingerprint({other}));
}

TEST(Checks, ChangedRowsAreNewOnlyWhenEveryNameOnlyGainedRows) {
  const std::string sql = "SELECT max(ts) FROM changed.usage UNION ALL SELECT max(t) FROM changed.fact_x";
  CheckOptions o;
  o.raw_views = {"usage"};
  EXPECT_FALSE(ChangedRowsAreNew(sql, o));
  o.delta_views = {"usage"};
  EXPECT_FALSE(ChangedRowsAreNew(sql, o));  // fact_x was rebuilt (not appended)
  o.appended_tables = {"fact_x"};
  o.changed = {"fact_x", "usage"};
  EXPECT_TRUE(ChangedRowsAreNew(sql, o));
  EXPECT_FALSE(ChangedRowsAreNew("SELECT 1", o));  // reads no new rows at all
  EXPECT_FALSE(ChangedRowsAreNew(sql + " UNION ALL SELECT max(t) FROM fact_x", o));  // and the whole table
}

TEST(Checks, UniqueKeysWithinRecomputedPartitionsAreCheckedOnThemAlone) {
  Model m;
  m.name = "fact_m";
  m.partition_by = "month_start";
  ModelCheck by_month;
  by_month.kind = CheckKind::kUnique;
  by_month.columns = {"customer_id", "month_start"};
  ModelCheck by_customer = by_month;
  by_customer.columns = {"customer_id"};
  CheckOptions o;
  o.delta_tables = {"fact_m"};
  // Appended rows: a new key may repeat an old one anywhere, so old rows are scanned too.
  EXPECT_NE(CheckSql(m, by_month, o).find("EXISTS (SELECT 1 FROM delta.\"fact_m\""), std::string::npos);
  o.partition_delta_tables = {"fact_m"};
  EXPECT_EQ(
      CheckSql(m, by_month, o),
      "SELECT \"customer_id\", \"month_start\", count(*) AS duplicates FROM delta.\"fact_m\" GROUP BY ALL "
      "HAVING count(*) > 1");
  // A key without the partition column can repeat across partitions.
  EXPECT_NE(CheckSql(m, by_customer, o).find("EXISTS (SELECT 1 FROM delta.\"fact_m\""), std::string::npos);
}

TEST(ModelLoader, ErrorsSayWhere) {
  auto r = ParseModel("models/a.sql", "-- model: a\n-- materialised: table\nSELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("models/a.sql:2"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("did you mean 'materialized'"), std::string::npos);
  EXPECT_FALSE(ParseModel("models/b.sql", "-- model: a\nSELECT 1").ok());  // name != file
}

TEST(ModelLoader, RefsFromSqlAndTopologicalOrder) {
  ASSERT_OK_AND_ASSIGN(auto models, LoadModels({{"m/c.sql", "-- model: c\nSELECT * FROM b JOIN a USING (k)"},
                                                {"m/b.sql", "-- model: b\nSELECT * FROM a, raw.usage -- c\n"},
                                                {"m/a.sql", "-- model: a\nSELECT 'b' AS k FROM raw.sic_customers"}}));
  ASSERT_OK_AND_ASSIGN(auto sorted, SortModels(models));
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].name, "a");
  EXPECT_EQ(sorted[1].name, "b");
  EXPECT_EQ(sorted[2].name, "c");
  EXPECT_EQ(sorted[1].sources, std::vector<std::string>{"usage"});
  EXPECT_EQ(sorted[0].refs.size(), 0u);  // 'b' is a literal, not a ref
}

TEST(ModelLoader, CycleIsAClearError) {
  ASSERT_OK_AND_ASSIGN(auto models, LoadModels({{"m/a.sql", "-- model: a\nSELECT * FROM b"},
                                                {"m/b.sql", "-- model: b\nSELECT * FROM a"}}));
  auto r = SortModels(models);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("dependency cycle"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("m/a.sql"), std::string::npos);
}

TEST(ModelLoader, RewriteRawSchemaOnlyOutsideLiterals) {
  EXPECT_EQ(RewriteRawSchema("SELECT 'raw.usage', x FROM raw.usage -- raw.usage\n", "delta"),
            "SELECT 'raw.usage', x FROM delta.usage -- raw.usage\n");
}

TEST(ModelLoader, AViewIsReadAsARawViewAndBuiltFirst) {
  ASSERT_OK_AND_ASSIGN(
      auto models,
      LoadModels(
          {{"m/facts.sql",
            "-- model: facts\n-- check sums: SELECT 1 FROM changed.stg_x, stg_y WHERE false\n"
            "SELECT s.id, stg_x.v FROM stg_x JOIN stg_y s USING (id)\n"},
           {"m/stg_x.sql", "-- model: stg_x\n-- materialized: view\nSELECT id, v, _batch_id FROM raw.shop_x"},
           {"m/stg_y.sql", "-- model: stg_y\n-- materialized: view\nSELECT id, _batch_id FROM raw.shop_y"}}));
  ASSERT_OK_AND_ASSIGN(auto sorted, SortModels(models));
  ASSERT_EQ(sorted.size(), 3u);
  const Model& facts = sorted[2];
  EXPECT_EQ(facts.name, "facts");
  EXPECT_EQ(facts.sql, "SELECT s.id, raw.stg_x.v FROM raw.stg_x JOIN raw.stg_y s USING (id)");
  ASSERT_EQ(facts.checks.size(), 1u);
  EXPECT_EQ(facts.checks[0].sql, "SELECT 1 FROM changed.stg_x, raw.stg_y WHERE false");
  EXPECT_EQ(facts.sources, (std::vector<std::string>{"stg_x", "stg_y"}));
  EXPECT_EQ(facts.refs, (std::vector<std::string>{"stg_x", "stg_y"}));
  EXPECT_EQ(RawSourceViews(sorted), (std::vector<std::string>{"shop_x", "shop_y"}));
  EXPECT_EQ(RewriteRawSchema(facts.sql, "delta"),
            "SELECT s.id, delta.stg_x.v FROM delta.stg_x JOIN delta.stg_y s USING (id)");
}

TEST(ModelLoader, AViewReadsRawViewsOnlyAndHasNoChecks) {
  auto reads_model = LoadModels({{"m/a.sql", "-- model: a\nSELECT 1 AS k"},
                                 {"m/stg_a.sql", "-- model: stg_a\n-- materialized: view\nSELECT * FROM a"}});
  ASSERT_FALSE(reads_model.ok());
  EXPECT_NE(reads_model.status().message().find("view model stg_a reads model a"), std::string::npos)
      << reads_model.status().message();
  auto checked =
      ParseModel("m/stg_a.sql", "-- model: stg_a\n-- materialized: view\n-- check unique: k\nSELECT 1 AS k");
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.status().message().find("m/stg_a.sql:3: a view model has no checks"), std::string::npos)
      << checked.status().message();
}

TEST(ModelLoader, ProjectModelsOverrideBuiltinsByNameAndAddTheirOwn) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("custlake_project_models_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "staging");
  fs::create_directories(dir / "marts");
  std::ofstream(dir / "staging" / "stg_usage.sql")
      << "-- model: stg_usage\n-- materialized: view\nSELECT *, 1 AS extra FROM raw.clicks\n";
  std::ofstream(dir / "marts" / "mart_x.sql")
      << "-- model: mart_x\nSELECT count(*) AS n FROM fact_customer_activity\n";
  ASSERT_OK_AND_ASSIGN(ProjectModels loaded, LoadProjectModels(dir));
  fs::remove_all(dir);
  EXPECT_EQ(loaded.models.size(), 18u);
  ASSERT_EQ(loaded.overrides.size(), 1u);
  EXPECT_EQ(loaded.overrides[0].rfind("stg_usage (", 0), 0u) << loaded.overrides[0];
  EXPECT_EQ(loaded.project_models, std::vector<std::string>{"mart_x"});
  std::vector<std::string> raw = RawSourceViews(loaded.models);
  EXPECT_NE(std::find(raw.begin(), raw.end(), "clicks"), raw.end());
  EXPECT_EQ(std::find(raw.begin(), raw.end(), "usage"), raw.end());
  ASSERT_OK_AND_ASSIGN(ProjectModels none, LoadProjectModels(dir / "missing"));
  EXPECT_EQ(none.models.size(), 17u);
  EXPECT_TRUE(none.overrides.empty());
}

TEST(ModelLoader, BuiltinModelsLoadAndSort) {
  ASSERT_OK_AND_ASSIGN(auto models, LoadBuiltinModels());
  ASSERT_OK_AND_ASSIGN(auto sorted, SortModels(models));
  ASSERT_EQ(sorted.size(), 17u);  // seven tables of the star schema, the dashboard's four marts, six staging views
  // The marts read the monthly facts, so they come after them (ties by name).
  const auto at = [&](const std::string& name) {
    return std::find_if(sorted.begin(), sorted.end(), [&](const Model& m) { return m.name == name; }) - sorted.begin();
  };
  EXPECT_EQ(at("fact_customer_metrics"), 12);
  EXPECT_EQ(at("mart_dashboard_cohorts"), 13);
  EXPECT_EQ(at("mart_dashboard_customers"), 14);
  EXPECT_EQ(at("mart_dashboard_months"), 15);
  EXPECT_EQ(at("mart_dashboard_spans"), 16);  // reads mart_dashboard_customers
  int views = 0;
  for (const Model& m : sorted) views += m.IsView() ? 1 : 0;
  EXPECT_EQ(views, 6);
  // The star schema reads the staging views only; the raw zone is theirs to read.
  std::vector<std::string> raw = RawSourceViews(sorted);
  EXPECT_EQ(raw, (std::vector<std::string>{"sic_customers", "sic_offer_assignments", "sic_offers",
                                           "sic_transactions", "tickets", "usage"}));
  for (const Model& m : sorted) {
    EXPECT_FALSE(m.description.empty()) << m.name;
    EXPECT_FALSE(m.columns.empty()) << m.name;
  }
}

TEST(ExportDdl, MapsTypesPerDialect) {
  EXPECT_EQ(MapType("VARCHAR", Dialect::kHive), "STRING");
  EXPECT_EQ(MapType("VARCHAR", Dialect::kTrino), "VARCHAR");
  EXPECT_EQ(MapType("TIMESTAMP WITH TIME ZONE", Dialect::kSpark), "TIMESTAMP");
  EXPECT_EQ(MapType("DECIMAL(18,2)", Dialect::kTrino), "DECIMAL(18,2)");
  EXPECT_EQ(MapType("VARCHAR[]", Dialect::kTrino), "ARRAY(VARCHAR)");
  EXPECT_EQ(MapType("VARCHAR[]", Dialect::kHive), "ARRAY<STRING>");
}

}  // namespace
}  // namespace custlake::warehouse
