// The web UI's sessions, CSRF tokens and login rate limit.
//
// Every browser gets a session (an HttpOnly, SameSite=Strict cookie holding
// a random token) the first time it asks GET /api/me, which also answers the
// session's CSRF token; every POST must carry it in the X-CSRF-Token header
// (403 otherwise). Bound to loopback, no login is required; bound to any
// other address, every /api call but /api/me and /api/login needs a session
// logged in as one of the lake's users (auth::UserStore, read at each login,
// so `custlake user add` takes effect without a restart), else 401. Failed
// logins are limited per client address (429 with Retry-After). Sessions and
// the failure log are bounded in memory.
#pragma once

#include <httplib.h>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace custlake::serve {

class WebAuth {
 public:
  WebAuth(std::string lake_root, bool login_required);

  bool login_required() const { return login_required_; }
  /// Checks a request before its handler; true when it was answered (401/403).
  bool Refuse(const httplib::Request& req, httplib::Response& res);
  void RegisterRoutes(httplib::Server& server);  ///< /api/me, /api/login, /api/logout

  static constexpr int kMaxFailures = 5;                       ///< failed logins per address ...
  static constexpr std::chrono::seconds kFailureWindow{60};    ///< ... within this window
  static constexpr std::chrono::hours kSessionIdle{12};        ///< a session unused this long ends
  static constexpr size_t kMaxSessions = 10000;
  static constexpr size_t kMaxTrackedAddresses = 10000;

 private:
  struct Session {
    std::string csrf;
    std::string user;  ///< "" until logged in
    std::chrono::steady_clock::time_point last_used;
  };
  using Clock = std::chrono::steady_clock;

  /// The request's session (by cookie), refreshed; nullopt when it has none or it expired.
  std::optional<Session> Find(const httplib::Request& req);
  /// A new session; its token goes in the cookie.
  std::pair<std::string, Session> Create();
  /// Seconds to wait before `address` may try again (0: it may).
  int RetryAfter(const std::string& address);
  void RecordFailure(const std::string& address);
  void EndSession(const httplib::Request& req);

  void HandleMe(const httplib::Request& req, httplib::Response& res);
  void HandleLogin(const httplib::Request& req, httplib::Response& res);
  void HandleLogout(const httplib::Request& req, httplib::Response& res);

  const std::string lake_root_;
  const bool login_required_;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;                   ///< by token
  std::map<std::string, std::deque<Clock::time_point>> failures_;  ///< by client address
};

}  // namespace custlake::serve
