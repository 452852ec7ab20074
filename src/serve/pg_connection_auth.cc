// PgConnection: authentication (pg_auth_method.h says which) and the session
// an authenticated connection gets.
#include "auth/scram.h"
#include "auth/scram_exchange.h"
#include "serve/pg_auth_method.h"
#include "serve/pg_connection.h"
#include "serve/pg_message.h"

namespace custlake::serve {

namespace {

constexpr int32_t kAuthOk = 0;
constexpr int32_t kAuthCleartextPassword = 3;
constexpr int32_t kAuthSasl = 10;
constexpr int32_t kAuthSaslContinue = 11;
constexpr int32_t kAuthSaslFinal = 12;
constexpr std::string_view kScramMechanism = "SCRAM-SHA-256";

std::string AuthRequest(int32_t code, std::string_view data = {}) {
  return MessageWriter('R').Int32(code).Bytes(data).Finish();
}

std::string PasswordFailed(const std::string& user) {
  return "password authentication failed for user \"" + user + "\"";
}

}  // namespace

bool PgConnection::ReadPasswordMessage(std::string* body) {
  char type = 0;
  if (!ReadMessage(&type, body)) return false;
  if (type != 'p') return Fatal("08P01", std::string("expected an authentication response, got message type '") +
                                            type + "'");
  return true;
}

bool PgConnection::Authenticate() {
  auto users = auth::UserStore::Load(options_.lake_root);
  if (!users.ok()) return Fatal("28000", "cannot read the users: " + users.status().message());
  switch (ChooseAuthMethod(options_, *users)) {
    case AuthMethod::kScram:
      if (!AuthenticateScram(*users)) return false;
      break;
    case AuthMethod::kCleartext:
      if (!AuthenticateCleartext()) return false;
      break;
    case AuthMethod::kTrust:
      break;
    case AuthMethod::kRefuse:
      return Fatal("28000",
                   "no users exist and trust authentication is for loopback only: add one with "
                   "custlake user add NAME --password-stdin");
  }
  Send(AuthRequest(kAuthOk));
  auto session = lake_->Connect();
  if (!session.ok()) return Fatal("58000", "cannot open the lake: " + session.status().message());
  session_ = std::move(*session);
  SendStartupParameters();
  return true;
}

bool PgConnection::AuthenticateCleartext() {
  Send(AuthRequest(kAuthCleartextPassword));
  std::string body, password;
  if (!ReadPasswordMessage(&body)) return false;
  if (!MessageReader(body).ReadCString(&password)) return Fatal("08P01", "invalid password message");
  if (!auth::ConstantTimeEquals(password, options_.password)) return Fatal("28P01", PasswordFailed(parameters_["user"]));
  return true;
}

bool PgConnection::AuthenticateScram(const auth::UserStore& users) {
  const std::string& user = parameters_["user"];
  Send(MessageWriter('R').Int32(kAuthSasl).CString(kScramMechanism).CString("").Finish());

  // SASLInitialResponse: mechanism, then the client-first-message with its length.
  std::string body, mechanism, client_first;
  if (!ReadPasswordMessage(&body)) return false;
  MessageReader initial(body);
  int32_t length = 0;
  if (!initial.ReadCString(&mechanism) || !initial.ReadInt32(&length) || length < 0 ||
      !initial.ReadBytes(static_cast<size_t>(length), &client_first) || !initial.AtEnd()) {
    return Fatal("08P01", "invalid SASLInitialResponse message");
  }
  if (mechanism != kScramMechanism) {
    return Fatal("08P01", "client selected an invalid SASL authentication mechanism");
  }
  auth::ScramServerExchange exchange(user, users.Find(user));
  auto server_first = exchange.ClientFirst(client_first);
  if (!server_first.ok()) return Fatal("08P01", server_first.status().message());
  Send(AuthRequest(kAuthSaslContinue, *server_first));

  // SASLResponse: the client-final-message, the whole body.
  if (!ReadPasswordMessage(&body)) return false;
  auto final = exchange.ClientFinal(body);
  if (!final.ok()) return Fatal("08P01", final.status().message());
  if (!final->authenticated) return Fatal("28P01", PasswordFailed(user));
  Send(AuthRequest(kAuthSaslFinal, final->server_final));
  return true;
}

}  // namespace custlake::serve
