#include "ingest/schema.h"

#include <gtest/gtest.h>

namespace custlake::ingest {
namespace {

Schema Base() {
  Schema s;
  s.fields = {{"id", FieldType::kInt64, true, ""},
              {"name", FieldType::kString, false, ""},
              {"tags", FieldType::kJson, false, "VARCHAR[]"}};
  s.key = "id";
  return s;
}

TEST(SchemaEvolution, AdditiveChangesAreFine) {
  Schema next = Base();
  next.fields.push_back({"score", FieldType::kDouble, false, ""});
  next.fields[1].required = true;  // stricter for new records only
  EXPECT_TRUE(CheckSchemaEvolution(Base(), next).ok());
  EXPECT_TRUE(CheckSchemaEvolution(Base(), Base()).ok());
}

TEST(SchemaEvolution, DroppedRetypedAndNewRequiredColumnsAreNamed) {
  Schema next = Base();
  next.fields.erase(next.fields.begin() + 1);     // name dropped
  next.fields[0].type = FieldType::kString;       // id retyped
  next.fields[1].nested_type = "BIGINT[]";        // tags retyped
  next.fields.push_back({"region", FieldType::kString, true, ""});
  next.unknown = UnknownFieldPolicy::kDrop;
  Status st = CheckSchemaEvolution(Base(), next);
  ASSERT_FALSE(st.ok());
  for (const char* part : {"column name (string) is dropped", "column id changes type from int64 to string",
                           "column tags changes type from json (VARCHAR[]) to json (BIGINT[])",
                           "new column region is required", "column _extra", "ingest into a new dataset"}) {
    EXPECT_NE(st.message().find(part), std::string::npos) << part << " not in: " << st.message();
  }
}

}  // namespace
}  // namespace custlake::ingest
