// Writes the usage landing files: usage/YYYY-MM-DD.ndjson, one event per
// line, one file per day of the window, with the mess of real logs at the
// rates of UsageMessRates, counted exactly as truth.h specifies.
//
// This is the generator's hot path (tens of millions of lines). Per
// customer-day a SplitMix64 keyed by (seed, customer, day) decides whether
// the customer uses the product (probability from UsageProfiles) and how
// much (events beyond the first: Poisson with the customer-month's mean from
// UsageProfiles, which follows the month's engagement, as do the events'
// durations);
// each line is formatted by hand into a reused multi-megabyte buffer
// (no allocation, no iostreams) and written with large write(2) calls.
// Late and duplicate lines wait in small per-day buffers of a ring and are
// appended to the file of their target day.
//
// Event ids are a bijective mix of (customer, day, event number), so they
// are unique without any shared counter. Output depends only on the options
// and the profiles. A UsageWriter is used by one thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "generate/company_model.h"
#include "generate/distributions.h"
#include "generate/options.h"
#include "generate/truth.h"

namespace custlake::generate {

/// (done, total) in days, and the bytes written so far.
using DayProgressFn = std::function<void(int64_t done, int64_t total, int64_t bytes)>;

class UsageWriter {
 public:
  /// `profiles` must outlive the writer.
  UsageWriter(const GeneratorOptions& options, const UsageProfiles& profiles);

  /// Writes the day files of the window before `as_of_day` (an epoch day;
  /// the window's end for all of them) into `usage_dir` (created if needed).
  /// Late and re-sent lines bound for a later day's file are not written and
  /// not counted: they arrive with that file when a later date is generated.
  Result<UsageMessCounts> Write(const std::string& usage_dir, int32_t as_of_day,
                                const DayProgressFn& progress = {});

  /// Number of usage events (original records, not duplicates) the last Write produced.
  int64_t events() const { return events_; }

 private:
  struct Event;
  struct Variant;
  enum class Kind : uint8_t;
  char* Render(char* out, const Event& e, const Variant& v) const;
  Kind PickKind(double u) const;

  const GeneratorOptions options_;
  const UsageProfiles& profiles_;
  int32_t window_start_ = 0, window_end_ = 0;
  uint64_t id_key_ = 0;
  double mess_total_ = 0;
  double mess_cum_[13] = {};
  CategoricalTable hour_, event_type_, feature_[kSegments], device_[kSegments];
  QuantileTable gap_s_, duration_s_, bytes_;
  std::vector<std::string> versions_;
  int32_t first_release_day_ = 0;
  int64_t events_ = 0;
};

}  // namespace custlake::generate
