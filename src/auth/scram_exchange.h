// The server side of one SCRAM-SHA-256 exchange (RFC 5802 section 5, as
// PostgreSQL runs it inside SASL): client-first-message -> server-first-message,
// client-final-message -> server-final-message. Channel binding is not
// offered: a client may send the gs2 header "n,," or "y,,"; "p=" is refused.
// The user name inside the client's message is ignored, as PostgreSQL does:
// the user is the one the caller looked up (from the startup packet).
//
// An unknown user runs the same exchange against a mock verifier (a salt
// derived from the name and a per-process secret, so it does not change
// between attempts) and fails only at the proof, so a client cannot tell
// unknown users from wrong passwords. One object per exchange; not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/scram.h"
#include "common/status.h"

namespace custlake::auth {

class ScramServerExchange {
 public:
  /// `verifier` null: the user does not exist. `server_nonce` "" draws a
  /// random one (tests give RFC 7677's).
  ScramServerExchange(std::string_view user, const ScramVerifier* verifier, std::string server_nonce = "");

  /// Parses the client-first-message and returns the server-first-message.
  /// A malformed message is InvalidArgument.
  Result<std::string> ClientFirst(std::string_view message);

  struct Final {
    bool authenticated = false;
    std::string server_final;  ///< "v=<ServerSignature>", sent only when authenticated
  };
  /// Checks the client-final-message's proof. A malformed message (or one
  /// out of order) is InvalidArgument; a wrong proof is authenticated=false.
  Result<Final> ClientFinal(std::string_view message);

 private:
  ScramVerifier verifier_;
  bool user_exists_ = false;
  std::string server_nonce_;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;  ///< client nonce + server nonce
  bool first_done_ = false;
  bool final_done_ = false;
};

}  // namespace custlake::auth
