#include "common/status.h"

namespace custlake {

std::string Status::ToString() const {
  static const char* const kNames[] = {"OK",      "InvalidArgument", "ConfigError", "NotFound",
                                       "AlreadyExists", "IOError", "Corruption",  "SourceError",
                                       "Cancelled", "Internal"};
  if (ok()) return "OK";
  return std::string(kNames[static_cast<int>(code_)]) + ": " + message_;
}

}  // namespace custlake
