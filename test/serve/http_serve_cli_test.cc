// `custlake serve` as a user runs it: the HTTP server and the PostgreSQL wire
// endpoint in one process, both stopped by SIGTERM; beyond loopback without
// users it refuses to start.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_test_server.h"
#include "support/process.h"

namespace custlake::testing {
namespace {

bool AcceptsTcp(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

TEST(ServeCli, ServesHttpAndPostgresInOneProcessAndStopsOnSigterm) {
  ScratchDir dir("custlake_http_cli");
  ASSERT_TRUE(Custlake(dir.path(), {"init", (dir.path() / "p").string()}));
  auto http_port = FreeLoopbackPort();
  auto pg_port = FreeLoopbackPort();
  ASSERT_TRUE(http_port.ok() && pg_port.ok());
  ProcessOptions options;
  options.log_file = (dir.path() / "serve.log").string();
  auto pid = SpawnProcess({CUSTLAKE_BIN, "-C", (dir.path() / "p").string(), "serve", "--http",
                           "127.0.0.1:" + std::to_string(*http_port), "--pg", "127.0.0.1:" + std::to_string(*pg_port)},
                          options);
  ASSERT_TRUE(pid.ok());
  httplib::Client client("127.0.0.1", *http_port);
  nlohmann::json health;
  // Bounded by the server's own start, not by a guess: poll until it answers or has exited.
  for (int attempt = 0; attempt < 600 && ChildAlive(*pid); ++attempt) {
    if (auto res = client.Get("/healthz"); res && res->status == 200) {
      health = Json(res);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(health["status"], "ok") << TailOfFile(options.log_file);
  EXPECT_TRUE(health["warehouse_version"].is_null()) << "a new lake has no warehouse yet";
  EXPECT_EQ(Json(client.Get("/api/dashboard"))["missing"][0]["run"], "custlake build");
  EXPECT_TRUE(AcceptsTcp(*pg_port)) << "the PostgreSQL endpoint listens too";

  ASSERT_EQ(::kill(*pid, SIGTERM), 0);
  bool exited = false;
  for (int attempt = 0; attempt < 600 && !exited; ++attempt) {
    exited = !ChildAlive(*pid);
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(exited) << "SIGTERM stops both servers";
  const std::string log = TailOfFile(options.log_file, 20000);
  EXPECT_NE(log.find("web UI and its JSON API on http://127.0.0.1:" + std::to_string(*http_port)), std::string::npos)
      << log;
  EXPECT_NE(log.find("PostgreSQL wire protocol on 127.0.0.1:" + std::to_string(*pg_port)), std::string::npos) << log;
  if (!exited) StopProcess(*pid, SIGKILL, 5);
}

TEST(ServeCli, RefusesTheWebBeyondLoopbackWithoutUsers) {
  ScratchDir dir("custlake_http_cli_refuse");
  ASSERT_TRUE(Custlake(dir.path(), {"init", (dir.path() / "p").string()}));
  CliOutcome refused = RunCli(dir.path(), CUSTLAKE_BIN,
                              {"-C", (dir.path() / "p").string(), "serve", "--no-pg", "--http", "0.0.0.0:0"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("custlake user add"), std::string::npos) << refused.err;
  CliOutcome nothing = RunCli(dir.path(), CUSTLAKE_BIN, {"-C", (dir.path() / "p").string(), "serve", "--no-pg", "--no-http"});
  EXPECT_EQ(nothing.exit_code, 2) << nothing.err;
}

}  // namespace
}  // namespace custlake::testing
