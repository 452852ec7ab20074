// Test helpers for the PostgreSQL-wire tests: a custlake server over a small
// demo project, libpq connections to it, and raw sockets for hostile bytes.
#pragma once

#include <libpq-fe.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace custlake::testing {

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

/// `custlake serve --pg 127.0.0.1:PORT` on `project` (on a free port), started
/// with `env` (NAME=value) added; stopped (SIGTERM) when destroyed.
class ServeProcess {
 public:
  /// `args` follow the defaults (--max-rows 1000) and may override them.
  ServeProcess(const std::filesystem::path& project, const std::filesystem::path& log,
               const std::vector<std::string>& env = {}, const std::vector<std::string>& args = {});
  ~ServeProcess();
  int port() const { return port_; }
  /// libpq connection string for this server ("" password: none given).
  std::string ConnInfo(const std::string& password = "") const;
  /// Waits until a connection succeeds (or the server died); true when up.
  bool WaitUntilReady(const std::string& password = "") const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path log_;
};

/// A plain TCP connection to 127.0.0.1:port (-1 on failure), reads time out after 30 s.
int ConnectLoopback(int port);
/// Writes all of `bytes`; then reads until the server closes or resets the
/// connection (`*closed` true) or a read times out (false).
std::string SendAndReadUntilClosed(int fd, const std::string& bytes, bool* closed);

/// A frontend message: type byte (none for the startup packet: '\0'), length, body.
std::string FrontendMessage(char type, const std::string& body);
/// Big-endian integers and a NUL-terminated string, for message bodies.
std::string Be16(int16_t v);
std::string Be32(int32_t v);
std::string Cstr(const std::string& s);
/// Reads one backend message (false on EOF or timeout).
bool ReadBackendMessage(int fd, char* type, std::string* body);
/// A field of an ErrorResponse/NoticeResponse body ('C': the SQLSTATE); "" when absent.
std::string ErrorField(const std::string& body, char code);
/// Reads backend messages until ReadyForQuery; their type bytes in order ("" on EOF or timeout first).
std::string ReadMessageTypesUntilReady(int fd);

}  // namespace custlake::testing
