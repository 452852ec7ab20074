#include "generate/generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "db/connection.h"
#include "generate/contract_tables.h"
#include "support/status_testing.h"

namespace custlake::generate {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

[[maybe_unused]] std::vector<std::vector<std::string>> ReadCsv(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : Lines(ReadFile(p))) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("custlake_generate_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  struct Run {
    GenerateSummary summary;
    fs::path landing, truth, db_path;
  };
  Result<Run> Generate(const GeneratorOptions& options, const std::string& name, bool with_db = true) {
    Run run;
    run.landing = root_ / name / "landing";
    run.truth = root_ / name / "truth";
    run.db_path = root_ / name / "sic.db";
    fs::create_directories(root_ / name);
    std::unique_ptr<db::Connection> conn;
    if (with_db) {
      ASSIGN_OR_RETURN(auto url, db::DatabaseUrl::Parse("sqlite:" + run.db_path.string()));
      ASSIGN_OR_RETURN(conn, db::Connection::Open(url));
    }
    ASSIGN_OR_RETURN(run.summary, generate::Generate(options, conn.get(), run.landing.string(), run.truth.string()));
    return run;
  }

  fs::path root_;
};

TEST_F(GeneratorTest, Smoke) {
  GeneratorOptions o;
  o.customers = 2000;
  ASSERT_OK_AND_ASSIGN(Run run, Generate(o, "a"));
  std::cout << run.summary.ToJson().dump(2) << "\n";
  std::cout << ReadFile(run.truth / "parameters.json").substr(0, 20000) << "\n";
}

}  // namespace
}  // namespace custlake::generate
