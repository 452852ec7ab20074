// The lake's users: one set for the web UI and the PostgreSQL endpoint.
// Each user is a name and a SCRAM-SHA-256 verifier (auth/scram.h); no
// password is ever stored. The file is <lake root>/_users.json (the lake's
// own metadata, next to the metastore), mode 0600, replaced atomically
// (written beside it, fsynced, renamed, the folder fsynced) under an flock
// on _users.lock so two `custlake user add` never lose each other's user:
//
//   {"version": 1, "users": [{"name": "analyst",
//     "scram": "SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>"}]}
//
// A loaded UserStore is an immutable snapshot: cheap to query from any
// thread; AddUser/RemoveUser change the file, not loaded snapshots.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/scram.h"
#include "common/status.h"

namespace custlake::auth {

class UserStore {
 public:
  /// The users of the lake at `lake_root`; none (empty()) when the file
  /// does not exist. A file that is not ours, or readable by others, is an error.
  static Result<UserStore> Load(const std::string& lake_root);

  /// Adds `name` with a fresh verifier of `password`, or replaces its
  /// verifier when it exists (a password change).
  static Status AddUser(const std::string& lake_root, std::string_view name, std::string_view password,
                        int iterations = kDefaultScramIterations);
  /// NotFound when there is no such user.
  static Status RemoveUser(const std::string& lake_root, std::string_view name);

  /// [A-Za-z0-9_.@-], 1..63 characters (PostgreSQL's NAMEDATALEN - 1).
  static Status ValidateUserName(std::string_view name);

  bool empty() const { return users_.empty(); }
  /// The user names, sorted.
  std::vector<std::string> names() const;
  /// The verifier of `name`, or null.
  const ScramVerifier* Find(std::string_view name) const;
  /// True when `name` exists and `password` is its password (constant-time
  /// compare). An unknown name costs the same PBKDF2 work as a known one.
  bool CheckPassword(std::string_view name, std::string_view password) const;

 private:
  std::map<std::string, ScramVerifier, std::less<>> users_;
};

/// "<lake_root>/_users.json".
std::string UsersFilePath(const std::string& lake_root);

}  // namespace custlake::auth
