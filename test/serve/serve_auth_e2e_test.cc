// custlake serve --pg with the lake's users: SCRAM-SHA-256 with psql, libpq
// and a raw protocol client (which reads the SQLSTATE of a failed login, which
// libpq does not expose), on a demo project of its own (users change how
// every connection authenticates, so the other suites' project has none).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "auth/scram.h"
#include "pg_test_client.h"
#include "support/cli_runner.h"

namespace {
namespace fs = std::filesystem;
using custlake::testing::CliOutcome;
using custlake::testing::PgConn;
using custlake::testing::PgResult;
using custlake::testing::RunCli;
using custlake::testing::ServeProcess;
namespace t = custlake::testing;
namespace auth = custlake::auth;

class ServeAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("custlake_serve_auth_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    CliOutcome demo =
        RunCli(*dir_, CUSTLAKE_BIN,
               {"demo", Project(), "--customers", "200", "--months", "2", "--no-serve"});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    CliOutcome add = AddUser("analyst", "pencil");
    ASSERT_EQ(add.exit_code, 0) << add.err;
    // The shared password is ignored once users exist.
    server_ = new ServeProcess(Project(), *dir_ / "serve.log", {"CUSTLAKE_PG_PASSWORD=shared"});
    ASSERT_TRUE(server_->WaitUntilReady("pencil")) << t::ReadWholeFile(*dir_ / "serve.log");
  }
  static void TearDownTestSuite() {
    delete server_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  static std::string Project() { return (*dir_ / "demo").string(); }
  /// `custlake user add NAME --password-stdin` with the password on stdin, as a user types it.
  static CliOutcome AddUser(const std::string& name, const std::string& password) {
    return RunCli(*dir_, "sh",
                  {"-c", "printf '%s\\n' \"$1\" | \"$2\" -C \"$3\" user add \"$4\" --password-stdin", "sh", password,
                   CUSTLAKE_BIN, Project(), name});
  }
  static CliOutcome Psql(const std::string& user, const std::string& password, const std::string& sql) {
    return RunCli(*dir_, "psql",
                  {"-h", "127.0.0.1", "-p", std::to_string(server_->port()), "-U", user, "-d", "warehouse", "-X",
                   "-A", "-t", "-c", sql},
                  {"PGPASSWORD=" + password});
  }

  static fs::path* dir_;
  static ServeProcess* server_;
};
fs::path* ServeAuthTest::dir_ = nullptr;
ServeProcess* ServeAuthTest::server_ = nullptr;

/// A SCRAM-SHA-256 login over a raw socket, as libpq does it; "ok" when the
/// server sent AuthenticationOk, else the SQLSTATE of its ErrorResponse.
std::string RawScramLogin(int port, const std::string& user, const std::string& password,
                          const std::string& mechanism = "SCRAM-SHA-256") {
  const int fd = t::ConnectLoopback(port);
  if (fd < 0) return "no connection";
  std::string body;
  char type = 0;
  auto send = [&](const std::string& bytes) { return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) > 0; };
  auto outcome = [&]() -> std::string {
    std::string result = type == 'E' ? t::ErrorField(body, 'C') : std::string("unexpected ") + type;
    ::close(fd);
    return result;
  };
  send(t::FrontendMessage('\0', t::Be32(196608) + t::Cstr("user") + t::Cstr(user) + t::Cstr("")));
  if (!t::ReadBackendMessage(fd, &type, &body) || type != 'R' || body.substr(0, 4) != t::Be32(10)) return outcome();

  const std::string bare = "n=,r=clientnonce0123456789";
  send(t::FrontendMessage('p', t::Cstr(mechanism) + t::Be32(static_cast<int32_t>(bare.size() + 3)) + "n,," + bare));
  if (!t::ReadBackendMessage(fd, &type, &body) || type != 'R' || body.substr(0, 4) != t::Be32(11)) return outcome();
  const std::string server_first = body.substr(4);
  const std::string nonce = server_first.substr(2, server_first.find(",s=") - 2);
  const size_t s_at = server_first.find(",s=") + 3, i_at = server_first.find(",i=");
  const std::string salt = auth::Base64Decode(server_first.substr(s_at, i_at - s_at)).ValueOr("");
  const int iterations = std::stoi(server_first.substr(i_at + 3));

