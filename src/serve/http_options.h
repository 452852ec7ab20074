// What `custlake serve --http` is configured with (shared by the HTTP
// listener and its handlers; read-only once the server runs).
#pragma once

#include <string>

#include "query/lake_session.h"

namespace custlake::serve {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string lake_root;
  std::string models_dir;         ///< the project's models/ (overrides and additions); "" = built-in models
  query::SandboxOptions sandbox;  ///< the SQL editor's row limit and statement timeout
  int max_sessions = 8;           ///< sandboxed sessions (queries running at once)
  int threads = 16;               ///< HTTP worker threads
};

}  // namespace custlake::serve
