#include "common/progress.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <cstdio>
#include <memory>

namespace custlake {
namespace {

TEST(ProgressTest, HumanUnits) {
  EXPECT_EQ(HumanCount(999), "999");
  EXPECT_EQ(HumanCount(1234567), "1.23M");
  EXPECT_EQ(HumanBytes(1536), "1.5 KB");
  EXPECT_EQ(HumanBytes(100), "100 B");
  EXPECT_EQ(HumanDuration(75), "1:15");
  EXPECT_EQ(HumanDuration(3725), "1:02:05");
}

TEST(ProgressTest, LineShowsRateAndEta) {
  Progress p("import", 1000, stderr, false);
  std::string line = p.Line(250, 2048, 1.0);
  EXPECT_NE(line.find("250 rows / 1.0K (25%)"), std::string::npos) << line;
  EXPECT_NE(line.find("2.0 KB"), std::string::npos) << line;
  EXPECT_NE(line.find("250 rows/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:03"), std::string::npos) << line;
}

TEST(ProgressTest, StepsShowDetailCountAndElapsed) {
  Progress p("build", 9, stderr, false);
  p.SetSteps("steps");
  p.SetNote("fact_customer_activity");
  EXPECT_EQ(p.Line(3, 0, 75.0), "build fact_customer_activity  3/9 steps  1:15");
}

// Ingest knows the bytes to read but not the records: the ETA comes from bytes.
TEST(ProgressTest, EtaFromBytesAndANote) {
  Progress p("ingest", 0, stderr, false);
  p.SetNote("3/12 files");
  p.SetTotalBytes(4 << 20);
  std::string line = p.Line(5000, 1 << 20, 2.0);
  EXPECT_NE(line.find("ingest 3/12 files  5.0K rows"), std::string::npos) << line;
  EXPECT_NE(line.find("512.0 KB/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:06"), std::string::npos) << line;
}

TEST(ProgressTest, SilentWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("x", 10, f);  // a regular file is not a terminal
    p.Update(5, 10);
    p.Finish();
  }
  EXPECT_EQ(std::ftell(f), 0);
  std::fclose(f);
}

std::string Contents(std::FILE* f) {
  std::fflush(f);
  std::string text(static_cast<size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  text.resize(std::fread(text.data(), 1, text.size(), f));
  std::fseek(f, 0, SEEK_END);
  return text;
}

// A log line printed while a progress line is on screen clears it first and
// draws it again below, instead of landing after its last character.
TEST(ProgressTest, LogLinesClearTheProgressLineAndDrawItAgainBelow) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  spdlog::logger logger("test", std::make_shared<ProgressAwareLogSink>(f, spdlog::color_mode::never));
  logger.set_pattern("%v");
  {
    Progress p("build", 3, f, /*enabled=*/true);
    p.SetSteps("steps");  // steps draw on every update
    p.Update(1);
    const std::string line = Contents(f);
    ASSERT_EQ(line.rfind("\r\033[Kbuild  1/3 steps", 0), 0u) << line;

    logger.info("a log line");
    EXPECT_EQ(Contents(f), line + "\r\033[Ka log line\n" + line);
    AboveProgressLine(f, [&] { std::fputs("a result\n", f); });
    EXPECT_EQ(Contents(f), line + "\r\033[Ka log line\n" + line + "\r\033[Ka result\n" + line);
    p.Finish();
  }
  // With no progress line on screen a log line is written as it is.
  const size_t before = Contents(f).size();
  logger.info("after");
  EXPECT_EQ(Contents(f).substr(before), "after\n");
  std::fclose(f);
}

}  // namespace
}  // namespace custlake
