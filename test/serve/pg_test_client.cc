#include "pg_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "support/process.h"

namespace custlake::testing {

ServeProcess::ServeProcess(const std::filesystem::path& project, const std::filesystem::path& log,
                           const std::vector<std::string>& env, const std::vector<std::string>& args)
    : log_(log) {
  auto port = FreeLoopbackPort();
  if (!port.ok()) return;
  port_ = *port;
  std::vector<std::string> argv{FindExecutable({"env"}).value_or("/usr/bin/env")};  // execv takes a path
  argv.insert(argv.end(), env.begin(), env.end());
  for (const std::string& arg :
       {std::string(CUSTLAKE_BIN), std::string("-C"), project.string(), std::string("serve"),
        std::string("--pg"), "127.0.0.1:" + std::to_string(port_), std::string("--max-rows"),
        std::string("1000"), std::string("--no-http")}) {
    argv.push_back(arg);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.log_file = log.string();
  auto pid = SpawnProcess(argv, options);
  if (pid.ok()) pid_ = *pid;
}

ServeProcess::~ServeProcess() { StopProcess(pid_, SIGTERM, 30); }

std::string ServeProcess::ConnInfo(const std::string& password) const {
  std::string info =
      "host=127.0.0.1 port=" + std::to_string(port_) + " user=analyst dbname=warehouse sslmode=prefer";
  return password.empty() ? info : info + " password=" + password;
}

bool ServeProcess::WaitUntilReady(const std::string& password) const {
  // Bounded by the server's own start (a LakeSession per connection), not by a guess:
  // poll until a connection succeeds or the process has exited.
  for (int attempt = 0; attempt < 1200; ++attempt) {
    if (pid_ <= 0 || !ChildAlive(pid_)) return false;
    PgConn conn(PQconnectdb(ConnInfo(password).c_str()));
    if (PQstatus(conn.get()) == CONNECTION_OK) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval timeout{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string SendAndReadUntilClosed(int fd, const std::string& bytes, bool* closed) {
  *closed = false;
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size())) return "";
  std::string got;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      // Closed: EOF, or a reset (the server closed with our unread bytes in its buffer).
      *closed = n == 0 || errno == ECONNRESET;
      break;
    }
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

std::string Be16(int16_t v) {
  const auto u = static_cast<uint16_t>(v);
  return {static_cast<char>(u >> 8), static_cast<char>(u & 0xff)};
}

std::string Be32(int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  return Be16(static_cast<int16_t>(u >> 16)) + Be16(static_cast<int16_t>(u & 0xffff));
}

std::string Cstr(const std::string& s) { return s + std::string(1, '\0'); }

std::string FrontendMessage(char type, const std::string& body) {
  const std::string framed = Be32(static_cast<int32_t>(body.size() + 4)) + body;
  return type == '\0' ? framed : std::string(1, type) + framed;
}

namespace {
bool ReadAll(int fd, size_t n, std::string* out) {
  out->resize(n);
  for (size_t got = 0; got < n;) {
    const ssize_t r = ::recv(fd, out->data() + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}
}  // namespace

bool ReadBackendMessage(int fd, char* type, std::string* body) {
  std::string header;
  if (!ReadAll(fd, 5, &header)) return false;
  const auto* h = reinterpret_cast<const unsigned char*>(header.data());
  const uint32_t length = (uint32_t{h[1]} << 24) | (uint32_t{h[2]} << 16) | (uint32_t{h[3]} << 8) | h[4];
  if (length < 4 || !ReadAll(fd, length - 4, body)) return false;
  *type = header[0];
  return true;
}

std::string ReadMessageTypesUntilReady(int fd) {
  std::string types, body;
  char type = 0;
  while (ReadBackendMessage(fd, &type, &body)) {
    types.push_back(type);
    if (type == 'Z') return types;
  }
  return "";
}

std::string ErrorField(const std::string& body, char code) {
  for (size_t i = 0; i < body.size() && body[i] != '\0';) {
    const size_t end = body.find('\0', i + 1);
    if (end == std::string::npos) break;
    if (body[i] == code) return body.substr(i + 1, end - i - 1);
    i = end + 1;
  }
  return "";
}

}  // namespace custlake::testing
