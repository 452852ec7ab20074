#include "support/real_servers.h"

#include <pwd.h>
#include <signal.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "support/process.h"

namespace custlake::testing {
namespace fs = std::filesystem;
namespace {

constexpr int kStartTimeoutS = 60;

fs::path ServersRoot() {
  std::error_code ec;
  fs::path tmp = fs::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  return tmp / "custlake-test-servers";
}

// Process start time (clock ticks after boot) from /proc: with the pid it
// identifies a process even after its pid is reused.
std::string StartTime(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return field;
  }
  return "";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

bool RequireServers() {
  const char* v = std::getenv("CUSTLAKE_REQUIRE_SERVERS");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

// Polls `ready` every 100 ms until it returns true, the server process
// exits, or the timeout passes.
Status WaitUntilReady(const std::string& what, pid_t pid, const std::string& log,
                      const std::function<bool()>& ready) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kStartTimeoutS);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!ChildAlive(pid)) {
      return Status::IOError(what + " exited during start-up; its log (" + log + ") ends with:\n" +
                             TailOfFile(log));
    }
    if (ready()) return Status::OK();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::IOError(what + " did not accept connections within " + std::to_string(kStartTimeoutS) +
                         " s; its log (" + log + ") ends with:\n" + TailOfFile(log));
}

std::string PercentEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

void CleanUpStaleServers() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ServersRoot(), ec)) {
    if (!entry.is_directory(ec)) continue;
    const fs::path dir = entry.path();
    std::istringstream owner(ReadFile(dir / "owner"));
    pid_t owner_pid = 0;
    std::string owner_start;
    if (!(owner >> owner_pid >> owner_start)) {
      // Being set up right now, or a crash before the owner file: wait a minute.
      auto age = fs::file_time_type::clock::now() - fs::last_write_time(dir, ec);
      if (ec || age < std::chrono::minutes(1)) continue;
    } else if (StartTime(owner_pid) == owner_start) {
      continue;  // its test process still runs
    }
    // Kill a leftover server, but only if its command line names this directory.
    std::istringstream server(ReadFile(dir / "server.pid"));
    pid_t server_pid = 0;
    if (server >> server_pid && server_pid > 0) {
      std::string cmdline = ReadFile("/proc/" + std::to_string(server_pid) + "/cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (cmdline.find(dir.string()) != std::string::npos) ::kill(server_pid, SIGKILL);
    }
    // A killed postmaster leaves its small SysV shared-memory segment behind;
    // postmaster.pid names it on its 7th line ("key id").
    std::istringstream pid_file(ReadFile(dir / "data" / "postmaster.pid"));
    std::string line;
    for (int i = 1; i <= 7 && std::getline(pid_file, line); ++i) {
      long key = 0;
      int shmid = -1;
      struct shmid_ds info {};
      if (i == 7 && std::istringstream(line) >> key >> shmid && ::shmctl(shmid, IPC_STAT, &info) == 0 &&
          info.shm_nattch == 0) {
        ::shmctl(shmid, IPC_RMID, nullptr);
      }
    }
    fs::remove_all(dir, ec);
  }
}

RealServer::~RealServer() { Stop(); }

std::string RealServer::url() const { return url_for(database_); }

std::string RealServer::url_for(const std::string& database) const {
  return scheme_ + "://" + PercentEncode(user_) + ":" + PercentEncode(password_) + "@" + host_ + ":" +
         std::to_string(port_) + "/" + PercentEncode(database);
}

void RealServer::Stop() {
  if (pid_ > 0) StopProcess(pid_, stop_signal_, 20);
  pid_ = -1;
  const char* keep = std::getenv("CUSTLAKE_KEEP_TEST_SERVERS");
  if (!dir_.empty() && !(keep && *keep && std::string(keep) != "0")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  dir_.clear();
}

Status RealServer::PrepareDir(const std::string& kind) {
  CleanUpStaleServers();
  std::error_code ec;
  fs::path root = ServersRoot();
  fs::create_directories(root, ec);
  ::chmod(root.c_str(), 01777);  // shared by every user's tests, like /tmp
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path dir = root / (kind + "-" + std::to_string(::getpid()) + "-" + std::to_string(attempt));
    if (fs::create_directory(dir, ec)) {
      ::chmod(dir.c_str(), 0755);
      dir_ = dir.string();
      std::ofstream(dir / "owner") << ::getpid() << " " << StartTime(::getpid()) << "\n";
      return Status::OK();
    }
  }
  return Status::IOError("cannot create a server directory under " + root.string());
}

// ---------------------------------------------------------------- MariaDB

MariaDBServer& MariaDBServer::Get() {
  static MariaDBServer server;
  return server;
}

