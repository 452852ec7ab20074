#include "support/cli_runner.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace custlake::testing {

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ShellQuote(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliOutcome RunCli(const std::filesystem::path& scratch, const std::string& program,
                  const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::string cmd = "env";
  for (const auto& e : env) cmd += " " + ShellQuote(e);
  cmd += " " + ShellQuote(program);
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  const std::filesystem::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  cmd += " >" + ShellQuote(out.string()) + " 2>" + ShellQuote(err.string()) + " </dev/null";
  const int status = std::system(cmd.c_str());
  CliOutcome r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadWholeFile(out);
  r.err = ReadWholeFile(err);
  return r;
}

}  // namespace custlake::testing
