// TLS for the PostgreSQL endpoint (OpenSSL): the server's certificate and key,
// loaded once when the server starts (TlsContext), and one connection's TLS
// over its socket after the client's SSLRequest was answered 'S'
// (TlsSession). TLS 1.2 at least. A TlsContext is shared read-only by every
// connection; a TlsSession belongs to the one thread serving its connection.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "common/status.h"

struct ssl_ctx_st;
struct ssl_st;

namespace custlake::serve {

class TlsContext {
 public:
  /// PEM files: the certificate (chain) and its private key; an error names
  /// the file and OpenSSL's reason.
  static Result<std::shared_ptr<TlsContext>> Load(const std::string& cert_file, const std::string& key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ssl_ctx_st* get() const { return ctx_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

class TlsSession {
 public:
  /// The server side of the handshake on `fd` (blocking, bounded by the
  /// socket's timeouts); an error when the client fails it.
  static Result<std::unique_ptr<TlsSession>> Accept(const TlsContext& context, int fd);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  /// Like recv/send: bytes moved, 0 at the end of the stream, -1 on an error.
  ssize_t Read(char* buffer, size_t size);
  ssize_t Write(const char* buffer, size_t size);

 private:
  explicit TlsSession(ssl_st* ssl) : ssl_(ssl) {}
  ssl_st* ssl_;
};

}  // namespace custlake::serve
