#include "serve/pg_auth_method.h"

namespace custlake::serve {

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1";
}

AuthMethod ChooseAuthMethod(const ServeOptions& options, const auth::UserStore& users) {
  if (!users.empty()) return AuthMethod::kScram;
  if (!options.password.empty()) return AuthMethod::kCleartext;
  return IsLoopbackHost(options.host) ? AuthMethod::kTrust : AuthMethod::kRefuse;
}

const char* AuthMethodName(AuthMethod method) {
  switch (method) {
    case AuthMethod::kTrust:
      return "trust";
    case AuthMethod::kCleartext:
      return "password";
    case AuthMethod::kScram:
      return "scram-sha-256";
    case AuthMethod::kRefuse:
      return "refuse";
  }
  return "?";
}

}  // namespace custlake::serve
