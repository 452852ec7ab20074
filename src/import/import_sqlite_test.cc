// The import suite (test/import/import_suite.h) against SQLite: fast, no server.
#include "import/import_suite.h"

namespace custlake::importer::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, ImportSuite,
                         ::testing::Values(SourceParam{"sqlite",
                                                       [](const std::string& dir, std::string*) {
                                                         return "sqlite:" + dir + "/source.db";
                                                       }}),
                         [](const auto& param_info) { return param_info.param.name; });

class SqliteImport : public ImportSuite {};

// Import opens the user's database read-only: a typo'd path is an error
// naming it (no empty database appears) and the file's journal mode stays
// as the user set it.
TEST_P(SqliteImport, SourceIsOpenedReadOnly) {
  ASSERT_OK(conn_->Execute("PRAGMA journal_mode=DELETE"));
  ASSERT_OK(conn_->CreateTable(EventTable(), true));
  InsertRows(EventTable(), {{int64_t{1}, Ts(1), std::string("a")}});
  conn_.reset();
  auto l = OpenLake();
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), Table(), Quiet()));
  EXPECT_EQ(s.rows, 1);
  const std::string path = url_.substr(std::string("sqlite:").size());
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  auto reopened = db::Connection::Open(*db::DatabaseUrl::Parse(url_), db::Access::kReadOnly);
  ASSERT_OK(reopened);
  ASSERT_OK_AND_ASSIGN(auto mode, (*reopened)->Query("PRAGMA journal_mode"));
  std::vector<db::Value> row;
  ASSERT_OK_AND_ASSIGN(bool more, mode->Next(&row));
  ASSERT_TRUE(more);
  EXPECT_EQ(std::get<std::string>(row[0]), "delete");

  const std::string typo = dir_ + "/sourse.db";
  auto failed = ImportTable(l.get(), {"src", "sqlite:" + typo}, Table(), Quiet());
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("'" + typo + "'"), std::string::npos) << failed.status().ToString();
  EXPECT_EQ(failed.status().message().find("attempts"), std::string::npos);  // not retried
  EXPECT_FALSE(std::filesystem::exists(typo));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteImport,
                         ::testing::Values(SourceParam{"sqlite",
                                                       [](const std::string& dir, std::string*) {
                                                         return "sqlite:" + dir + "/source.db";
                                                       }}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace custlake::importer::testing
