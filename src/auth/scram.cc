#include "auth/scram.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>

namespace custlake::auth {

namespace {

constexpr std::string_view kScheme = "SCRAM-SHA-256$";
constexpr int kMaxIterations = 10'000'000;  // a bound on the work a forged file can ask for

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(Bytes(data), data.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), Bytes(data), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

std::string SaltedPassword(std::string_view password, std::string_view salt, int iterations) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), Bytes(salt),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), static_cast<int>(out.size()),
                    reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string XorBytes(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Status::Internal("OpenSSL RAND_bytes failed: no random bytes for a salt or nonce");
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(bytes),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  auto is_b64 = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  };
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  bool valid = text.size() % 4 == 0;
  for (size_t i = 0; valid && i < text.size() - padding; ++i) valid = is_b64(text[i]);
  if (!valid) return Status::InvalidArgument("not base64");
  std::string out(3 * text.size() / 4, '\0');
  // EVP_DecodeBlock counts the padding as zero bytes; they are dropped below.
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(text),
                                static_cast<int>(text.size()));
  if (n < 0) return Status::InvalidArgument("not base64");
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

ScramVerifier ScramVerifierFor(std::string_view password, std::string_view salt, int iterations) {
  const std::string salted = SaltedPassword(password, salt, iterations);
  ScramVerifier v;
  v.salt = std::string(salt);
  v.iterations = iterations;
  v.stored_key = Sha256(HmacSha256(salted, "Client Key"));
  v.server_key = HmacSha256(salted, "Server Key");
  return v;
}

Result<ScramVerifier> MakeScramVerifier(std::string_view password, int iterations) {
  ASSIGN_OR_RETURN(std::string salt, RandomBytes(16));
  return ScramVerifierFor(password, salt, iterations);
}

bool ScramPasswordMatches(const ScramVerifier& verifier, std::string_view password) {
  const std::string salted = SaltedPassword(password, verifier.salt, verifier.iterations);
  return ConstantTimeEquals(Sha256(HmacSha256(salted, "Client Key")), verifier.stored_key);
}

std::string ScramVerifier::ToString() const {
  return fmt::format("{}{}:{}${}:{}", kScheme, iterations, Base64Encode(salt), Base64Encode(stored_key),
                     Base64Encode(server_key));
}

Result<ScramVerifier> ScramVerifier::Parse(std::string_view text) {
  const Status bad = Status::Corruption(
      "not a SCRAM-SHA-256 verifier (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)");
  if (!text.starts_with(kScheme)) return bad;
  text.remove_prefix(kScheme.size());
  const size_t colon1 = text.find(':');
  const size_t dollar = text.find('$');
  const size_t colon2 = text.rfind(':');
  if (colon1 == std::string_view::npos || dollar == std::string_view::npos || dollar < colon1 ||
      colon2 <= dollar) {
    return bad;
  }
  ScramVerifier v;
  const std::string_view iter = text.substr(0, colon1);
  auto [end, ec] = std::from_chars(iter.data(), iter.data() + iter.size(), v.iterations);
  if (ec != std::errc() || end != iter.data() + iter.size() || v.iterations < 1 || v.iterations > kMaxIterations) {
    return bad;
  }
  auto salt = Base64Decode(text.substr(colon1 + 1, dollar - colon1 - 1));
  auto stored = Base64Decode(text.substr(dollar + 1, colon2 - dollar - 1));
  auto server = Base64Decode(text.substr(colon2 + 1));
  if (!salt.ok() || !stored.ok() || !server.ok() || salt->empty() || stored->size() != SHA256_DIGEST_LENGTH ||
      server->size() != SHA256_DIGEST_LENGTH) {
    return bad;
  }
  v.salt = std::move(*salt);
  v.stored_key = std::move(*stored);
  v.server_key = std::move(*server);
  return v;
}

}  // namespace custlake::auth
