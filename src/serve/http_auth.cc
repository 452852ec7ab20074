#include "serve/http_auth.h"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "auth/user_store.h"
#include "serve/http_api.h"

namespace custlake::serve {

namespace {

constexpr const char* kCookie = "custlake_session";

std::string RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no randomness for a session token");
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

/// The value of cookie `name` in the request's Cookie header ("" when absent).
std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  size_t at = 0;
  while (at < header.size()) {
    size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(at, end - at);
    pair.erase(0, pair.find_first_not_of(' '));
    if (pair.starts_with(name + "=")) return pair.substr(name.size() + 1);
    at = end + 1;
  }
  return "";
}

void SetCookie(httplib::Response& res, const std::string& token, bool clear = false) {
  res.set_header("Set-Cookie", std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
                                   (clear ? "; Max-Age=0" : ""));
}

/// Equal without an early exit, so the time taken says nothing about the token.
bool SameToken(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); i++) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

WebAuth::WebAuth(std::string lake_root, bool login_required)
    : lake_root_(std::move(lake_root)), login_required_(login_required) {}

std::optional<WebAuth::Session> WebAuth::Find(const httplib::Request& req) {
  const std::string token = CookieValue(req, kCookie);
  if (token.empty()) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  if (Clock::now() - it->second.last_used > kSessionIdle) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = Clock::now();
  return it->second;
}

std::pair<std::string, WebAuth::Session> WebAuth::Create() {
  std::string token = RandomToken();
  Session session{RandomToken(), "", Clock::now()};
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.size() >= kMaxSessions) {  // the least recently used one goes
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.last_used < oldest->second.last_used) oldest = it;
    }
    sessions_.erase(oldest);
  }
  sessions_[token] = session;
  return {token, session};
}

int WebAuth::RetryAfter(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return 0;
  auto& times = it->second;
  while (!times.empty() && Clock::now() - times.front() > kFailureWindow) times.pop_front();
  if (times.size() < static_cast<size_t>(kMaxFailures)) return 0;
  auto wait = std::chrono::duration_cast<std::chrono::seconds>(times.front() + kFailureWindow - Clock::now());
  return std::max<int>(1, static_cast<int>(wait.count()) + 1);
}

void WebAuth::RecordFailure(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failures_.size() >= kMaxTrackedAddresses && !failures_.count(address)) failures_.erase(failures_.begin());
  auto& times = failures_[address];
  times.push_back(Clock::now());
  while (times.size() > static_cast<size_t>(kMaxFailures)) times.pop_front();
}

bool WebAuth::Refuse(const httplib::Request& req, httplib::Response& res) {
  if (!req.path.starts_with("/api/") || req.path == "/api/me") return false;
  std::optional<Session> session = Find(req);
  if (req.method != "GET" && req.method != "HEAD") {
    if (!session || !SameToken(req.get_header_value("X-CSRF-Token"), session->csrf)) {
      ReplyJson(res, 403, {{"error", "missing or wrong X-CSRF-Token header: send the csrf token GET /api/me "
                                     "answers, with the session cookie it sets"}});
      return true;
    }
  }
  if (login_required_ && req.path != "/api/login" && (!session || session->user.empty())) {
    ReplyJson(res, 401, {{"error", "log in first: POST /api/login {\"user\", \"password\"} (users are added "
                                   "with `custlake user add NAME --password-stdin`)"}});
    return true;
  }
  return false;
}

void WebAuth::HandleMe(const httplib::Request& req, httplib::Response& res) {
  std::optional<Session> session = Find(req);
  if (!session) {
    auto [token, created] = Create();
    SetCookie(res, token);
    session = created;
  }
  ReplyJson(res, 200,
            {{"user", session->user.empty() ? nlohmann::json() : nlohmann::json(session->user)},
             {"auth_required", login_required_},
             {"csrf", session->csrf}});
}

void WebAuth::HandleLogin(const httplib::Request& req, httplib::Response& res) {
  if (const int wait = RetryAfter(req.remote_addr); wait > 0) {
    res.set_header("Retry-After", std::to_string(wait));
    return ReplyJson(res, 429, {{"error", "too many failed logins from " + req.remote_addr + ": try again in " +
                                              std::to_string(wait) + " s"}});
  }
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ReplyError(res, body.status());
  const std::string user = body->value("user", ""), password = body->value("password", "");
  auto users = auth::UserStore::Load(lake_root_);
  if (!users.ok()) return ReplyError(res, users.status());
  if (user.empty() || !users->CheckPassword(user, password)) {
    RecordFailure(req.remote_addr);
    return ReplyJson(res, 401, {{"error", "wrong user name or password"}});
  }
  // A new session on login (the old token, which a page may have seen before, ends).
  EndSession(req);
  auto [token, session] = Create();
  {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[token].user = user;
  }
  SetCookie(res, token);
  ReplyJson(res, 200, {{"user", user}, {"auth_required", login_required_}, {"csrf", session.csrf}});
}

void WebAuth::EndSession(const httplib::Request& req) {
  const std::string token = CookieValue(req, kCookie);
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(token);
}

void WebAuth::HandleLogout(const httplib::Request& req, httplib::Response& res) {
  EndSession(req);
  SetCookie(res, "", /*clear=*/true);
  ReplyJson(res, 200, {{"user", nullptr}, {"auth_required", login_required_}});
}

void WebAuth::RegisterRoutes(httplib::Server& server) {
  server.Get("/api/me", [this](const httplib::Request& req, httplib::Response& res) { HandleMe(req, res); });
  server.Post("/api/login", [this](const httplib::Request& req, httplib::Response& res) { HandleLogin(req, res); });
  server.Post("/api/logout", [this](const httplib::Request& req, httplib::Response& res) { HandleLogout(req, res); });
}

}  // namespace custlake::serve
