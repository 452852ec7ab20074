// The web UI's HTTP server (cpp-httplib): the JSON API under /api, GET
// /healthz, and the front end's assets embedded in the binary at /.
//
// Handlers run on a pool of worker threads; each query borrows a sandboxed
// query::LakeSession from a SessionPool for its duration. Run() returns when
// `*stop` becomes true (checked a few times a second), after the requests in
// flight are answered. While it serves, a thread computes the dashboard's
// default answers into the cache whenever a new lake generation appears.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "common/status.h"
#include "serve/http_options.h"

namespace custlake::serve {

/// "127.0.0.1:8080" → host and port; "HOST" alone keeps the default port.
Status ParseHttpAddress(const std::string& text, HttpOptions* options);

class HttpServer {
 public:
  explicit HttpServer(HttpOptions options);
  ~HttpServer();

  /// Binds the address (port 0: any free port, then port() says which).
  Status Bind();
  int port() const;
  /// Serves until `*stop`; `on_listening` is called once the port accepts.
  Status Run(const std::atomic<bool>* stop, const std::function<void()>& on_listening);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace custlake::serve
