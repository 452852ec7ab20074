#include "auth/user_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "lake/file_lock.h"
#include "lake/file_util.h"
#include "lake/layout.h"

namespace custlake::auth {

namespace {

constexpr int kFileVersion = 1;
constexpr auto kLockTimeout = std::chrono::seconds(30);

Status ErrnoError(std::string_view what, const std::string& path) {
  return Status::IOError(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

/// The file's text, or nullopt when it does not exist. Refuses a file that
/// others can read or write: it holds what a password guess is checked against.
Result<std::optional<std::string>> ReadPrivateFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return ErrnoError("cannot open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return ErrnoError("cannot stat", path);
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::IOError(
        fmt::format("{} is accessible by other users (mode {:o}); run chmod 600 on it", path, st.st_mode & 0777));
  }
  std::string text;
  char buf[8192];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  const bool failed = n < 0;
  ::close(fd);
  if (failed) return ErrnoError("cannot read", path);
  return std::optional<std::string>(std::move(text));
}

/// Writes `text` to `path` with mode 0600, durably and atomically.
Status WritePrivateFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = fmt::format("{}.tmp-{}", path, ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("cannot create", tmp);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      (void)lake::RemoveFile(tmp);
      return ErrnoError("cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    (void)lake::RemoveFile(tmp);
    return ErrnoError("cannot fsync", tmp);
  }
  RETURN_NOT_OK(lake::RenameFile(tmp, path));
  return lake::SyncDir(lake::ParentDir(path));
}


std::string SerializeUsers(const std::map<std::string, ScramVerifier, std::less<>>& users) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, verifier] : users) list.push_back({{"name", name}, {"scram", verifier.ToString()}});
  return nlohmann::json{{"version", kFileVersion}, {"users", list}}.dump(2) + "\n";
}

}  // namespace

std::string UsersFilePath(const std::string& lake_root) { return lake::Layout(lake_root).UsersPath(); }

Status UserStore::ValidateUserName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 63;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                c == '.' || c == '@' || c == '-');
  }
  if (ok) return Status::OK();
  return Status::InvalidArgument(
      fmt::format("invalid user name '{}': use 1 to 63 of the characters A-Z a-z 0-9 _ . @ -", name));
}

Result<UserStore> UserStore::Load(const std::string& lake_root) {
  const std::string path = UsersFilePath(lake_root);
  ASSIGN_OR_RETURN(std::optional<std::string> text, ReadPrivateFile(path));
  UserStore store;
  if (!text) return store;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(fmt::format("{}: not JSON: {}", path, e.what()));
  }
  if (!doc.is_object() || doc.value("version", 0) != kFileVersion || !doc.contains("users") ||
      !doc["users"].is_array()) {
    return Status::Corruption(fmt::format("{}: expected {{\"version\": {}, \"users\": [...]}}", path, kFileVersion));
  }
  for (const nlohmann::json& user : doc["users"]) {
    if (!user.is_object() || !user.contains("name") || !user["name"].is_string() || !user.contains("scram") ||
        !user["scram"].is_string()) {
      return Status::Corruption(fmt::format("{}: a user without a string name and scram verifier", path));
    }
    const std::string name = user["name"].get<std::string>();
    auto verifier = ScramVerifier::Parse(user["scram"].get<std::string>());
    if (!verifier.ok()) return verifier.status().WithContext(fmt::format("{}: user '{}'", path, name));
    store.users_.insert_or_assign(name, std::move(*verifier));
  }
  return store;
}

namespace {

/// Runs `change` on the stored users under the writers' lock and writes the result.
template <typename Change>
Status UpdateUsers(const std::string& lake_root, Change change) {
  const lake::Layout layout(lake_root);
  RETURN_NOT_OK(lake::MakeDirs(lake_root));
  ASSIGN_OR_RETURN(lake::FileLock lock,
                   lake::FileLock::Acquire(layout.UsersLockPath(), lake::FileLock::Mode::kExclusive, kLockTimeout));
  ASSIGN_OR_RETURN(UserStore store, UserStore::Load(lake_root));
  std::map<std::string, ScramVerifier, std::less<>> users;
  for (const std::string& name : store.names()) users.emplace(name, *store.Find(name));
  RETURN_NOT_OK(change(users));
  return WritePrivateFileAtomically(layout.UsersPath(), SerializeUsers(users));
}

}  // namespace

Status UserStore::AddUser(const std::string& lake_root, std::string_view name, std::string_view password,
                          int iterations) {
  RETURN_NOT_OK(ValidateUserName(name));
  if (password.empty()) return Status::InvalidArgument("the password is empty");
  ASSIGN_OR_RETURN(ScramVerifier verifier, MakeScramVerifier(password, iterations));
  return UpdateUsers(lake_root, [&](auto& users) {
    users.insert_or_assign(std::string(name), verifier);
    return Status::OK();
  });
}

Status UserStore::RemoveUser(const std::string& lake_root, std::string_view name) {
  return UpdateUsers(lake_root, [&](auto& users) {
    auto it = users.find(name);
    if (it == users.end()) return Status::NotFound(fmt::format("no user '{}' in {}", name, UsersFilePath(lake_root)));
    users.erase(it);
    return Status::OK();
  });
}

std::vector<std::string> UserStore::names() const {
  std::vector<std::string> out;
  for (const auto& [name, verifier] : users_) out.push_back(name);
  return out;
}

const ScramVerifier* UserStore::Find(std::string_view name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : &it->second;
}

bool UserStore::CheckPassword(std::string_view name, std::string_view password) const {
  const ScramVerifier* verifier = Find(name);
  if (verifier == nullptr) {
    // The same work as a real check, so the time taken does not tell whether the user exists.
    static const ScramVerifier dummy = ScramVerifierFor("", "custlake-no-such-user", kDefaultScramIterations);
    (void)ScramPasswordMatches(dummy, password);
    return false;
  }
  return ScramPasswordMatches(*verifier, password);
}

}  // namespace custlake::auth
