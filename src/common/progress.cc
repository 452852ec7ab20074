#include "common/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <mutex>

namespace custlake {
namespace {
std::atomic<bool> g_quiet{false};

/// The progress line on screen now, if any: what AboveProgressLine clears
/// and draws again. Guarded by its mutex, which Progress draws under too.
struct DrawnLine {
  std::mutex mu;
  const Progress* owner = nullptr;  ///< null: no line is drawn
  std::FILE* out = nullptr;
  std::string text;
};

DrawnLine& Drawn() {
  static DrawnLine drawn;
  return drawn;
}

}  // namespace

void AboveProgressLine(std::FILE* out, const std::function<void()>& write) {
  DrawnLine& drawn = Drawn();
  std::lock_guard<std::mutex> lock(drawn.mu);
  const bool shown = drawn.owner != nullptr && drawn.out == out;
  if (shown) {
    std::fputs("\r\033[K", out);
    std::fflush(out);
  }
  write();
  if (shown) {
    std::fflush(stdout);  // a result printed on stdout lands before the line is drawn again
    std::fputs(drawn.text.c_str(), out);
    std::fflush(out);
  }
}

void ProgressAwareLogSink::log(const spdlog::details::log_msg& msg) {
  AboveProgressLine(out_, [&] { ansicolor_sink::log(msg); });
}

void Progress::SetQuiet(bool quiet) { g_quiet = quiet; }

Progress::Progress(std::string label, int64_t total_rows, std::FILE* out)
    : Progress(std::move(label), total_rows, out, !g_quiet && isatty(fileno(out)) != 0) {}

Progress::Progress(std::string label, int64_t total_rows, std::FILE* out, bool enabled)
    : label_(std::move(label)),
      total_rows_(total_rows),
      out_(out),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_ && enabled_ && rows_ > 0) Finish();
  DrawnLine& drawn = Drawn();
  std::lock_guard<std::mutex> lock(drawn.mu);
  if (drawn.owner == this) drawn.owner = nullptr;
}

void Progress::Draw(const std::string& text, bool final) {
  DrawnLine& drawn = Drawn();
  std::lock_guard<std::mutex> lock(drawn.mu);
  const std::string line = "\r\033[K" + text;
  fmt::print(out_, "{}{}", line, final ? "\n" : "");
  std::fflush(out_);
  if (final) {
    if (drawn.owner == this) drawn.owner = nullptr;
  } else {
    drawn.owner = this;
    drawn.out = out_;
    drawn.text = line;
  }
}

std::string HumanCount(double n) {
  if (n < 1e3) return fmt::format("{:.0f}", n);
  if (n < 1e6) return fmt::format("{:.1f}K", n / 1e3);
  if (n < 1e9) return fmt::format("{:.2f}M", n / 1e6);
  return fmt::format("{:.2f}G", n / 1e9);
}

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    u++;
  }
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string HumanDuration(double seconds) {
  auto s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

void Progress::SetSteps(std::string unit) {
  unit_ = std::move(unit);
  steps_ = true;
}

std::string Progress::Line(int64_t rows, int64_t bytes, double seconds) const {
  if (steps_) {
    std::string line = label_ + (note_.empty() ? "" : " " + note_) + fmt::format("  {}", rows);
    if (total_rows_ > 0) line += fmt::format("/{}", total_rows_);
    return line + " " + unit_ + "  " + HumanDuration(seconds);
  }
  std::string line = note_.empty() ? fmt::format("{} {} {}", label_, HumanCount(static_cast<double>(rows)), unit_)
                                   : fmt::format("{} {}  {} {}", label_, note_, HumanCount(static_cast<double>(rows)), unit_);
  if (total_rows_ > 0) line += fmt::format(" / {} ({:.0f}%)", HumanCount(static_cast<double>(total_rows_)),
                                           100.0 * static_cast<double>(rows) / static_cast<double>(total_rows_));
  if (bytes > 0) line += "  " + HumanBytes(static_cast<double>(bytes));
  if (seconds > 0) {
    double rate = static_cast<double>(rows) / seconds;
    line += fmt::format("  {} {}/s", HumanCount(rate), unit_);
    if (total_rows_ > rows && rate > 0) {
      line += "  ETA " + HumanDuration(static_cast<double>(total_rows_ - rows) / rate);
    } else if (total_rows_ == 0 && total_bytes_ > bytes && bytes > 0) {
      line += fmt::format("  {}/s  ETA {}", HumanBytes(static_cast<double>(bytes) / seconds),
                          HumanDuration(static_cast<double>(total_bytes_ - bytes) * seconds / static_cast<double>(bytes)));
    }
  }
  return line;
}

void Progress::Update(int64_t rows, int64_t bytes) {
  rows_ = rows;
  bytes_ = bytes;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(steps_ ? 0 : 100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  Draw(Line(rows_, bytes_, seconds), false);
}

void Progress::Finish() {
  finished_ = true;
  if (!enabled_) return;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  Draw(Line(rows_, bytes_, seconds) + "  in " + HumanDuration(seconds), true);
}

}  // namespace custlake
