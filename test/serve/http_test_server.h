// The web API's test harness: small lakes built with the real custlake
// binary (demo, or the pipeline without the analytics), an in-process
// HttpServer on an ephemeral loopback port, and a real HTTP client.
#pragma once

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "serve/http_server.h"
#include "support/cli_runner.h"

namespace custlake::testing {

/// A folder unique to this test process, removed with it.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name);
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Runs the custlake binary in `dir`; fails the test (and returns false) when it exits non-zero.
bool Custlake(const std::filesystem::path& dir, const std::vector<std::string>& args);

/// `custlake demo` with churn, CLV and retention (300 customers, 12 months), made once per custlake
/// binary under the build tree and shared by the test processes (ctest runs each test in a process
/// of its own; a file lock lets one make it while the others wait). The tests only read it.
/// Returns the project folder, or an empty path after failing the test.
std::filesystem::path SharedScoredProject();
/// generate + import + ingest + build, no analytics: a project at dir/bare.
bool MakeBareProject(const std::filesystem::path& dir);

/// serve::HttpServer on 127.0.0.1:<any free port> in this process, over `lake_root`.
class TestHttpServer {
 public:
  TestHttpServer(const std::string& lake_root, int64_t max_rows = 1000, int timeout_ms = 4000,
                 const std::string& host = "127.0.0.1");
  ~TestHttpServer();
  /// Whether it is serving (Bind() may refuse, e.g. beyond loopback with no users).
  bool serving() const { return serving_; }
  const Status& bind_status() const { return bind_status_; }
  int port() const { return server_->port(); }
  /// A client with a session: the cookie and CSRF token GET /api/me gave, sent with every request.
  std::unique_ptr<httplib::Client> Client() const;
  /// A client with no session.
  std::unique_ptr<httplib::Client> BareClient() const;

 private:
  std::unique_ptr<serve::HttpServer> server_;
  Status bind_status_;
  bool serving_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<bool> listening_{false};
  std::thread thread_;
};

/// The body of a response as JSON (discarded value when it is none).
nlohmann::json Json(const httplib::Result& result);
/// The session cookie ("custlake_session=...") a response sets, or "".
std::string SessionCookie(const httplib::Result& result);
/// POSTs `body` as JSON.
httplib::Result PostJson(httplib::Client& client, const std::string& path, const nlohmann::json& body);

}  // namespace custlake::testing
