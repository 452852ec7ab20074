#include "import/schema.h"

#include <gtest/gtest.h>

#include "support/status_testing.h"

namespace custlake::importer {
namespace {

std::vector<SchemaColumn> Cols(std::vector<std::pair<std::string, std::string>> v) {
  std::vector<SchemaColumn> out;
  for (auto& [n, t] : v) out.push_back({n, t, "x", true, false});
  return out;
}

TEST(SchemaTest, NewColumnsEvolve) {
  ASSERT_OK_AND_ASSIGN(auto s, ReconcileSchema(Cols({{"a", "BIGINT"}}), Cols({{"a", "BIGINT"}, {"b", "VARCHAR"}}),
                                               SchemaChangePolicy::kEvolve, "t"));
  EXPECT_EQ(s.size(), 2u);
  EXPECT_NOT_OK(ReconcileSchema(Cols({{"a", "BIGINT"}}), Cols({{"a", "BIGINT"}, {"b", "VARCHAR"}}),
                                SchemaChangePolicy::kFail, "t"));
}

TEST(SchemaTest, DroppedAndRetypedColumnsAreNamed) {
  auto dropped = ReconcileSchema(Cols({{"a", "BIGINT"}, {"b", "VARCHAR"}}), Cols({{"a", "BIGINT"}}),
                                 SchemaChangePolicy::kEvolve, "table t");
  ASSERT_FALSE(dropped.ok());
  EXPECT_NE(dropped.status().message().find("column b"), std::string::npos);
  auto retyped = ReconcileSchema(Cols({{"a", "BIGINT"}}), Cols({{"a", "VARCHAR"}}), SchemaChangePolicy::kEvolve, "t");
  ASSERT_FALSE(retyped.ok());
  EXPECT_NE(retyped.status().message().find("column a changed type"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto all, ReconcileSchema(Cols({{"a", "BIGINT"}, {"b", "VARCHAR"}}), Cols({{"a", "VARCHAR"}}),
                                                 SchemaChangePolicy::kAllowAll, "t"));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[1].dropped);
}

TEST(SchemaTest, JsonRoundTrip) {
  DatasetSchema s;
  s.source = "sqlite:x.db";
  s.table = "customers";
  s.incremental = IncrementalMode::kLastModified;
  s.check_column = "updated_at";
  s.merge_key = {"customer_id"};
  s.columns = Cols({{"customer_id", "BIGINT"}});
  ASSERT_OK_AND_ASSIGN(auto back, DatasetSchema::FromJson(s.ToJson()));
  EXPECT_EQ(back.ToJson(), s.ToJson());
}

}  // namespace
}  // namespace custlake::importer
