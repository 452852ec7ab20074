#include "serve/listen_address.h"

#include <exception>

namespace custlake::serve {

Status ParseHostPort(const std::string& flag, const std::string& text, std::string* host, int* port,
                     bool allow_any_port) {
  const size_t colon = text.rfind(':');
  *host = text.substr(0, colon);
  if (colon == std::string::npos) return Status::OK();
  try {
    size_t used = 0;
    *port = std::stoi(text.substr(colon + 1), &used);
    if (used == text.size() - colon - 1 && *port >= (allow_any_port ? 0 : 1) && *port < 65536) return Status::OK();
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument(flag + ": expected ADDRESS:PORT, got '" + text + "'");
}

}  // namespace custlake::serve
