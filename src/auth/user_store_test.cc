#include "auth/user_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "lake/lake_testing.h"

namespace custlake::auth {
namespace {

using lake::testing::ReadFile;
using lake::testing::TempDir;
using lake::testing::WriteFile;

// Few iterations keep the tests fast; the work factor is not what they test.
constexpr int kFast = 64;

TEST(UserStore, NoFileMeansNoUsers) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(UserStore store, UserStore::Load(dir.path()));
  EXPECT_TRUE(store.empty());
  EXPECT_EQ(store.Find("analyst"), nullptr);
  EXPECT_FALSE(store.CheckPassword("analyst", ""));
}

TEST(UserStore, AddCheckReplaceRemove) {
  TempDir dir;
  ASSERT_OK(UserStore::AddUser(dir.path(), "analyst", "s3cret!", kFast));
  ASSERT_OK(UserStore::AddUser(dir.path(), "bi.tool@corp", "other", kFast));
  ASSERT_OK_AND_ASSIGN(UserStore store, UserStore::Load(dir.path()));
  EXPECT_EQ(store.names(), (std::vector<std::string>{"analyst", "bi.tool@corp"}));
  EXPECT_TRUE(store.CheckPassword("analyst", "s3cret!"));
  EXPECT_FALSE(store.CheckPassword("analyst", "s3cret"));
  EXPECT_FALSE(store.CheckPassword("analyst", "other"));
  EXPECT_FALSE(store.CheckPassword("nobody", "s3cret!"));
  ASSERT_NE(store.Find("analyst"), nullptr);
  EXPECT_EQ(store.Find("analyst")->iterations, kFast);

  ASSERT_OK(UserStore::AddUser(dir.path(), "analyst", "changed", kFast));
  ASSERT_OK_AND_ASSIGN(UserStore changed, UserStore::Load(dir.path()));
  EXPECT_TRUE(changed.CheckPassword("analyst", "changed"));
  EXPECT_FALSE(changed.CheckPassword("analyst", "s3cret!"));

  ASSERT_OK(UserStore::RemoveUser(dir.path(), "analyst"));
  EXPECT_EQ(UserStore::RemoveUser(dir.path(), "analyst").code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(UserStore after, UserStore::Load(dir.path()));
  EXPECT_EQ(after.names(), (std::vector<std::string>{"bi.tool@corp"}));
  // The snapshot loaded before the removal is unchanged.
  EXPECT_TRUE(store.CheckPassword("analyst", "s3cret!"));
}

TEST(UserStore, FileIsPrivateAndHoldsNoPassword) {
  TempDir dir;
  ASSERT_OK(UserStore::AddUser(dir.path(), "analyst", "hunter2-password", kFast));
  const std::string path = UsersFilePath(dir.path());
  EXPECT_EQ(path, dir.path() + "/_users.json");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string text = ReadFile(path);
  EXPECT_NE(text.find("SCRAM-SHA-256$64:"), std::string::npos) << text;
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  // No temporary file is left beside it.
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"_users.json", "_users.lock"}));
}

TEST(UserStore, RefusesAFileOthersCanRead) {
  TempDir dir;
  ASSERT_OK(UserStore::AddUser(dir.path(), "analyst", "pw", kFast));
  ASSERT_EQ(::chmod(UsersFilePath(dir.path()).c_str(), 0644), 0);
  auto store = UserStore::Load(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("chmod 600"), std::string::npos) << store.status().ToString();
}

TEST(UserStore, CorruptFilesAreErrorsNamingTheFile) {
  TempDir dir;
  const std::string path = UsersFilePath(dir.path());
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"), std::string(R"({"version": 2, "users": []})"),
        std::string(R"({"version": 1, "users": [{"name": "a"}]})"),
        std::string(R"({"version": 1, "users": [{"name": "a", "scram": "md5abcdef"}]})")}) {
    WriteFile(path, bad);
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    auto store = UserStore::Load(dir.path());
    ASSERT_FALSE(store.ok()) << bad;
    EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().ToString();
  }
}

TEST(UserStore, RejectsBadNamesAndEmptyPasswords) {
  TempDir dir;
  for (std::string_view bad : std::vector<std::string_view>{"", "a b", "robert'); drop", "é", std::string_view("x\0y", 3)}) {
    EXPECT_EQ(UserStore::AddUser(dir.path(), bad, "pw", kFast).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(UserStore::AddUser(dir.path(), std::string(64, 'a'), "pw", kFast).code(), StatusCode::kInvalidArgument);
  EXPECT_OK(UserStore::AddUser(dir.path(), std::string(63, 'a'), "pw", kFast));
  EXPECT_EQ(UserStore::AddUser(dir.path(), "analyst", "", kFast).code(), StatusCode::kInvalidArgument);
}

TEST(UserStore, ConcurrentWritersLoseNoUser) {
  TempDir dir;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { EXPECT_OK(UserStore::AddUser(dir.path(), "user" + std::to_string(i), "pw", kFast)); });
  }
  for (auto& t : threads) t.join();
  ASSERT_OK_AND_ASSIGN(UserStore store, UserStore::Load(dir.path()));
  EXPECT_EQ(store.names().size(), 8u);
}

}  // namespace
}  // namespace custlake::auth
