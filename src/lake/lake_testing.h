// Test helpers for the lake's unit tests (not part of the library): a temp
// folder removed at scope exit, Status assertions, small file I/O.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/status.h"

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    ::custlake::Status _st = (expr);                         \
    ASSERT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (0)

#define EXPECT_OK(expr)                                      \
  do {                                                       \
    ::custlake::Status _st = (expr);                         \
    EXPECT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (0)

#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr)                               \
  auto tmp = (rexpr);                                                            \
  ASSERT_TRUE(tmp.ok()) << #rexpr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL(CUSTLAKE_CONCAT(_assign_, __LINE__), lhs, rexpr)

namespace custlake::lake::testing {

/// A fresh folder, removed with everything in it. Under $TMPDIR when set,
/// else /dev/shm when present: the commit protocol fsyncs a lot, and on a
/// busy disk that alone would make the suite take ten seconds. tmpfs runs the
/// same code paths (fsync, rename, flock); only power-loss durability, which
/// no unit test can observe, differs.
class TempDir {
 public:
  TempDir() {
    std::filesystem::path base = std::filesystem::temp_directory_path();
    std::error_code ec;
    if (::getenv("TMPDIR") == nullptr && std::filesystem::is_directory("/dev/shm", ec) &&
        ::access("/dev/shm", W_OK) == 0) {
      base = "/dev/shm";
    }
    std::string tmpl = (base / "custlake-lake-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    path_ = made ? made : tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace custlake::lake::testing
