// ADDRESS:PORT flags (--pg, --http), parsed alike for both servers.
#pragma once

#include <string>

#include "common/status.h"

namespace custlake::serve {

/// "127.0.0.1:8080" → host and port; "HOST" alone keeps `*port`. `flag`
/// names the option in the error. Port 0 is allowed only when `allow_any_port`.
Status ParseHostPort(const std::string& flag, const std::string& text, std::string* host, int* port,
                     bool allow_any_port = false);

}  // namespace custlake::serve
