// The PostgreSQL-wire listener: accepts TCP connections and serves each on
// its own thread (PgConnection), at most max_connections at a time (one
// more is told 53300 "too many connections" and closed).
//
// Trust authentication is allowed only when bound to a loopback address;
// Validate() refuses any other address while the lake has no users (and no
// CUSTLAKE_PG_PASSWORD): pg_auth_method.h. Run() returns
// when `*stop` becomes true (checked a few times a second), after closing
// the connections still open and waiting for their threads.
#pragma once

#include <atomic>
#include <functional>

#include "common/status.h"
#include "serve/serve_options.h"

namespace custlake::serve {

/// Checks an address and the authentication it would get; a clear error otherwise.
Status Validate(const ServeOptions& options);

/// "127.0.0.1:5433" → host and port; "HOST" alone keeps the default port.
Status ParseListenAddress(const std::string& text, ServeOptions* options);

class PgServer {
 public:
  explicit PgServer(ServeOptions options) : options_(std::move(options)) {}

  /// Binds and listens; `on_listening` is called once the port accepts.
  Status Run(const std::atomic<bool>* stop, const std::function<void()>& on_listening);

 private:
  void ServeClient(int fd);
  ServeOptions options_;
};

}  // namespace custlake::serve
