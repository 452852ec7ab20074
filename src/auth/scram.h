// SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash): the stored verifier and the
// computations both sides of the exchange make from a password. The server
// never keeps the password: only a random salt, the PBKDF2 iteration count,
// StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key")) and
// ServerKey = HMAC(SaltedPassword, "Server Key").
//
// Passwords are used as their UTF-8 bytes (no SASLprep normalisation: the
// same for every ASCII password; PostgreSQL also falls back to the raw bytes
// when a password is not valid UTF-8). Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace custlake::auth {

/// PostgreSQL's default (scram_iterations); RFC 7677 asks for at least 4096.
inline constexpr int kDefaultScramIterations = 4096;

/// What the server keeps for a user. Byte strings are raw (not base64).
struct ScramVerifier {
  std::string salt;
  int iterations = kDefaultScramIterations;
  std::string stored_key;  ///< 32 bytes
  std::string server_key;  ///< 32 bytes

  /// PostgreSQL's pg_authid.rolpassword form:
  /// "SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>".
  std::string ToString() const;
  static Result<ScramVerifier> Parse(std::string_view text);
};

/// A verifier for `password` with a fresh random 16-byte salt.
Result<ScramVerifier> MakeScramVerifier(std::string_view password, int iterations = kDefaultScramIterations);
/// The verifier for a given salt (tests, and the client side of tests).
ScramVerifier ScramVerifierFor(std::string_view password, std::string_view salt, int iterations);
/// True when `password` is the one `verifier` was made from; compares
/// StoredKey in constant time.
bool ScramPasswordMatches(const ScramVerifier& verifier, std::string_view password);

// The primitives, exposed for the exchange and its tests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
/// Hi(password, salt, i) of RFC 5802: PBKDF2-HMAC-SHA-256, 32 bytes.
std::string SaltedPassword(std::string_view password, std::string_view salt, int iterations);
std::string XorBytes(std::string_view a, std::string_view b);
/// Constant-time equality (lengths compared first; they are not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
/// `n` bytes from OpenSSL's CSPRNG.
Result<std::string> RandomBytes(size_t n);
std::string Base64Encode(std::string_view bytes);
/// Strict standard base64 with padding; an error for anything else.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace custlake::auth
