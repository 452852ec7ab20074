// Real MariaDB and PostgreSQL servers for tests, started on loopback from
// the Debian packages (scripts/bootstrap.sh --test installs them).
//
//   TEST(MyTest, Imports) {
//     auto& server = custlake::testing::MariaDBServer::Get();
//     CUSTLAKE_REQUIRE_SERVER(server);          // skip if not installed, FAIL if it did not start
//     auto url = db::DatabaseUrl::Parse(server.url());  //
//     mysql://custlake:...@127.0.0.1:<port>/custlake_test
//   }
//
// Get() starts one shared server per test process, lazily, on first use:
// a fresh data directory under $TMPDIR/custlake-test-servers/, a free port
// on 127.0.0.1 and a private Unix socket, so it never meets a system
// service on 3306/5432. It creates the database `custlake_test` and the
// user `custlake` (password in url(); allowed to create further databases).
// The server is stopped and its directory removed at process exit. If the
// test process dies instead, the server gets SIGKILL through a parent-death
// signal, and the next harness start anywhere removes directories whose
// owning process is gone (killing a leftover server by its pid file).
//
// Binaries not installed -> skip_reason() says so (set
// CUSTLAKE_REQUIRE_SERVERS=1, as CI does, to turn that into a failure).
// Installed but failed to start -> status() holds the error with the tail of
// the server log: tests must fail, never skip, on that.
//
// PostgreSQL refuses to run as root: as root, initdb and postgres run as the
// `postgres` system user (created by the Debian package) on a data
// directory owned by it. MariaDB as root runs with --user=root.
//
// Thread safety: Get() is safe to call from any thread (a function-local
// static); the server objects are immutable after start apart from Stop().
#pragma once

#include <sys/types.h>

#include <string>

#include "common/status.h"

namespace custlake::testing {

class RealServer {
 public:
  virtual ~RealServer();
  RealServer(const RealServer&) = delete;
  RealServer& operator=(const RealServer&) = delete;

  /// Non-empty when the server binaries are not installed (tests skip).
  const std::string& skip_reason() const { return skip_reason_; }
  /// OK when the server runs; otherwise why it could not start.
  const Status& status() const { return status_; }
  /// URL of the test database as the test user, password included.
  std::string url() const;
  /// The same for another database (create it first with AdminSql).
  std::string url_for(const std::string& database) const;
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }
  const std::string& database() const { return database_; }
  /// Runs SQL as the server's superuser through its command-line client.
  virtual Status AdminSql(const std::string& sql) = 0;
  /// Stops the server and removes its directory (also done at exit).
  void Stop();

 protected:
  RealServer() = default;
  /// Makes the instance directory and records this process as its owner.
  Status PrepareDir(const std::string& kind);
  std::string scheme_;
  std::string skip_reason_;
  Status status_;
  std::string dir_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string user_ = "custlake";
  std::string password_ = "custlake-test-pw";
  std::string database_ = "custlake_test";
  pid_t pid_ = -1;
  int stop_signal_ = 15;
};

class MariaDBServer : public RealServer {
 public:
  /// The shared server of this test process, started on first call.
  static MariaDBServer& Get();
  Status AdminSql(const std::string& sql) override;

 private:
  MariaDBServer();
  Status Start();
  std::string mariadbd_, install_db_, client_, socket_;
};

class PostgresServer : public RealServer {
 public:
  /// The shared server of this test process, started on first call.
  static PostgresServer& Get();
  Status AdminSql(const std::string& sql) override;

 private:
  PostgresServer();
  Status Start();
  std::string bindir_, socket_dir_, run_as_;
};

/// Removes instance directories left by test processes that are gone.
void CleanUpStaleServers();

}  // namespace custlake::testing

/// Skips the test when `server` is not installed; fails it when it is but
/// did not start.
#define CUSTLAKE_REQUIRE_SERVER(server)                                                    \
  do {                                                                                     \
    auto& _custlake_srv = (server);                                                        \
    if (!_custlake_srv.skip_reason().empty()) GTEST_SKIP() << _custlake_srv.skip_reason(); \
    ASSERT_TRUE(_custlake_srv.status().ok()) << _custlake_srv.status().ToString();         \
  } while (0)
