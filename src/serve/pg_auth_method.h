// Which authentication a connection gets, from the lake's users, the shared
// password and the address the server is bound to:
//   - users exist: SCRAM-SHA-256 as one of them (the shared password is ignored);
//   - no users, CUSTLAKE_PG_PASSWORD set: that password in cleartext, any user name;
//   - no users, no password, bound to loopback: trust;
//   - otherwise: refused (a server bound beyond loopback whose users were all removed).
// The users are read for each connection, so `custlake user add` takes effect
// without a restart.
#pragma once

#include <string>

#include "auth/user_store.h"
#include "serve/serve_options.h"

namespace custlake::serve {

enum class AuthMethod { kTrust, kCleartext, kScram, kRefuse };

AuthMethod ChooseAuthMethod(const ServeOptions& options, const auth::UserStore& users);
/// "scram-sha-256", "password", "trust", "refuse": for logs.
const char* AuthMethodName(AuthMethod method);
/// 127.x.x.x, localhost, ::1.
bool IsLoopbackHost(const std::string& host);

}  // namespace custlake::serve
