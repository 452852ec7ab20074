#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace custlake::testing {
namespace {

std::string Join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void ExecChild(const std::vector<std::string>& argv, const ProcessOptions& options, pid_t parent,
                            bool die_with_parent, uid_t uid, gid_t gid, const char* user) {
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, 0);
  int out = options.log_file.empty() ? ::open("/dev/null", O_WRONLY)
                                     : ::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (out >= 0) {
    ::dup2(out, 1);
    ::dup2(out, 2);
  }
  ::setpgid(0, 0);  // its own process group: a terminal's ^C goes to the test, which stops it
  if (user != nullptr) {
    if (::initgroups(user, gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) _exit(126);
  }
  if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) _exit(126);
  // After setuid: changing credentials clears the parent-death signal.
  if (die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(125);  // the parent is already gone
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  _exit(127);
}

Result<pid_t> Fork(const std::vector<std::string>& argv, const ProcessOptions& options,
                   bool die_with_parent) {
  if (argv.empty()) return Status::InvalidArgument("empty command");
  uid_t uid = 0;
  gid_t gid = 0;
  const char* user = nullptr;
  if (!options.run_as.empty()) {
    struct passwd* pw = ::getpwnam(options.run_as.c_str());
    if (pw == nullptr) return Status::NotFound("no system user '" + options.run_as + "' to run " + argv[0]);
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    user = options.run_as.c_str();
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Status::IOError("fork failed for " + Join(argv) + ": " + std::strerror(errno));
  if (pid == 0) ExecChild(argv, options, parent, die_with_parent, uid, gid, user);
  return pid;
}

}  // namespace

Result<int> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options, int timeout_s) {
  ASSIGN_OR_RETURN(pid_t pid, Fork(argv, options, /*die_with_parent=*/true));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int wstatus = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return Status::IOError("waitpid failed for " + Join(argv));
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      return Status::IOError("'" + Join(argv) + "' did not finish within " + std::to_string(timeout_s) +
                             " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(wstatus)) {
    int code = WEXITSTATUS(wstatus);
    if (code == 127) return Status::NotFound("cannot execute " + argv[0]);
    return code;
  }
  return Status::IOError("'" + Join(argv) + "' died of signal " + std::to_string(WTERMSIG(wstatus)));
}

Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  return Fork(argv, options, /*die_with_parent=*/true);
}

bool ChildAlive(pid_t pid) {
  int wstatus = 0;
  pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
  if (r == 0) return true;
  if (r == pid) return false;
  return ::kill(pid, 0) == 0;  // not our child: fall back to existence
}

void StopProcess(pid_t pid, int sig, int timeout_s) {
  if (pid <= 0) return;
  ::kill(pid, sig);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!ChildAlive(pid)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

Result<int> FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return Status::IOError(std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(errno));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

std::optional<std::string> FindExecutable(const std::vector<std::string>& names,
                                          const std::vector<std::string>& extra_dirs) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string d; std::getline(ss, d, ':');) {
      if (!d.empty()) dirs.push_back(d);
    }
  }
  dirs.insert(dirs.end(), extra_dirs.begin(), extra_dirs.end());
  for (const auto& name : names) {
    for (const auto& d : dirs) {
      std::string candidate = d + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return std::nullopt;
}

std::string TailOfFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream buf;
  buf << in.rdbuf();
  std::string s = buf.str();
  return s.size() > max_bytes ? "..." + s.substr(s.size() - max_bytes) : s;
}

}  // namespace custlake::testing
