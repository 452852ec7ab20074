// Runs a program (in tests: the custlake binary) the way a user does: through
// the shell, stdin from /dev/null, stdout and stderr captured in files of a
// scratch folder, so a test checks what it printed and what it exited with.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace custlake::testing {

struct CliOutcome {
  int exit_code = -1;  ///< -1 when the program did not exit normally
  std::string out;
  std::string err;
  /// stdout as JSON (what --json prints); a discarded value if it is not JSON.
  nlohmann::json Json() const { return nlohmann::json::parse(out, nullptr, false); }
};

/// The whole file as bytes ("" when missing).
std::string ReadWholeFile(const std::filesystem::path& path);
/// `arg` quoted for a POSIX shell.
std::string ShellQuote(const std::string& arg);

/// Runs `program args...` with `env` (NAME=value) added to the environment;
/// the output files go to `scratch` (which must exist), overwritten each run.
CliOutcome RunCli(const std::filesystem::path& scratch, const std::string& program,
                  const std::vector<std::string>& args, const std::vector<std::string>& env = {});

}  // namespace custlake::testing