  const std::string salted = auth::SaltedPassword(password, salt, iterations);
  const std::string client_key = auth::HmacSha256(salted, "Client Key");
  const std::string without_proof = "c=biws,r=" + nonce;
  const std::string auth_message = bare + "," + server_first + "," + without_proof;
  const std::string proof = auth::XorBytes(client_key, auth::HmacSha256(auth::Sha256(client_key), auth_message));
  send(t::FrontendMessage('p', without_proof + ",p=" + auth::Base64Encode(proof)));
  if (!t::ReadBackendMessage(fd, &type, &body)) return outcome();
  if (type != 'R' || body.substr(0, 4) != t::Be32(12)) return outcome();
  const std::string expected_signature =
      auth::HmacSha256(auth::HmacSha256(salted, "Server Key"), auth_message);
  if (body.substr(4) != "v=" + auth::Base64Encode(expected_signature)) return "wrong server signature";
  if (!t::ReadBackendMessage(fd, &type, &body) || type != 'R' || body != t::Be32(0)) return outcome();
  ::close(fd);
  return "ok";
}

TEST_F(ServeAuthTest, PsqlWithTheRightPasswordQueries) {
  CliOutcome psql = Psql("analyst", "pencil", "SELECT count(*) > 0 FROM fact_customer_metrics");
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  EXPECT_EQ(psql.out, "t\n");
}

TEST_F(ServeAuthTest, PsqlWithAWrongPasswordOrUnknownUserFails) {
  for (const auto& [user, password] : std::vector<std::pair<std::string, std::string>>{
           {"analyst", "pencil2"}, {"analyst", "shared"}, {"ghost", "pencil"}}) {
    CliOutcome psql = Psql(user, password, "SELECT 1");
    EXPECT_EQ(psql.exit_code, 2) << user;
    EXPECT_NE(psql.err.find("password authentication failed for user \"" + user + "\""), std::string::npos)
        << psql.err;
  }
}

TEST_F(ServeAuthTest, LibpqPasswordAndScramOnlyConnection) {
  PgConn conn(PQconnectdb(server_->ConnInfo("pencil").c_str()));
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  PgResult who(PQexec(conn.get(), "SHOW session_authorization"));
  ASSERT_EQ(PQresultStatus(who.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
  EXPECT_STREQ(PQgetvalue(who.get(), 0, 0), "analyst");
  PgConn wrong(PQconnectdb(server_->ConnInfo("nope").c_str()));
  EXPECT_EQ(PQstatus(wrong.get()), CONNECTION_BAD);
}

TEST_F(ServeAuthTest, RawScramLoginGivesSqlstate28P01ForAWrongPassword) {
  EXPECT_EQ(RawScramLogin(server_->port(), "analyst", "pencil"), "ok");
  EXPECT_EQ(RawScramLogin(server_->port(), "analyst", "pencil!"), "28P01");
  EXPECT_EQ(RawScramLogin(server_->port(), "nobody", "pencil"), "28P01");
  EXPECT_EQ(RawScramLogin(server_->port(), "analyst", "pencil", "SCRAM-SHA-256-PLUS"), "08P01");
  EXPECT_EQ(RawScramLogin(server_->port(), "analyst", "pencil", "PLAIN"), "08P01");
}

TEST_F(ServeAuthTest, AUserAddedWhileServingCanConnect) {
  ASSERT_EQ(Psql("bi", "tableau", "SELECT 1").exit_code, 2);
  CliOutcome add = AddUser("bi", "tableau");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  CliOutcome psql = Psql("bi", "tableau", "SELECT 1");
  EXPECT_EQ(psql.exit_code, 0) << psql.err;
  EXPECT_EQ(psql.out, "1\n");
  CliOutcome list = RunCli(*dir_, CUSTLAKE_BIN, {"-C", Project(), "user", "list"});
  EXPECT_EQ(list.out, "analyst\nbi\n") << list.err;
}

TEST_F(ServeAuthTest, AMalformedSaslMessageClosesOnlyItsConnection) {
  const int fd = t::ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  bool closed = false;
  const std::string reply = t::SendAndReadUntilClosed(
      fd,
      t::FrontendMessage('\0', t::Be32(196608) + t::Cstr("user") + t::Cstr("analyst") + t::Cstr("")) +
          t::FrontendMessage('p', t::Cstr("SCRAM-SHA-256") + t::Be32(1000) + "n,,"),
      &closed);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_NE(reply.find("08P01"), std::string::npos);
  EXPECT_EQ(Psql("analyst", "pencil", "SELECT 2").out, "2\n");
}

}  // namespace
