#include "warehouse/file_clone.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/status_testing.h"

namespace custlake::warehouse {
namespace {
namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FileClone, CopiesEveryByteAndReplacesTheTarget) {
  fs::path dir = fs::temp_directory_path() / ("wh_clone_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // Larger than one copy_file_range chunk and the fallback's buffer, not a multiple of either.
  std::string content;
  for (int i = 0; content.size() < (size_t{9} << 20) + 12345; ++i) content += std::to_string(i) + ",";
  { std::ofstream(dir / "from", std::ios::binary) << content; }
  { std::ofstream(dir / "to", std::ios::binary) << std::string(size_t{20} << 20, 'x'); }  // longer: truncated
  ASSERT_OK_AND_ASSIGN(FileCopy copy, CloneOrCopyFile((dir / "from").string(), (dir / "to").string()));
  EXPECT_TRUE(copy.method == "reflink" || copy.method == "copy_file_range" || copy.method == "read_write")
      << copy.method;
  EXPECT_EQ(copy.bytes, static_cast<int64_t>(content.size()));
  EXPECT_EQ(Read(dir / "to"), content);
  // The copy is a file of its own: writing to it leaves the source as it was.
  { std::ofstream(dir / "to", std::ios::binary | std::ios::in) << "changed"; }
  EXPECT_EQ(Read(dir / "from"), content);
  auto missing = CloneOrCopyFile((dir / "missing").string(), (dir / "x").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos) << missing.status().message();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace custlake::warehouse
