// PgConnection: socket I/O, the startup packet and authentication.
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "serve/pg_connection.h"
#include "serve/pg_message.h"

namespace custlake::serve {

namespace {

int32_t BigEndian32(const std::string& four) {
  int32_t v = 0;
  MessageReader(four).ReadInt32(&v);
  return v;
}

}  // namespace

bool PgConnection::ReadExact(size_t n, std::string* out) {
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    const ssize_t r = tls_ ? tls_->Read(out->data() + got, n - got) : ::recv(fd_, out->data() + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

bool PgConnection::Flush() {
  size_t sent = 0;
  while (sent < out_.size()) {
    const ssize_t w = tls_ ? tls_->Write(out_.data() + sent, out_.size() - sent)
                           : ::send(fd_, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    sent += static_cast<size_t>(w);
  }
  out_.clear();
  return true;
}

bool PgConnection::Fatal(const std::string& sqlstate, const std::string& message) {
  Send(ErrorMessage(sqlstate, message, 'E', "FATAL"));
  Flush();
  return false;
}

bool PgConnection::InputWaiting() const {
  if (tls_) return false;
  char byte = 0;
  return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

bool PgConnection::ReadMessage(char* type, std::string* body) {
  // The replies wait while the client's next messages are already here (Bind, Describe,
  // Execute, Sync sent together), so they go out in one write, not one each.
  if ((out_.size() > (1 << 16) || !InputWaiting()) && !Flush()) return false;
  std::string header;
  if (!ReadExact(5, &header)) return false;
  *type = header[0];
  const int32_t length = BigEndian32(header.substr(1));
  if (length < 4 || static_cast<size_t>(length) > options_.max_message_bytes) {
    return Fatal("08P01", "invalid message length " + std::to_string(length) + " (at most " +
                              std::to_string(options_.max_message_bytes) + " bytes)");
  }
  return ReadExact(static_cast<size_t>(length) - 4, body);
}

bool PgConnection::ReadStartupPacket(std::string* body) {
  std::string length_bytes;
  if (!ReadExact(4, &length_bytes)) return false;
  const int32_t length = BigEndian32(length_bytes);
  if (length < 8 || length > 10000) return Fatal("08P01", "invalid startup packet length");
  return ReadExact(static_cast<size_t>(length) - 4, body);
}

bool PgConnection::Startup() {
  for (;;) {
    std::string body;
    if (!ReadStartupPacket(&body)) return false;
    MessageReader reader(body);
    int32_t code = 0;
    reader.ReadInt32(&code);
    if (code == kSslRequestCode && !tls_) {
      if (!AnswerSslRequest()) return false;
      continue;
    }
    if (code == kSslRequestCode || code == kGssEncRequestCode) {
      Send("N");  // no GSS encryption (nor a second TLS): the client goes on as it is
      if (!Flush()) return false;
      continue;
    }
    if (code == kCancelRequestCode) {
      int32_t pid = 0, secret = 0;
      if (cancels_ != nullptr && reader.ReadInt32(&pid) && reader.ReadInt32(&secret))
        cancels_->Cancel(pid, secret);
      return false;  // a cancel connection gets no answer, as in PostgreSQL
    }
    if (code != kProtocolV3) return Fatal("0A000", "unsupported frontend protocol " + std::to_string(code));
    std::string name, value;
    while (reader.ReadCString(&name) && !name.empty()) {
      if (!reader.ReadCString(&value)) return Fatal("08P01", "invalid startup packet");
      if (name == "user" || name == "database" || name == "application_name") parameters_[name] = value;
    }
    if (parameters_["user"].empty())
      return Fatal("28000", "no PostgreSQL user name specified in startup packet");
    return Authenticate();
  }
}

bool PgConnection::AnswerSslRequest() {
  if (!options_.tls) {
    Send("N");  // no certificate configured: the client goes on in plaintext (sslmode=prefer)
    return Flush();
  }
  Send("S");
  if (!Flush()) return false;
  auto session = TlsSession::Accept(*options_.tls, fd_);
  if (!session.ok()) return false;  // the client gave up or speaks no TLS: nothing more can be said
  tls_ = std::move(*session);
  return true;
}

void PgConnection::Refuse(const std::string& sqlstate, const std::string& message) {
  timeval timeout{5, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string body;
  while (ReadStartupPacket(&body)) {
    int32_t code = 0;
    MessageReader(body).ReadInt32(&code);
    if (code != kSslRequestCode && code != kGssEncRequestCode) break;
    Send("N");
    if (!Flush()) return;
  }
  Fatal(sqlstate, message);
}

void PgConnection::SendStartupParameters() {
  const std::map<std::string, std::string> reported{{"server_version", "16.0 (custlake)"},
                                                    {"server_encoding", "UTF8"},
                                                    {"client_encoding", "UTF8"},
                                                    {"DateStyle", "ISO, MDY"},
                                                    {"integer_datetimes", "on"},
                                                    {"standard_conforming_strings", "on"},
                                                    {"TimeZone", "UTC"},
                                                    {"IntervalStyle", "postgres"},
                                                    {"is_superuser", "off"},
                                                    {"session_authorization", parameters_["user"]},
                                                    {"application_name", parameters_["application_name"]}};
  for (const auto& [name, value] : reported) {
    parameters_[name] = value;
    Send(ParameterStatusMessage(name, value));
  }
  parameters_["transaction_isolation"] = "read committed";  // for SHOW, not reported
  std::random_device random;
  secret_ = static_cast<int32_t>(random());
  if (cancels_ != nullptr) cancels_->Add(backend_pid_, secret_, session_.get());
  Send(MessageWriter('K').Int32(backend_pid_).Int32(secret_).Finish());
  Send(ReadyForQueryMessage('I'));
}

}  // namespace custlake::serve
