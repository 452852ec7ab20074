#include "http_test_server.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

namespace custlake::testing {

namespace fs = std::filesystem;

ScratchDir::ScratchDir(const std::string& name)
    : path_(fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
  fs::remove_all(path_);
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

bool Custlake(const fs::path& dir, const std::vector<std::string>& args) {
  CliOutcome outcome = RunCli(dir, CUSTLAKE_BIN, args);
  EXPECT_EQ(outcome.exit_code, 0) << "custlake " << ::testing::PrintToString(args) << "\n" << outcome.err;
  return outcome.exit_code == 0;
}

fs::path SharedScoredProject() {
  const fs::path root = fs::path(SHARED_FIXTURES_DIR) / "scored";
  fs::create_directories(root);
  const int lock = ::open((root / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    ADD_FAILURE() << "cannot lock " << (root / ".lock");
    if (lock >= 0) ::close(lock);
    return {};
  }
  // One project per binary: a rebuilt custlake makes a fresh one.
  const auto binary_time = fs::last_write_time(CUSTLAKE_BIN).time_since_epoch().count();
  const fs::path project = root / ("demo_" + std::to_string(fs::file_size(CUSTLAKE_BIN)) + "_" +
                                   std::to_string(binary_time));
  bool ready = fs::exists(project / ".complete");
  if (!ready) {
    std::error_code ec;
    for (const auto& old : fs::directory_iterator(root))
      if (old.is_directory()) fs::remove_all(old.path(), ec);
    ready = Custlake(root, {"demo", project.string(), "--customers", "300", "--months", "12", "--no-serve"});
    if (ready) std::ofstream(project / ".complete") << "made by custlake demo\n";
  }
  ::close(lock);  // releases the lock
  return ready ? project : fs::path();
}

bool MakeBareProject(const fs::path& dir) {
  const std::string project = (dir / "bare").string();
  return Custlake(dir, {"init", project}) &&
         Custlake(dir, {"-C", project, "generate", "--customers", "200", "--months", "3"}) &&
         Custlake(dir, {"-C", project, "import", "sic"}) && Custlake(dir, {"-C", project, "ingest"}) &&
         Custlake(dir, {"-C", project, "build"});
}

TestHttpServer::TestHttpServer(const std::string& lake_root, int64_t max_rows, int timeout_ms,
                               const std::string& host) {
  serve::HttpOptions options;
  options.host = host;
  options.port = 0;
  options.lake_root = lake_root;
  options.sandbox.max_rows = max_rows;
  options.sandbox.timeout = std::chrono::milliseconds(timeout_ms);
  options.sandbox.threads = 2;
  options.max_sessions = 4;
  options.threads = 8;
  server_ = std::make_unique<serve::HttpServer>(options);
  bind_status_ = server_->Bind();
  if (!bind_status_.ok()) return;
  serving_ = true;
  thread_ = std::thread([this] {
    Status run = server_->Run(&stop_, [this] { listening_.store(true); });
    EXPECT_TRUE(run.ok()) << run.ToString();
    listening_.store(true);
  });
  while (!listening_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

TestHttpServer::~TestHttpServer() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<httplib::Client> TestHttpServer::BareClient() const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port());
  client->set_read_timeout(std::chrono::seconds(120));
  return client;
}

std::unique_ptr<httplib::Client> TestHttpServer::Client() const {
  auto client = BareClient();
  auto me = client->Get("/api/me");
  EXPECT_TRUE(me && me->status == 200);
  if (!me) return client;
  client->set_default_headers({{"Cookie", SessionCookie(me)}, {"X-CSRF-Token", Json(me)["csrf"].get<std::string>()}});
  return client;
}

std::string SessionCookie(const httplib::Result& result) {
  if (!result) return "";
  const std::string set = result->get_header_value("Set-Cookie");
  return set.substr(0, set.find(';'));
}

nlohmann::json Json(const httplib::Result& result) {
  if (!result) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(result->body, nullptr, false);
}

httplib::Result PostJson(httplib::Client& client, const std::string& path, const nlohmann::json& body) {
  return client.Post(path.c_str(), body.dump(), "application/json");
}

}  // namespace custlake::testing
