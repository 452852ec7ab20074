#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "db/connection.h"
#include "support/status_testing.h"

namespace custlake::db {
namespace {

TEST(DatabaseUrlTest, ParsesSqliteForms) {
  ASSERT_OK_AND_ASSIGN(auto rel, DatabaseUrl::Parse("sqlite:data/sic.db"));
  EXPECT_EQ(rel.kind, DatabaseUrl::Kind::kSqlite);
  EXPECT_EQ(rel.database, "data/sic.db");
  ASSERT_OK_AND_ASSIGN(auto abs, DatabaseUrl::Parse("sqlite:///tmp/sic.db"));
  EXPECT_EQ(abs.database, "/tmp/sic.db");
  ASSERT_OK_AND_ASSIGN(auto bare, DatabaseUrl::Parse("lake/sic.sqlite"));
  EXPECT_EQ(bare.kind, DatabaseUrl::Kind::kSqlite);
  EXPECT_EQ(bare.database, "lake/sic.sqlite");
  ASSERT_OK_AND_ASSIGN(auto mem, DatabaseUrl::Parse("sqlite::memory:"));
  EXPECT_EQ(mem.database, ":memory:");
}

TEST(DatabaseUrlTest, ParsesServerUrls) {
  ASSERT_OK_AND_ASSIGN(auto my, DatabaseUrl::Parse("mysql://app:s3cret@db.example:3307/sic?ssl=0"));
  EXPECT_EQ(my.kind, DatabaseUrl::Kind::kMariaDB);
  EXPECT_EQ(my.user, "app");
  EXPECT_EQ(my.password, "s3cret");
  EXPECT_EQ(my.host, "db.example");
  EXPECT_EQ(my.port, 3307);
  EXPECT_EQ(my.database, "sic");
  EXPECT_EQ(my.params.at("ssl"), "0");

  ASSERT_OK_AND_ASSIGN(auto maria, DatabaseUrl::Parse("mariadb://root@localhost/x"));
  EXPECT_EQ(maria.kind, DatabaseUrl::Kind::kMariaDB);
  EXPECT_EQ(maria.port, 0);
  EXPECT_TRUE(maria.password.empty());

  ASSERT_OK_AND_ASSIGN(auto pg, DatabaseUrl::Parse("postgresql://u%40corp:p%3Aw%2Fd@[::1]:5433/my%20db"));
  EXPECT_EQ(pg.kind, DatabaseUrl::Kind::kPostgres);
  EXPECT_EQ(pg.user, "u@corp");
  EXPECT_EQ(pg.password, "p:w/d");
  EXPECT_EQ(pg.host, "::1");
  EXPECT_EQ(pg.port, 5433);
  EXPECT_EQ(pg.database, "my db");
}

TEST(DatabaseUrlTest, RejectsMalformedUrlsWithoutEchoingSecrets) {
  for (const char* bad :
       {"", "ftp://x/y", "mysql:/x", "mysql://u:pw@h:99999/db", "mysql://u:pw@h:abc/db",
        "postgres://u:pw@h:5432", "postgres://u:pw@h/", "mysql://u:pw@[::1/db", "sqlite:"}) {
    auto r = DatabaseUrl::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().find("pw"), std::string::npos) << r.status().message();
  }
}

TEST(DatabaseUrlTest, RefusesPasswordQueryParameters) {
  for (const char* bad : {"postgres://app@h/sic?password=topsecret",
                          "mysql://app@h/sic?sslmode=x&pwd=topsecret", "sqlite:x.db?password=topsecret"}) {
    auto r = DatabaseUrl::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("CUSTLAKE_DB_PASSWORD"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("password_file"), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("topsecret"), std::string::npos) << r.status().message();
  }
}

TEST(DatabaseUrlTest, MaskedHidesPasswords) {
  ASSERT_OK_AND_ASSIGN(auto url, DatabaseUrl::Parse("postgres://app:topsecret@h:5432/sic?sslmode=disable"));
  std::string masked = url.Masked();
  EXPECT_EQ(masked, "postgres://app:***@h:5432/sic?sslmode=disable");
  EXPECT_EQ(masked.find("topsecret"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto nopw, DatabaseUrl::Parse("mysql://app@h/sic"));
  EXPECT_EQ(nopw.Masked(), "mysql://app@h/sic");
  ASSERT_OK_AND_ASSIGN(auto lite, DatabaseUrl::Parse("sqlite:x.db"));
  EXPECT_EQ(lite.Masked(), "sqlite:x.db");
}

TEST(DatabaseUrlTest, ResolvePasswordOrder) {
  ::setenv("CUSTLAKE_DB_PASSWORD", "from-env", 1);
  ASSERT_OK_AND_ASSIGN(auto in_url, DatabaseUrl::Parse("mysql://u:from-url@h/db"));
  ASSERT_OK(in_url.ResolvePassword());
  EXPECT_EQ(in_url.password, "from-url");

  ASSERT_OK_AND_ASSIGN(auto env, DatabaseUrl::Parse("mysql://u@h/db"));
  ASSERT_OK(env.ResolvePassword());
  EXPECT_EQ(env.password, "from-env");

  auto file = std::filesystem::temp_directory_path() / ("custlake_pw_" + std::to_string(::getpid()));
  std::ofstream(file) << "from-file\n";
  ASSERT_OK_AND_ASSIGN(auto from_file,
                       DatabaseUrl::Parse("postgres://u@h/db?password_file=" + file.string()));
  ASSERT_OK(from_file.ResolvePassword());
  EXPECT_EQ(from_file.password, "from-file");
  std::filesystem::remove(file);

  // A source's own variable wins over CUSTLAKE_DB_PASSWORD; unset, it is an error naming it.
  ::setenv("CUSTLAKE_TEST_SHOP_PW", "from-own-env", 1);
  ASSERT_OK_AND_ASSIGN(auto own, DatabaseUrl::Parse("mysql://u@h/db"));
  own.password_env = "CUSTLAKE_TEST_SHOP_PW";
  ASSERT_OK(own.ResolvePassword());
  EXPECT_EQ(own.password, "from-own-env");
  ::unsetenv("CUSTLAKE_TEST_SHOP_PW");
  own.password.clear();
  Status unset = own.ResolvePassword();
  EXPECT_EQ(unset.code(), StatusCode::kConfigError);
  EXPECT_NE(unset.message().find("CUSTLAKE_TEST_SHOP_PW"), std::string::npos) << unset.message();

  ASSERT_OK_AND_ASSIGN(auto missing, DatabaseUrl::Parse("postgres://u@h/db?password_file=/nonexistent/pw"));
  Status st = missing.ResolvePassword();
  EXPECT_EQ(st.code(), StatusCode::kConfigError);
  EXPECT_NE(st.message().find("/nonexistent/pw"), std::string::npos);
  ::unsetenv("CUSTLAKE_DB_PASSWORD");
}

}  // namespace
}  // namespace custlake::db