MariaDBServer::MariaDBServer() {
  scheme_ = "mysql";
  stop_signal_ = SIGTERM;
  const std::vector<std::string> sbin = {"/usr/sbin", "/usr/local/sbin", "/usr/libexec",
                                         "/usr/local/mysql/bin"};
  auto mariadbd = FindExecutable({"mariadbd", "mysqld"}, sbin);
  auto install_db = FindExecutable({"mariadb-install-db", "mysql_install_db"}, sbin);
  auto client = FindExecutable({"mariadb", "mysql"}, sbin);
  if (!mariadbd || !install_db || !client) {
    std::string msg =
        "MariaDB server not installed (need mariadbd, mariadb-install-db and mariadb; "
        "run scripts/bootstrap.sh --test)";
    if (RequireServers()) {
      status_ = Status::NotFound(msg + " and CUSTLAKE_REQUIRE_SERVERS is set");
    } else {
      skip_reason_ = msg;
    }
    return;
  }
  mariadbd_ = *mariadbd;
  install_db_ = *install_db;
  client_ = *client;
  status_ = Start().WithContext("starting a test MariaDB server (" + mariadbd_ + ")");
  if (!status_.ok()) Stop();
}

Status MariaDBServer::Start() {
  RETURN_NOT_OK(PrepareDir("mariadb"));
  const bool root = ::geteuid() == 0;
  const std::string data = dir_ + "/data";
  // Its bootstrap server's temporary tables go in the server's own folder:
  // in the shared /tmp, installs running side by side (ctest -j) removed
  // each other's "#sql-temptable-*" files and failed.
  std::vector<std::string> install = {install_db_, "--no-defaults", "--datadir=" + data,
                                      "--auth-root-authentication-method=normal", "--skip-test-db",
                                      "--tmpdir=" + dir_};
  if (root) install.push_back("--user=root");
  ProcessOptions opts;
  opts.cwd = dir_;
  opts.log_file = dir_ + "/install.log";
  ASSIGN_OR_RETURN(int rc, RunProcess(install, opts, 120));
  if (rc != 0) {
    return Status::IOError(install_db_ + " failed (exit " + std::to_string(rc) + "):\n" +
                           TailOfFile(opts.log_file));
  }
  ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
  socket_ = dir_ + "/mysqld.sock";
  std::vector<std::string> argv = {mariadbd_,
                                   "--no-defaults",
                                   "--datadir=" + data,
                                   "--socket=" + socket_,
                                   "--port=" + std::to_string(port_),
                                   "--bind-address=127.0.0.1",
                                   "--skip-networking=0",
                                   "--skip-name-resolve",
                                   "--pid-file=" + dir_ + "/mariadbd.pid",
                                   "--log-error=" + dir_ + "/error.log",
                                   "--tmpdir=" + dir_,
                                   "--skip-log-bin",
                                   "--character-set-server=utf8mb4",
                                   "--max-allowed-packet=64M",
                                   "--innodb-buffer-pool-size=64M",
                                   "--innodb-flush-log-at-trx-commit=2",
                                   "--innodb-doublewrite=0"};
  if (root) argv.push_back("--user=root");
  opts.log_file = dir_ + "/server.log";
  ASSIGN_OR_RETURN(pid_, SpawnProcess(argv, opts));
  std::ofstream(dir_ + "/server.pid") << pid_ << "\n";
  RETURN_NOT_OK(WaitUntilReady("mariadbd on port " + std::to_string(port_), pid_, dir_ + "/error.log", [&] {
    ProcessOptions quiet;
    auto r = RunProcess({client_, "--no-defaults", "-S", socket_, "-uroot", "-e", "SELECT 1"}, quiet, 10);
    return r.ok() && *r == 0;
  }));
  return AdminSql("CREATE DATABASE `" + database_ + "` CHARACTER SET utf8mb4;" + "CREATE USER '" + user_ +
                  "'@'%' IDENTIFIED BY '" + password_ + "';" + "CREATE USER '" + user_ +
                  "'@'localhost' IDENTIFIED BY '" + password_ + "';" + "GRANT ALL PRIVILEGES ON *.* TO '" +
                  user_ + "'@'%';" + "GRANT ALL PRIVILEGES ON *.* TO '" + user_ + "'@'localhost';");
}

Status MariaDBServer::AdminSql(const std::string& sql) {
  if (pid_ <= 0) return Status::Internal("the test MariaDB server is not running");
  ProcessOptions opts;
  opts.log_file = dir_ + "/admin.log";
  fs::remove(opts.log_file);
  ASSIGN_OR_RETURN(int rc,
                   RunProcess({client_, "--no-defaults", "-S", socket_, "-uroot", "-e", sql}, opts, 60));
  if (rc != 0)
    return Status::SourceError("mariadb client failed on '" + sql + "':\n" + TailOfFile(opts.log_file));
  return Status::OK();
}

// ---------------------------------------------------------------- PostgreSQL

PostgresServer& PostgresServer::Get() {
  static PostgresServer server;
  return server;
}

