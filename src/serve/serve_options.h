// What `custlake serve --pg` is configured with (shared by the listener and
// every connection it serves; read-only once the server runs).
#pragma once

#include <cstddef>
#include <string>

#include "query/lake_session.h"

namespace custlake::serve {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 5433;
  std::string lake_root;          ///< each connection opens its own LakeSession here
  query::SandboxOptions sandbox;  ///< row limit and statement timeout per statement
  /// CUSTLAKE_PG_PASSWORD: a shared cleartext password, used only while the
  /// lake has no users (auth/user_store.h); "" = trust (on loopback only).
  std::string password;
  size_t max_message_bytes = 1 << 20;
  int max_connections = 64;
};

}  // namespace custlake::serve
