#include "serve/pg_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <climits>

namespace custlake::serve {

namespace {

/// OpenSSL's queued errors as text (and the queue emptied).
std::string OpenSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += (text.empty() ? "" : "; ") + std::string(buffer);
  }
  return text.empty() ? "unknown error" : text;
}

}  // namespace

Result<std::shared_ptr<TlsContext>> TlsContext::Load(const std::string& cert_file, const std::string& key_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Status::Internal("OpenSSL: cannot create a TLS context: " + OpenSslErrors());
  std::shared_ptr<TlsContext> context(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::InvalidArgument("--tls-cert " + cert_file + ": " + OpenSslErrors());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::InvalidArgument("--tls-key " + key_file + ": " + OpenSslErrors());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("--tls-key " + key_file + " does not match --tls-cert " + cert_file);
  }
  return context;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Result<std::unique_ptr<TlsSession>> TlsSession::Accept(const TlsContext& context, int fd) {
  SSL* ssl = SSL_new(context.get());
  if (ssl == nullptr) return Status::Internal("OpenSSL: cannot start TLS: " + OpenSslErrors());
  std::unique_ptr<TlsSession> session(new TlsSession(ssl));
  if (SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
    return Status::IOError("TLS handshake failed: " + OpenSslErrors());
  }
  return session;
}

TlsSession::~TlsSession() {
  SSL_shutdown(ssl_);  // close_notify, best effort
  SSL_free(ssl_);
}

ssize_t TlsSession::Read(char* buffer, size_t size) {
  const int n = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(size, INT_MAX)));
  if (n > 0) return n;
  const int error = SSL_get_error(ssl_, n);
  ERR_clear_error();
  return error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

ssize_t TlsSession::Write(const char* buffer, size_t size) {
  const int n = SSL_write(ssl_, buffer, static_cast<int>(std::min<size_t>(size, INT_MAX)));
  if (n > 0) return n;
  ERR_clear_error();
  return -1;
}

}  // namespace custlake::serve
