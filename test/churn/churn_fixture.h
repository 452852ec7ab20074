// A project folder in which the tests run the real pipeline through the
// custlake binary: init, generate, import, ingest, build (as test/warehouse's
// pipeline test does), plus SQL on the generated operational database.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_runner.h"

namespace custlake::testing {

class ChurnProject : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custlake_churn_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path project() const { return dir_ / "p"; }
  std::string lake_root() const { return (project() / "lake").string(); }

  CliOutcome Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"-C", project().string(), "--json"});
    return RunCli(dir_, CUSTLAKE_BIN, args);
  }
  /// custlake -C <project> --json ARGS, which must succeed: its JSON summary.
  nlohmann::json Custlake(const std::vector<std::string>& args) {
    CliOutcome r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ":\n" << r.err;
    return r.Json();
  }
  /// A generated company of `customers` over `months`, imported, ingested and built.
  void BuildCompany(const std::string& customers, const std::string& months) {
    ASSERT_EQ(RunCli(dir_, CUSTLAKE_BIN, {"init", project().string()}).exit_code, 0);
    Custlake({"generate", "--customers", customers, "--months", months});
    Rebuild();
  }
  void Rebuild() {
    Custlake({"import", "sic"});
    Custlake({"ingest"});
    nlohmann::json build = Custlake({"build"});
    ASSERT_EQ(build["checks"]["failed"], 0) << build.dump();
  }
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((project() / "data/sic.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message << "\n" << sql;
  }

  std::filesystem::path dir_;
};

}  // namespace custlake::testing
