#include "serve/pg_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "auth/user_store.h"
#include "serve/listen_address.h"
#include "serve/pg_auth_method.h"
#include "serve/pg_connection.h"
#include "serve/pg_tls.h"

namespace custlake::serve {

namespace {

Result<int> Listen(const ServeOptions& options) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options.port));
  const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return Status::InvalidArgument("--pg: '" + options.host + "' is not an IPv4 address");
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError("socket: " + std::string(strerror(errno)));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    const std::string error = strerror(errno);
    ::close(fd);
    return Status::IOError("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                           error);
  }
  return fd;
}

constexpr int kMaxRefusing = 16;

/// The open connections' sockets (to shut them at stop) and their count.
struct Connections {
  std::mutex mu;
  std::condition_variable cv;
  std::map<int32_t, int> fds;  ///< backend pid → socket
  int refusing = 0;            ///< threads telling a client it is over the limit
};

}  // namespace

Status ParseListenAddress(const std::string& text, ServeOptions* options) {
  return ParseHostPort("--pg", text, &options->host, &options->port);
}

Status Validate(const ServeOptions& options) {
  ASSIGN_OR_RETURN(auth::UserStore users, auth::UserStore::Load(options.lake_root));
  if (ChooseAuthMethod(options, users) == AuthMethod::kRefuse) {
    return Status::InvalidArgument("refusing to serve " + options.host +
                                   " without a password: the lake has no users and trust authentication is "
                                   "for loopback only; add a user with `custlake user add NAME "
                                   "--password-stdin` (or bind 127.0.0.1)");
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together: give both, or neither");
  }
  if (options.max_connections < 1 || options.max_message_bytes < 1024) {
    return Status::InvalidArgument(
        "--max-connections must be at least 1 and --max-message-bytes at least 1024");
  }
  return Status::OK();
}

Status PgServer::Run(const std::atomic<bool>* stop, const std::function<void()>& on_listening) {
  RETURN_NOT_OK(Validate(options_));
  if (!options_.tls_cert.empty()) {
    ASSIGN_OR_RETURN(options_.tls, TlsContext::Load(options_.tls_cert, options_.tls_key));
    std::signal(SIGPIPE, SIG_IGN);  // OpenSSL writes with write(2): a closed peer must not kill the server
  }
  ASSIGN_OR_RETURN(int listen_fd, Listen(options_));
  on_listening();
  Connections open;
  CancelRegistry cancels;
  query::LiveLake lake(options_.lake_root, options_.sandbox);  // one database per lake generation, shared
  std::atomic<int32_t> next_pid{1};
  while (!stop->load()) {
    pollfd p{listen_fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // As PostgreSQL does: a reply goes out when flushed, not held back by Nagle's algorithm
    // until the client acknowledges the previous one (a delayed ACK: ~40 ms a statement).
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::unique_lock<std::mutex> lock(open.mu);
    if (open.fds.size() >= static_cast<size_t>(options_.max_connections)) {
      // Told why after its startup packet (and SSL request), on a thread of its own;
      // a flood of them beyond kMaxRefusing is just closed.
      if (open.refusing >= kMaxRefusing) {
        ::close(fd);
        continue;
      }
      ++open.refusing;
      std::thread([this, fd, &open] {
        PgConnection(fd, options_, nullptr, 0, nullptr).Refuse("53300", "sorry, too many clients already");
        std::lock_guard<std::mutex> done(open.mu);
        --open.refusing;
        open.cv.notify_all();
      }).detach();
      continue;
    }
    const int32_t pid = next_pid++;
    open.fds[pid] = fd;
    std::thread([this, fd, &open, &cancels, &lake, pid] {
      try {
        PgConnection(fd, options_, &lake, pid, &cancels).Serve();  // closes fd
      } catch (const std::exception&) {
        // Out of memory or a bug: that connection ends, the server goes on.
      }
      std::lock_guard<std::mutex> done(open.mu);
      open.fds.erase(pid);
      open.cv.notify_all();
    }).detach();
  }
  ::close(listen_fd);
  std::unique_lock<std::mutex> lock(open.mu);
  for (const auto& [pid, fd] : open.fds) ::shutdown(fd, SHUT_RDWR);
  open.cv.wait(lock, [&] { return open.fds.empty() && open.refusing == 0; });
  return Status::OK();
}

}  // namespace custlake::serve
