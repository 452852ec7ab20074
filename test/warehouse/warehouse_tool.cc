// warehouse_tool LAKE_ROOT build [--full] | check | ddl DIALECT | docs
// A thin driver over custlake::warehouse for tests and bench/warehouse/run.sh
// (the same code `custlake build` runs), printing the JSON report.
#include <cstring>
#include <iostream>

#include "warehouse/builder.h"
#include "warehouse/data_dictionary.h"
#include "warehouse/model_loader.h"

using namespace custlake;
using namespace custlake::warehouse;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: warehouse_tool LAKE_ROOT build [--full] [--no-export] [--no-checks] | check\n";
    return 2;
  }
  std::string root = argv[1], verb = argv[2];
  if (verb == "build") {
    BuildOptions options;
    options.lake_root = root;
    for (int i = 3; i < argc; ++i) {
      if (!std::strcmp(argv[i], "--full")) options.full = true;
      if (!std::strcmp(argv[i], "--no-export")) options.export_parquet = false;
      if (!std::strcmp(argv[i], "--no-checks")) options.run_checks = false;
    }
    options.log = [](const std::string& line) { std::cerr << line << "\n"; };
    auto r = Build(options);
    if (!r.ok()) {
      std::cerr << "error: " << r.status().message() << "\n";
      return 1;
    }
    std::cout << r->ToJson().dump() << "\n";
    return 0;
  }
  if (verb == "check") {
    auto r = CheckCurrentVersion(root);
    if (!r.ok()) {
      std::cerr << "error: " << r.status().message() << "\n";
      return 1;
    }
    std::cout << r->ToJson().dump() << "\n";
    if (!r->ok()) std::cerr << r->FailureText() << "\n";
    return r->ok() ? 0 : 1;
  }
  std::cerr << "unknown verb " << verb << "\n";
  return 2;
}
