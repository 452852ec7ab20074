#include <gtest/gtest.h>

#include <filesystem>

#include "db/connection.h"
#include "generate/generator.h"
#include "support/real_servers.h"
#include "support/status_testing.h"

namespace custlake {
namespace {
namespace fs = std::filesystem;

int64_t CountRows(db::Connection* c, const std::string& table) {
  auto stream = c->Query("SELECT COUNT(*) FROM " + c->QuoteIdentifier(table));
  EXPECT_TRUE(stream.ok()) << stream.status().ToString();
  if (!stream.ok()) return -1;
  std::vector<db::Value> row;
  auto more = (*stream)->Next(&row);
  EXPECT_TRUE(more.ok() && *more);
  return std::holds_alternative<int64_t>(row[0]) ? std::get<int64_t>(row[0])
                                                  : std::stoll(std::get<std::string>(row[0]));
}

void GenerateInto(testing::RealServer& server) {
  auto url = db::DatabaseUrl::Parse(server.url());
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  ASSERT_OK_AND_ASSIGN(auto connection, db::Connection::Open(*url));
  generate::GeneratorOptions options;
  options.customers = 300;
  options.months = 3;
  options.seed = 11;
  fs::path dir = fs::temp_directory_path() / ("custlake_gen_servers_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ASSERT_OK_AND_ASSIGN(auto summary, generate::Generate(options, connection.get(), (dir / "landing").string(),
                                                        (dir / "truth").string()));
  EXPECT_EQ(CountRows(connection.get(), "customers"), 300);
  EXPECT_EQ(CountRows(connection.get(), "transactions"), summary.transactions);
  EXPECT_EQ(CountRows(connection.get(), "offers"), summary.offers);
  EXPECT_EQ(CountRows(connection.get(), "offer_assignments"), summary.offer_assignments);
  EXPECT_GT(summary.transactions, 300);
  // Running it again replaces the tables instead of failing or doubling them.
  ASSERT_OK_AND_ASSIGN(auto again, generate::Generate(options, connection.get(), (dir / "landing").string(),
                                                      (dir / "truth").string()));
  EXPECT_EQ(CountRows(connection.get(), "transactions"), again.transactions);
  EXPECT_EQ(again.transactions, summary.transactions);
  fs::remove_all(dir);
}

TEST(GenerateServersTest, WritesTheCompanyIntoMariaDB) {
  auto& server = testing::MariaDBServer::Get();
  CUSTLAKE_REQUIRE_SERVER(server);
  GenerateInto(server);
}

TEST(GenerateServersTest, WritesTheCompanyIntoPostgres) {
  auto& server = testing::PostgresServer::Get();
  CUSTLAKE_REQUIRE_SERVER(server);
  GenerateInto(server);
}

}  // namespace
}  // namespace custlake
