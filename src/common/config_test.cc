#include "common/config.h"

#include <gtest/gtest.h>

namespace custlake {
namespace {

Result<Config> ParseText(const std::string& text) { return Config::Parse(text, "/proj/custlake.toml"); }

void ExpectConfigError(const std::string& text, const std::string& where, const std::string& what) {
  auto r = ParseText(text);
  ASSERT_FALSE(r.ok()) << "expected an error for:\n" << text;
  EXPECT_EQ(r.status().code(), StatusCode::kConfigError);
  EXPECT_NE(r.status().message().find(where), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
}

TEST(ConfigTest, DefaultFileParsesAndResolvesPaths) {
  auto r = ParseText(Config::DefaultToml("acme"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->project_name, "acme");
  EXPECT_EQ(r->lake_root, "/proj/lake");
  EXPECT_EQ(r->generate.customers, 10000);
  EXPECT_EQ(r->generate.database, "sqlite:/proj/data/sic.db");
  EXPECT_EQ(r->generate.landing, "/proj/landing");
}

TEST(ConfigTest, UnknownKeyNamesKeyAndLineWithSuggestion) {
  ExpectConfigError("[lake]\nroot = \"lake\"\nrot = \"x\"\n", "custlake.toml:3", "unknown key lake.rot");
  ExpectConfigError("[lake]\nroot = \"lake\"\nrot = \"x\"\n", "custlake.toml:3", "did you mean lake.root?");
}

TEST(ConfigTest, UnknownSectionIsAnError) {
  ExpectConfigError("[lake]\nroot = \"l\"\n\n[lakee]\nx = 1\n", "custlake.toml:4", "unknown key lakee");
}

TEST(ConfigTest, WrongTypeNamesKeyAndLine) {
  ExpectConfigError("[lake]\nroot = \"l\"\n[generate]\ncustomers = \"many\"\n", "custlake.toml:4",
                    "generate.customers must be an integer, got a string");
  ExpectConfigError("[lake]\nroot = 5\n", "custlake.toml:2", "lake.root must be a string, got an integer");
}

TEST(ConfigTest, MissingRequiredKeyIsNamed) {
  ExpectConfigError("[project]\nname = \"x\"\n", "custlake.toml", "missing required key lake.root");
  // With the section present, the error points at its header line.
  ExpectConfigError("[project]\nname = \"x\"\n[lake]\n", "custlake.toml:3:", "missing required key lake.root");
}

TEST(ConfigTest, OutOfRangeValuesAreRejected) {
  ExpectConfigError("[lake]\nroot = \"l\"\n[generate]\nmonths = 0\n", "custlake.toml:4", "generate.months");
  ExpectConfigError("[lake]\nroot = \"l\"\n[generate]\nstart_date = \"2025/01/01\"\n", "custlake.toml:4",
                    "YYYY-MM-DD");
  ExpectConfigError("[lake]\nroot = \"l\"\n[generate]\nstart_date = \"2025-13-01\"\n", "custlake.toml:4",
                    "not a date");
  ExpectConfigError("[lake]\nroot = \"l\"\n[generate]\nstart_date = \"2025-02-10\"\n", "custlake.toml:4",
                    "first day of a month");
  ExpectConfigError("[lake]\nroot = \"l\"\n[generate]\nlanding = \"in\"\ntruth = \"in/t\"\n", "custlake.toml:5",
                    "outside the landing folder");
}

TEST(ConfigTest, SyntaxErrorHasLine) {
  ExpectConfigError("[lake]\nroot = \"unterminated\n", "custlake.toml:2", "");
}

TEST(ConfigTest, MissingFileSaysWhatToDo) {
  auto r = Config::Load("/nonexistent-dir-for-custlake-test");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("custlake init"), std::string::npos);
}

}  // namespace
}  // namespace custlake
