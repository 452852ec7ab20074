// import_bench URL TABLE MAPPERS LAKE_DIR: imports one table into a fresh
// lake and prints one JSON line (rows, bytes, seconds, rows/s, peak RSS).
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "import/importer.h"

int main(int argc, char** argv) {
  using namespace custlake;
  if (argc != 5) {
    std::cerr << "usage: import_bench URL TABLE MAPPERS LAKE_DIR\n";
    return 2;
  }
  std::filesystem::remove_all(argv[4]);
  lake::LakeOptions lo;
  auto l = lake::Lake::Init(argv[4], lo);
  if (!l.ok()) {
    std::cerr << l.status().ToString() << "\n";
    return 1;
  }
  importer::TableOptions o;
  o.table = argv[2];
  o.mappers = std::atoi(argv[3]);
  if (const char* b = std::getenv("IMPORT_BENCH_BATCH_ROWS")) o.batch_rows = std::atoll(b);
  importer::RunOptions run;
  run.progress = false;
  auto s = importer::ImportTable(l->get(), {"bench", argv[1]}, o, run);
  if (!s.ok()) {
    std::cerr << s.status().ToString() << "\n";
    return 1;
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto j = s->ToJson();
  j["peak_rss_mb"] = ru.ru_maxrss / 1024.0;
  std::cout << j.dump() << "\n";
  return 0;
}