PostgresServer::PostgresServer() {
  scheme_ = "postgres";
  stop_signal_ = SIGINT;  // "fast" shutdown
  if (const char* env = std::getenv("CUSTLAKE_PG_BINDIR")) bindir_ = env;
  if (bindir_.empty()) {
    // Debian: /usr/lib/postgresql/<major>/bin; take the newest.
    std::error_code ec;
    int best = -1;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
      int major = std::atoi(e.path().filename().c_str());
      if (major > best && fs::exists(e.path() / "bin" / "postgres")) {
        best = major;
        bindir_ = (e.path() / "bin").string();
      }
    }
  }
  if (bindir_.empty()) {
    if (auto initdb = FindExecutable({"initdb"})) bindir_ = fs::path(*initdb).parent_path().string();
  }
  bool found = !bindir_.empty();
  for (const char* tool : {"initdb", "postgres", "psql"}) {
    found = found && ::access((bindir_ + "/" + tool).c_str(), X_OK) == 0;
  }
  if (!found) {
    std::string msg =
        "PostgreSQL server not installed (need initdb, postgres and psql in /usr/lib/postgresql/*/bin "
        "or CUSTLAKE_PG_BINDIR; run scripts/bootstrap.sh --test)";
    if (RequireServers()) {
      status_ = Status::NotFound(msg + " and CUSTLAKE_REQUIRE_SERVERS is set");
    } else {
      skip_reason_ = msg;
    }
    return;
  }
  status_ = Start().WithContext("starting a test PostgreSQL server (" + bindir_ + "/postgres)");
  if (!status_.ok()) Stop();
}

Status PostgresServer::Start() {
  RETURN_NOT_OK(PrepareDir("postgres"));
  const std::string data = dir_ + "/data";
  socket_dir_ = dir_ + "/sock";
  fs::create_directory(data);
  fs::create_directory(socket_dir_);
  ::chmod(data.c_str(), 0700);
  ::chmod(socket_dir_.c_str(), 0755);
  if (::geteuid() == 0) {  // postgres will not run as root
    run_as_ = "postgres";
    struct passwd* pw = ::getpwnam(run_as_.c_str());
    if (pw == nullptr) {
      return Status::NotFound(
          "running as root, but there is no 'postgres' system user to run the server as "
          "(the Debian postgresql package creates it)");
    }
    for (const std::string& p : {data, socket_dir_}) {
      if (::chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) return Status::IOError("cannot chown " + p);
    }
  }
  ProcessOptions opts;
  opts.run_as = run_as_;
  opts.cwd = dir_;
  opts.log_file = dir_ + "/initdb.log";
  ASSIGN_OR_RETURN(int rc,
                   RunProcess({bindir_ + "/initdb", "-D", data, "-U", "postgres", "--auth-local=trust",
                               "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"},
                              opts, 120));
  if (rc != 0)
    return Status::IOError("initdb failed (exit " + std::to_string(rc) + "):\n" + TailOfFile(opts.log_file));
  ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
  opts.log_file = dir_ + "/server.log";
  ASSIGN_OR_RETURN(pid_, SpawnProcess({bindir_ + "/postgres", "-D", data, "-p", std::to_string(port_), "-k",
                                       socket_dir_, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                                       "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                                       "max_connections=100", "-c", "shared_buffers=32MB"},
                                      opts));
  std::ofstream(dir_ + "/server.pid") << pid_ << "\n";
  RETURN_NOT_OK(WaitUntilReady("postgres on port " + std::to_string(port_), pid_, opts.log_file, [&] {
    ProcessOptions quiet;
    auto r = RunProcess({bindir_ + "/psql", "-X", "-h", socket_dir_, "-p", std::to_string(port_), "-U",
                         "postgres", "-d", "postgres", "-Atqc", "SELECT 1"},
                        quiet, 10);
    return r.ok() && *r == 0;
  }));
  RETURN_NOT_OK(AdminSql("CREATE ROLE " + user_ + " LOGIN CREATEDB PASSWORD '" + password_ + "'"));
  return AdminSql("CREATE DATABASE " + database_ + " OWNER " + user_ + " ENCODING 'UTF8'");
}

Status PostgresServer::AdminSql(const std::string& sql) {
  if (pid_ <= 0) return Status::Internal("the test PostgreSQL server is not running");
  ProcessOptions opts;
  opts.log_file = dir_ + "/admin.log";
  fs::remove(opts.log_file);
  ASSIGN_OR_RETURN(int rc,
                   RunProcess({bindir_ + "/psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", socket_dir_, "-p",
                               std::to_string(port_), "-U", "postgres", "-d", "postgres", "-Atqc", sql},
                              opts, 60));
  if (rc != 0) return Status::SourceError("psql failed on '" + sql + "':\n" + TailOfFile(opts.log_file));
  return Status::OK();
}

}  // namespace custlake::testing
