#include "ingest/nested_type.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace custlake::ingest {
namespace {

TEST(NestedType, ParsesAndPrintsDuckDbTypes) {
  auto t = NestedType::Parse("STRUCT(ts VARCHAR, author varchar, \"Body \"\"x\"\"\" TEXT, n int)[]");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->ToSql(), "STRUCT(\"ts\" VARCHAR, \"author\" VARCHAR, \"Body \"\"x\"\"\" VARCHAR, \"n\" INTEGER)[]");
  auto l = NestedType::Parse("LIST(STRUCT(a BIGINT[][], b JSON))");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->ToSql(), "STRUCT(\"a\" BIGINT[][], \"b\" JSON)[]");
  for (const char* bad : {"STRUCT(a)", "STRUCT(a BIGINT, A VARCHAR)", "MAP(VARCHAR, BIGINT)", "DECIMAL(10,2)",
                          "BIGINT[", "STRUCT(a BIGINT) x", ""}) {
    EXPECT_FALSE(NestedType::Parse(bad).ok()) << bad;
  }
}

std::string Fit(const std::string& json, const std::string& type, bool drop = false, std::string* error = nullptr) {
  simdjson::dom::parser parser;
  simdjson::dom::element v;
  EXPECT_FALSE(parser.parse(json).get(v)) << json;
  auto t = NestedType::Parse(type);
  EXPECT_TRUE(t.ok()) << type;
  std::string out, err;
  if (!CanonicalNestedJson(v, *t, drop, &out, &err)) {
    if (error != nullptr) *error = err;
    return "FAIL";
  }
  return out;
}

TEST(NestedType, CanonicalJsonHasEveryKeyInOrderAndCoercedScalars) {
  const std::string msg = "STRUCT(ts TIMESTAMP, author VARCHAR, n BIGINT, ok BOOLEAN, x DOUBLE, d DATE)[]";
  EXPECT_EQ(Fit(R"([{"author":"bo","ts":"2025-01-01T10:00:00+01:00","n":"7","ok":"yes","x":1,"d":"2025-02-03"},
                   {"author":42}, null])",
                msg),
            R"([{"ts":"2025-01-01 09:00:00.000000","author":"bo","n":7,"ok":true,"x":1,"d":"2025-02-03"},)"
            R"({"ts":null,"author":"42","n":null,"ok":null,"x":null,"d":null},null])");
  EXPECT_EQ(Fit(R"({"a":{"k":[1,{"z":null}]},"s":"q\"\n"})", "STRUCT(a JSON, s VARCHAR)"),
            R"({"a":{"k":[1,{"z":null}]},"s":"q\"\n"})");
  EXPECT_EQ(Fit(R"({"a":{"k":1}})", "STRUCT(a VARCHAR)"), R"({"a":"{\"k\":1}"})");
  EXPECT_EQ(Fit(R"({"a":1,"extra":2})", "STRUCT(a BIGINT)", /*drop=*/true), R"({"a":1})");
}

TEST(NestedType, ValuesThatDoNotFitNameTheirPath) {
  const std::string msg = "STRUCT(author VARCHAR, n INTEGER)[]";
  std::string err;
  EXPECT_EQ(Fit(R"([{"author":"a"},{"author":"b","n":"many"}])", msg, false, &err), "FAIL");
  EXPECT_EQ(err, R"([1].n: cannot coerce "many" to INTEGER)");
  EXPECT_EQ(Fit(R"([{"author":"a","attachments":[]}])", msg, false, &err), "FAIL");
  EXPECT_NE(err.find("[0]: key \"attachments\" is not in the nested type"), std::string::npos) << err;
  EXPECT_EQ(Fit(R"([{"n":3000000000}])", msg, false, &err), "FAIL");
  EXPECT_NE(err.find("out of range for INTEGER"), std::string::npos) << err;
  EXPECT_EQ(Fit(R"({"author":"a"})", msg, false, &err), "FAIL");
  EXPECT_NE(err.find("expected an array"), std::string::npos) << err;
  EXPECT_EQ(Fit(R"(["a"])", msg, false, &err), "FAIL");
  EXPECT_NE(err.find("[0]: expected an object"), std::string::npos) << err;
  EXPECT_EQ(Fit(R"([{"n":1,"n":2}])", msg, false, &err), "FAIL");
  EXPECT_NE(err.find("appears twice"), std::string::npos) << err;
}

std::optional<std::string> Infer(const std::vector<std::string>& values) {
  simdjson::dom::parser parser;
  NestedShape shape;
  for (const auto& j : values) {
    simdjson::dom::element v;
    EXPECT_FALSE(parser.parse(j).get(v)) << j;
    shape.Observe(v);
  }
  auto t = shape.Type();
  if (!t) return std::nullopt;
  return t->ToSql();
}

TEST(NestedShape, InfersStructsAndListsWhereConsistent) {
  EXPECT_EQ(Infer({R"([{"ts":"x","author":"a","body":"b"}])", R"([{"ts":"y","author":"c"}, {"body":"z","n":1}])",
                   "[]", "null"}),
            std::optional<std::string>("STRUCT(\"ts\" VARCHAR, \"author\" VARCHAR, \"body\" VARCHAR, \"n\" BIGINT)[]"));
  EXPECT_EQ(Infer({R"({"a":1,"b":[1,2.5],"c":{"x":true},"d":null,"e":"s"})", R"({"a":2.5,"e":3,"c":"not an object"})"}),
            std::optional<std::string>("STRUCT(\"a\" DOUBLE, \"b\" DOUBLE[], \"c\" JSON, \"d\" JSON, \"e\" VARCHAR)"));
  EXPECT_EQ(Infer({R"({"a":1})", "[1]"}), std::nullopt);  // object here, array there: JSON
  std::string wide = "{";
  for (int i = 0; i < 100; i++) wide += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":1";
  EXPECT_EQ(Infer({wide + "}"}), std::nullopt);  // a map keyed by data: JSON
}

}  // namespace
}  // namespace custlake::ingest
