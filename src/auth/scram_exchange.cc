#include "auth/scram_exchange.h"

#include <fmt/format.h>


namespace custlake::auth {

namespace {

Status Malformed(std::string_view what) {
  return Status::InvalidArgument(fmt::format("malformed SCRAM message: {}", what));
}

/// A process-wide secret that mock salts are derived from.
const std::string& MockSecret() {
  static const std::string secret = RandomBytes(32).ValueOr(std::string(32, 'x'));
  return secret;
}

ScramVerifier MockVerifier(std::string_view user) {
  ScramVerifier v;
  v.salt = HmacSha256(MockSecret(), fmt::format("salt:{}", user)).substr(0, 16);
  v.stored_key = HmacSha256(MockSecret(), fmt::format("stored:{}", user));
  v.server_key = HmacSha256(MockSecret(), fmt::format("server:{}", user));
  return v;
}

/// "k=value" at the front of `*rest` (up to the next ','), removed from it.
std::optional<std::string_view> TakeAttribute(std::string_view* rest, char key) {
  if (rest->size() < 2 || (*rest)[0] != key || (*rest)[1] != '=') return std::nullopt;
  const size_t comma = rest->find(',');
  std::string_view value = rest->substr(2, comma == std::string_view::npos ? std::string_view::npos : comma - 2);
  rest->remove_prefix(comma == std::string_view::npos ? rest->size() : comma + 1);
  return value;
}

bool PrintableNonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

}  // namespace

ScramServerExchange::ScramServerExchange(std::string_view user, const ScramVerifier* verifier,
                                         std::string server_nonce)
    : verifier_(verifier != nullptr ? *verifier : MockVerifier(user)),
      user_exists_(verifier != nullptr),
      server_nonce_(std::move(server_nonce)) {}

Result<std::string> ScramServerExchange::ClientFirst(std::string_view message) {
  if (first_done_) return Malformed("a second client-first-message");
  first_done_ = true;
  // gs2-header: cbind-flag "," [authzid] ","
  if (message.starts_with("p=")) {
    return Status::InvalidArgument("the client requires channel binding, which this server does not offer");
  }
  if (!message.starts_with("n,") && !message.starts_with("y,")) return Malformed("no gs2 header");
  const size_t header_end = message.find(',', 2);
  if (header_end == std::string_view::npos) return Malformed("no gs2 header");
  if (header_end != 2) return Status::InvalidArgument("SCRAM authorization identities are not supported");
  gs2_header_ = std::string(message.substr(0, header_end + 1));
  client_first_bare_ = std::string(message.substr(header_end + 1));

  std::string_view rest = client_first_bare_;
  if (rest.starts_with("m=")) return Malformed("mandatory extensions are not supported");
  if (!TakeAttribute(&rest, 'n')) return Malformed("no user name attribute");
  auto client_nonce = TakeAttribute(&rest, 'r');
  if (!client_nonce || !PrintableNonce(*client_nonce)) return Malformed("no valid client nonce");

  if (server_nonce_.empty()) {
    ASSIGN_OR_RETURN(std::string random, RandomBytes(18));
    server_nonce_ = Base64Encode(random);
  }
  nonce_ = std::string(*client_nonce) + server_nonce_;
  server_first_ = fmt::format("r={},s={},i={}", nonce_, Base64Encode(verifier_.salt), verifier_.iterations);
  return server_first_;
}

Result<ScramServerExchange::Final> ScramServerExchange::ClientFinal(std::string_view message) {
  if (!first_done_ || final_done_ || server_first_.empty()) return Malformed("client-final-message out of order");
  final_done_ = true;
  const size_t proof_at = message.rfind(",p=");
  if (proof_at == std::string_view::npos) return Malformed("no proof");
  const std::string_view without_proof = message.substr(0, proof_at);

  std::string_view rest = without_proof;
  auto binding = TakeAttribute(&rest, 'c');
  if (!binding) return Malformed("no channel binding attribute");
  auto binding_bytes = Base64Decode(*binding);
  if (!binding_bytes.ok() || *binding_bytes != gs2_header_) return Malformed("channel binding does not match");
  auto nonce = TakeAttribute(&rest, 'r');
  if (!nonce || *nonce != nonce_) return Malformed("the nonce does not match");
  auto proof = Base64Decode(message.substr(proof_at + 3));
  if (!proof.ok() || proof->size() != verifier_.stored_key.size()) return Malformed("the proof is not 32 bytes");

  const std::string auth_message = fmt::format("{},{},{}", client_first_bare_, server_first_, without_proof);
  const std::string client_signature = HmacSha256(verifier_.stored_key, auth_message);
  const std::string client_key = XorBytes(*proof, client_signature);
  Final out;
  out.authenticated = ConstantTimeEquals(Sha256(client_key), verifier_.stored_key) && user_exists_;
  if (out.authenticated) {
    out.server_final = "v=" + Base64Encode(HmacSha256(verifier_.server_key, auth_message));
  }
  return out;
}

}  // namespace custlake::auth
