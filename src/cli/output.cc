// Where a verb's output goes: results on stdout, everything else on stderr.
#include <cstdio>

#include "cli/cli.h"
#include "common/progress.h"

namespace custlake::cli {

void PrintResult(const GlobalOptions& global, const std::string& text) {
  if (global.json && global.quiet) return;
  std::FILE* out = global.json ? stderr : stdout;
  const std::string lines = text.empty() || text.back() == '\n' ? text : text + "\n";
  // Both streams may share a terminal with a progress line on stderr.
  AboveProgressLine(stderr, [&] { std::fputs(lines.c_str(), out); });
}

}  // namespace custlake::cli
