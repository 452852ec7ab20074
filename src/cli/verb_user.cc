// custlake user add|list|remove: the lake's users (auth/user_store.h), who
// sign in to the web UI and the PostgreSQL endpoint.
#include <fmt/format.h>

#include <iostream>
#include <iterator>

#include "auth/user_store.h"
#include "cli/cli.h"

namespace custlake::cli {
namespace {

struct UserOptions {
  std::string name;
  bool password_stdin = false;
};

/// The password as stdin holds it, less one final line break (what `echo` adds).
Result<std::string> ReadPasswordFromStdin() {
  std::string password(std::istreambuf_iterator<char>(std::cin), {});
  if (password.ends_with("\n")) password.pop_back();
  if (password.ends_with("\r")) password.pop_back();
  if (password.empty()) return Status::InvalidArgument("no password on stdin");
  return password;
}

VerbResult RunUserAdd(const GlobalOptions& global, const UserOptions& options) {
  if (!options.password_stdin) {
    return Status::InvalidArgument(
        "give the password on stdin: printf '%s' \"$PASSWORD\" | custlake user add NAME --password-stdin");
  }
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  RETURN_NOT_OK(auth::UserStore::ValidateUserName(options.name));
  ASSIGN_OR_RETURN(std::string password, ReadPasswordFromStdin());
  const std::string root = config.lake_root.string();
  ASSIGN_OR_RETURN(auth::UserStore before, auth::UserStore::Load(root));
  const bool existed = before.Find(options.name) != nullptr;
  RETURN_NOT_OK(auth::UserStore::AddUser(root, options.name, password));
  PrintResult(global, fmt::format("{} user '{}' in {}", existed ? "changed the password of" : "added",
                                  options.name, auth::UsersFilePath(root)));
  return nlohmann::json{{"verb", "user add"}, {"user", options.name}, {"replaced", existed}};
}

VerbResult RunUserList(const GlobalOptions& global) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  ASSIGN_OR_RETURN(auth::UserStore store, auth::UserStore::Load(config.lake_root.string()));
  const std::vector<std::string> names = store.names();
  std::string text;
  for (const std::string& name : names) text += name + "\n";
  if (names.empty()) text = "no users (the PostgreSQL endpoint trusts loopback clients); add one with custlake user add";
  PrintResult(global, text);
  return nlohmann::json{{"verb", "user list"}, {"users", names}};
}

VerbResult RunUserRemove(const GlobalOptions& global, const UserOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  RETURN_NOT_OK(auth::UserStore::RemoveUser(config.lake_root.string(), options.name));
  PrintResult(global, fmt::format("removed user '{}'", options.name));
  return nlohmann::json{{"verb", "user remove"}, {"user", options.name}};
}

}  // namespace

void RegisterUser(CLI::App& app, VerbFn* run) {
  auto options = std::make_shared<UserOptions>();
  CLI::App* user = app.add_subcommand("user", "The users of the web UI and the PostgreSQL endpoint");
  user->require_subcommand(1);

  CLI::App* add = user->add_subcommand("add", "Add a user, or change a user's password (stored as a SCRAM verifier)");
  add->add_option("name", options->name, "User name (A-Z a-z 0-9 _ . @ -)")->required();
  add->add_flag("--password-stdin", options->password_stdin, "Read the password from stdin (required)");
  add->callback([run, options] { *run = [options](const GlobalOptions& g) { return RunUserAdd(g, *options); }; });

  CLI::App* list = user->add_subcommand("list", "List the user names");
  list->callback([run] { *run = [](const GlobalOptions& g) { return RunUserList(g); }; });

  CLI::App* remove = user->add_subcommand("remove", "Remove a user");
  remove->add_option("name", options->name, "User name")->required();
  remove->callback(
      [run, options] { *run = [options](const GlobalOptions& g) { return RunUserRemove(g, *options); }; });
}

}  // namespace custlake::cli
