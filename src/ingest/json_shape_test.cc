#include "ingest/json_shape.h"

#include <gtest/gtest.h>

#include <string>

namespace custlake::ingest {
namespace {

TEST(JsonShape, CompleteValues) {
  for (const char* text : {R"({})", R"({"a":1,"b":[1,2.5e-3,-0,true,false,null],"c":{"d":"x\"\u00e9"}})",
                           "[]", " 12 ", R"("s")", "123456789012345678901234567890"}) {
    EXPECT_EQ(ClassifyJson(text), JsonShape::kComplete) << text;
  }
}

TEST(JsonShape, EveryProperPrefixOfAValueIsAPrefix) {
  const std::string value = R"({"a":-12.5e+3,"b":[true,null,{"c":"x\\y\u00e9"}],"d":false})";
  ASSERT_EQ(ClassifyJson(value), JsonShape::kComplete);
  for (size_t n = 0; n < value.size(); n++) {
    EXPECT_EQ(ClassifyJson(value.substr(0, n)), JsonShape::kPrefix) << value.substr(0, n);
  }
}

TEST(JsonShape, SyntaxErrors) {
  for (const char* text :
       {R"({"a":1"b":2})", R"({"a":1 "b":2})", R"({a:1})", R"({'a':1})", R"({"a":01})", R"({"a":1.})",
        R"({"a":tru})", R"({"a":NaN})", R"({"a":1,})", R"([1 2])", R"({"a":1}})", R"({"a":1} x)",
        R"({"a":"\x"})", R"({"a":"\u12g4"})", "2025-01-01 12:00:00 INFO x", R"({"a"})", R"({"a":1])"}) {
    EXPECT_EQ(ClassifyJson(text), JsonShape::kInvalid) << text;
  }
}

}  // namespace
}  // namespace custlake::ingest
