#include "serve/pg_auth_method.h"

#include <gtest/gtest.h>

#include "lake/lake_testing.h"

namespace custlake::serve {
namespace {

TEST(AuthMethod, UsersMeanScramWhateverTheAddressAndPassword) {
  lake::testing::TempDir dir;
  ASSERT_OK(auth::UserStore::AddUser(dir.path(), "analyst", "pw", 64));
  ASSERT_OK_AND_ASSIGN(auth::UserStore users, auth::UserStore::Load(dir.path()));
  for (const char* host : {"127.0.0.1", "0.0.0.0", "10.1.2.3"}) {
    for (const char* password : {"", "shared"}) {
      ServeOptions options;
      options.host = host;
      options.password = password;
      EXPECT_EQ(ChooseAuthMethod(options, users), AuthMethod::kScram) << host << " " << password;
    }
  }
}

TEST(AuthMethod, WithoutUsersTrustIsForLoopbackOnly) {
  const auth::UserStore none;
  ServeOptions options;
  for (const char* host : {"127.0.0.1", "127.0.0.2", "localhost", "::1"}) {
    options.host = host;
    EXPECT_EQ(ChooseAuthMethod(options, none), AuthMethod::kTrust) << host;
  }
  for (const char* host : {"0.0.0.0", "192.168.1.5", "128.0.0.1"}) {
    options.host = host;
    EXPECT_EQ(ChooseAuthMethod(options, none), AuthMethod::kRefuse) << host;
  }
  options.password = "shared";
  EXPECT_EQ(ChooseAuthMethod(options, none), AuthMethod::kCleartext);
}

}  // namespace
}  // namespace custlake::serve
