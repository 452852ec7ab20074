// A progress line for long work: rows, bytes, rate and ETA, redrawn at most
// ten times a second on stderr — only when stderr is a terminal and the user
// did not ask for --quiet. In pipes, CI logs and --json runs it prints nothing.
//
// One Progress is driven by one thread (Update/Finish); it is cheap enough to
// call Update for every batch. Log lines and results printed from any thread
// go through AboveProgressLine (the CLI's log sink does), which clears the
// line drawn last and draws it again below them, so the two never tear.
#pragma once

#include <spdlog/sinks/ansicolor_sink.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace custlake {

class Progress {
 public:
  /// `total_rows` may be 0 when unknown (no ETA then). `out` defaults to
  /// stderr; `enabled` defaults to "out is a terminal and not --quiet".
  Progress(std::string label, int64_t total_rows = 0, std::FILE* out = stderr);
  Progress(std::string label, int64_t total_rows, std::FILE* out, bool enabled);
  ~Progress();

  /// What is counted ("rows" unless set): "events", "days", "files".
  Progress& Unit(std::string unit) {
    unit_ = std::move(unit);
    return *this;
  }
  /// Sets the absolute counts done so far.
  void Update(int64_t rows, int64_t bytes = 0);
  /// When the total of rows is unknown but the bytes are (files to read),
  /// the ETA comes from bytes.
  void SetTotalBytes(int64_t total_bytes) { total_bytes_ = total_bytes; }
  /// Text shown after the label ("3/12 files", the model running); may change between updates.
  void SetNote(std::string note) { note_ = std::move(note); }
  /// Draws the final line and a newline.
  void Finish();

  /// Steps instead of rows: the line reads "LABEL DETAIL  3/9 steps  0:12"
  /// (unit, done/total, elapsed; no rate or ETA). For work counted in a few
  /// uneven steps, such as `custlake build`'s models.
  void SetSteps(std::string unit);
  /// Changes the total (steps found as the work starts).
  void SetTotal(int64_t total) { total_rows_ = total; }
  bool enabled() const { return enabled_; }

  /// Globally silences progress output (the CLI's --quiet and --json).
  static void SetQuiet(bool quiet);

  /// The text of the line for these counts (exposed for tests).
  std::string Line(int64_t rows, int64_t bytes, double seconds) const;

 private:
  std::string label_;
  std::string unit_ = "rows";
  bool steps_ = false;  ///< SetSteps: done/total and elapsed, no rate or ETA
  std::string note_;
  int64_t total_rows_;
  int64_t total_bytes_ = 0;
  std::FILE* out_;
  bool enabled_;
  bool finished_ = false;
  int64_t rows_ = 0, bytes_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;

  /// Draws `text` as the current line (and a newline when `final`).
  void Draw(const std::string& text, bool final);
};

/// Runs `write`, which prints whole lines to `out` (or to another stream
/// shown on the same terminal), with the progress line drawn on `out` cleared
/// first and drawn again after, so the lines never land inside it.
/// Thread-safe: Progress draws under the same lock.
void AboveProgressLine(std::FILE* out, const std::function<void()>& write);

/// spdlog's colour sink for `out`, writing each message above the progress
/// line (AboveProgressLine): the CLI's logger.
class ProgressAwareLogSink : public spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex> {
 public:
  explicit ProgressAwareLogSink(std::FILE* out = stderr,
                                spdlog::color_mode mode = spdlog::color_mode::automatic)
      : ansicolor_sink(out, mode), out_(out) {}
  void log(const spdlog::details::log_msg& msg) override;

 private:
  std::FILE* out_;
};

/// 1234567 → "1.23M"; 999 → "999".
std::string HumanCount(double n);
/// 1536 → "1.5 KB" (powers of 1024, one decimal).
std::string HumanBytes(double bytes);
/// 75 → "1:15"; 3725 → "1:02:05".
std::string HumanDuration(double seconds);

}  // namespace custlake
