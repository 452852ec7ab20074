#include "generate/usage_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "generate/calendar.h"
#include "generate/usage_day.h"
#include "generate/catalog.h"
#include "generate/rng.h"

namespace custlake::generate {

namespace {
constexpr int kRing = 8;              // pending buffers: lines for the next days
constexpr size_t kFlushAt = size_t{4} << 20;
constexpr int kMaxEventsPerDay = 1023;  // event number has 10 bits in the id key
constexpr int32_t kReleaseEveryDays = 42;

// Field bits for Variant::omit / nulls.
enum : uint16_t {
  kFEventId = 1 << 0, kFCustomerId = 1 << 1, kFTs = 1 << 2, kFEventType = 1 << 3, kFFeature = 1 << 4,
  kFDevice = 1 << 5, kFDuration = 1 << 6, kFBytes = 1 << 7, kFVersion = 1 << 8,
};
constexpr uint16_t kOptionalFields[] = {kFFeature, kFDevice, kFDuration, kFBytes, kFVersion};
constexpr uint16_t kRequiredFields[] = {kFEventId, kFCustomerId, kFTs};
constexpr int kOffsets[] = {60, 120, -300, 330, -480, 540};

template <size_t N>
inline char* Lit(char* p, const char (&s)[N]) {
  std::memcpy(p, s, N - 1);
  return p + N - 1;
}
inline char* Str(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}
inline char* Int(char* p, int64_t v) { return std::to_chars(p, p + 24, v).ptr; }
inline char* Hex16(char* p, uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    p[i] = kHex[v & 15];
    v >>= 4;
  }
  return p + 16;
}

// Events beyond the first on an active day: Poisson(mean) by inversion of the
// uniform u (one draw whatever the mean), summing the terms from 0 (about
// mean + 1 steps); for a large mean, the normal approximation.
int ExtraEvents(double mean, double u) {
  if (mean <= 0) return 0;
  if (mean > 50) {
    const double k = std::round(mean + std::sqrt(mean) * NormalQuantile(std::clamp(u, 1e-12, 1 - 1e-12)));
    return static_cast<int>(std::clamp(k, 0.0, double{kMaxEventsPerDay}));
  }
  double p = std::exp(-mean), cdf = p;
  int k = 0;
  while (u >= cdf && k < kMaxEventsPerDay) {
    ++k;
    p *= mean / k;
    cdf += p;
    if (p < 1e-300 && k > mean) break;  // u within rounding of 1
  }
  return k;
}
}  // namespace

enum class UsageWriter::Kind : uint8_t {
  kClean, kNumbersAsStrings, kTzOffset, kTzNaive, kEpochSeconds, kEpochMillis, kExtraFields,
  kMissingOptional, kLate, kMissingRequired, kBadType, kMalformed, kTruncated,
};

struct UsageWriter::Event {
  uint64_t id = 0;
  int64_t customer_id = 0;
  int64_t ts_ms = 0;
  int32_t ms_of_day = 0;
  const char* day_prefix = nullptr;  ///< "YYYY-MM-DDT"
  uint8_t type = 0, feature = 0, device = 0;
  uint16_t version = 0;
  int64_t duration_s = 0, bytes = 0;
};

struct UsageWriter::Variant {
  uint8_t ts_format = 0;  ///< 0 ISO Z, 1 offset, 2 naive, 3 epoch s, 4 epoch ms
  int16_t offset_minutes = 0;
  uint8_t as_strings = 0;  ///< kFCustomerId | kFDuration | kFBytes bits (low byte)
  uint16_t omit = 0;
  uint16_t nulls = 0;
  uint8_t extra = 0;       ///< 0 none, 1..3 which extra fields
  uint16_t bad = 0;        ///< the field carrying an un-coercible value
  uint64_t bits = 0;       ///< randomness for extra values
};

UsageWriter::UsageWriter(const GeneratorOptions& options, const UsageProfiles& profiles)
    : options_(options), profiles_(profiles) {
  window_start_ = profiles.month_start.front();
  window_end_ = profiles.month_start.back();
  id_key_ = DeriveSeed(options.seed, kStreamIds);
  const UsageMessRates& r = options.usage_mess;
  const double rates[12] = {r.numbers_as_strings, r.tz_offset, r.tz_naive, r.epoch_seconds,
                            r.epoch_millis, r.extra_fields, r.missing_optional, r.late,
                            r.missing_required, r.bad_type, r.malformed, r.truncated};
  double cum = 0;
  for (int i = 0; i < 12; ++i) mess_cum_[i] = (cum += rates[i]);
  mess_total_ = cum;

  hour_ = CategoricalTable(HourOfDayWeights());
  event_type_ = CategoricalTable(UsageEventTypeWeights());
  for (int s = 0; s < kSegments; ++s) {
    feature_[s] = CategoricalTable(UsageFeatureWeights(static_cast<Segment>(s)));
    device_[s] = CategoricalTable(UsageDeviceWeights(static_cast<Segment>(s)));
  }
  // Seconds between events of a session: exponential, mean 50 s.
  gap_s_ = QuantileTable::FromQuantile([](double p) { return -std::log1p(-p) * 50.0; });
  // Durations and payload sizes: log-normal.
  duration_s_ = QuantileTable::FromQuantile([](double p) { return 15.0 * std::exp(1.0 * NormalQuantile(p)); });
  bytes_ = QuantileTable::FromQuantile([](double p) { return 12000.0 * std::exp(1.3 * NormalQuantile(p)); });
  // App releases every 6 weeks, numbered from a year before the window.
  first_release_day_ = window_start_ - 365;
  const int releases = (window_end_ - first_release_day_) / kReleaseEveryDays + 1;
  for (int i = 0; i < releases; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "4.%d.%d", i, (i * 7) % 4);
    versions_.emplace_back(buf);
  }
}

UsageWriter::Kind UsageWriter::PickKind(double u) const {
  for (int i = 0; i < 12; ++i) {
    if (u < mess_cum_[i]) return static_cast<Kind>(i + 1);
  }
  return Kind::kClean;
}

char* UsageWriter::Render(char* p, const Event& e, const Variant& v) const {
  const auto types = UsageEventTypes();
  const auto features = UsageFeatures();
  const auto devices = UsageDevices();
  bool first = true;
  auto key = [&](char* q, std::string_view k) {
    if (!first) *q++ = ',';
    first = false;
    return Str(q, k);
  };
  *p++ = '{';
  if (!(v.omit & kFEventId)) {
    p = key(p, "\"event_id\":\"");
    p = Hex16(p, e.id);
    *p++ = '"';
  }
  if (!(v.omit & kFCustomerId)) {
    p = key(p, "\"customer_id\":");
    if (v.bad & kFCustomerId) {
      p = (v.bits & 1) ? Lit(p, "\"unknown\"") : Lit(p, "\"12x45\"");
    } else if (v.as_strings & kFCustomerId) {
      *p++ = '"';
      p = Int(p, e.customer_id);
      *p++ = '"';
    } else {
      p = Int(p, e.customer_id);
    }
  }
  if (!(v.omit & kFTs)) {
    p = key(p, "\"ts\":");
    if (v.bad & kFTs) {
      p = Lit(p, "\"yesterday\"");
    } else {
      switch (v.ts_format) {
        case 0: {  // the common case, without calendar arithmetic
          *p++ = '"';
          p = Str(p, std::string_view(e.day_prefix, 11));
          const int s = e.ms_of_day / 1000;
          const int ms = e.ms_of_day % 1000;
          p = Put2(p, s / 3600);
          *p++ = ':';
          p = Put2(p, s / 60 % 60);
          *p++ = ':';
          p = Put2(p, s % 60);
          *p++ = '.';
          *p++ = static_cast<char>('0' + ms / 100);
          p = Put2(p, ms % 100);
          p = Lit(p, "Z\"");
          break;
        }
        case 1: {
          char suffix[8];
          const int off = v.offset_minutes < 0 ? -v.offset_minutes : v.offset_minutes;
          suffix[0] = v.offset_minutes < 0 ? '-' : '+';
          Put2(suffix + 1, off / 60);
          suffix[3] = ':';
          Put2(suffix + 4, off % 60);
          *p++ = '"';
          p = FormatIsoMillis(p, e.ts_ms, true, v.offset_minutes, std::string_view(suffix, 6));
          *p++ = '"';
          break;
        }
        case 2:
          *p++ = '"';
          p = FormatIsoMillis(p, e.ts_ms, true, 0, "");
          *p++ = '"';
          break;
        case 3: p = Int(p, e.ts_ms / 1000); break;
        default: p = Int(p, e.ts_ms); break;
      }
    }
  }
  p = key(p, "\"event_type\":\"");
  p = Str(p, types[e.type]);
  *p++ = '"';
  auto text_field = [&](uint16_t bit, std::string_view k, std::string_view value) {
    if (v.omit & bit) return;
    p = key(p, k);
    if (v.nulls & bit) {
      p = Lit(p, "null");
    } else {
      *p++ = '"';
      p = Str(p, value);
      *p++ = '"';
    }
  };
  auto number_field = [&](uint16_t bit, std::string_view k, int64_t value, std::string_view bad) {
    if (v.omit & bit) return;
    p = key(p, k);
    if (v.nulls & bit) {
      p = Lit(p, "null");
    } else if (v.bad & bit) {
      p = Str(p, bad);
    } else if (v.as_strings & bit) {
      *p++ = '"';
      p = Int(p, value);
      *p++ = '"';
    } else {
      p = Int(p, value);
    }
  };
  text_field(kFFeature, "\"feature\":", features[e.feature]);
  text_field(kFDevice, "\"device\":", devices[e.device]);
  number_field(kFDuration, "\"duration_s\":", e.duration_s, "\"fast\"");
  number_field(kFBytes, "\"bytes\":", e.bytes, "\"n/a\"");
  text_field(kFVersion, "\"app_version\":", versions_[e.version]);
  switch (v.extra) {
    case 1:
      p = Lit(p, ",\"session_id\":\"");
      p = Hex16(p, Mix64(v.bits));
      *p++ = '"';
      break;
    case 2:
      p = Lit(p, ",\"sdk\":{\"name\":\"custlake-");
      p = Str(p, devices[e.device]);
      p = Lit(p, "\",\"build\":");
      p = Int(p, 4000 + static_cast<int64_t>(v.bits % 900));
      *p++ = '}';
      break;
    case 3:
      p = Lit(p, ",\"_debug\":{\"host\":\"edge-");
      p = Int(p, static_cast<int64_t>(v.bits % 16));
      p = Lit(p, "\",\"retries\":[1,2]},\"ip\":\"203.0.113.");
      p = Int(p, static_cast<int64_t>(v.bits % 250));
      *p++ = '"';
      break;
    default: break;
  }
  *p++ = '}';
  return p;
}

Result<UsageMessCounts> UsageWriter::Write(const std::string& usage_dir, int32_t as_of_day,
                                           const DayProgressFn& progress) {
  RETURN_NOT_OK(MakeDirectories(usage_dir));
  UsageMessCounts counts;
  events_ = 0;
  std::vector<ByteBuffer> pending;
  for (int i = 0; i < kRing; ++i) pending.emplace_back(size_t{1} << 16);
  // Late originals and re-sends waiting in each pending buffer: taken back
  // out of the counts when their day lies past as_of_day.
  int64_t pending_late[kRing] = {}, pending_duplicates[kRing] = {};
  const int32_t stop_day = std::min(window_end_, as_of_day);
  ByteBuffer out(kFlushAt + (size_t{1} << 20), /*aligned=*/true);
  char scratch[2048];

  const int64_t n_customers = static_cast<int64_t>(profiles_.first_day.size());
  const int months = profiles_.months;
  const UsageMessRates& rates = options_.usage_mess;
  const int32_t last_day = window_end_ - 1;
  int month = 0;
  char day_prefix[16];

  for (int32_t day = window_start_; day < stop_day; ++day) {
    while (day >= profiles_.month_start[month + 1]) ++month;
    char* dp = FormatDate(day_prefix, day);
    *dp = 'T';
    const int64_t day_ms = int64_t{day} * 86400000;
    const uint64_t day_seed = UsageDaySeed(options_.seed, day);
    const uint64_t day_key = static_cast<uint64_t>(day - window_start_) << 10;
    const int version_base = day - first_release_day_;

    const std::string path = usage_dir + "/" + DateString(day) + ".ndjson";
    ASSIGN_OR_RETURN(auto file, OutputFile::Create(path, /*direct=*/true));
    int64_t lines = 0;

    for (int64_t c = 0; c < n_customers; ++c) {
      if (day < profiles_.first_day[c] || day >= profiles_.end_day[c]) continue;
      const UsageProfiles::Rates& rate = profiles_.rates[static_cast<size_t>(c) * months + month];
      SplitMix64 rng = UsageDayStream(day_seed, c);
      if (rng.Uniform() >= rate.p_active) continue;  // as UsesProductOn (the model counts these days)
      const int n = std::min(1 + ExtraEvents(rate.extra_events, rng.Uniform()), kMaxEventsPerDay);
      const double slow = rate.duration_factor;  // engaged: longer events and sessions
      const int seg = profiles_.segment[c];
      const uint8_t preferred_device = profiles_.device[c];
      const uint64_t customer_hash = Mix64(static_cast<uint64_t>(c) ^ id_key_);
      const int lag = static_cast<int>(customer_hash % 60);
      const int version = std::clamp((version_base - lag) / kReleaseEveryDays, 0,
                                     static_cast<int>(versions_.size()) - 1);
      uint64_t bits = rng.Next();
      double t = static_cast<double>(hour_.Pick(bits) * 3600 + static_cast<int>((bits >> 20) % 3600));
      const double t0 = t;
      Event e;
      e.customer_id = CompanyModel::CustomerId(c);
      e.day_prefix = day_prefix;
      e.version = static_cast<uint16_t>(version);
      const uint64_t key_base = (static_cast<uint64_t>(c) << 24) | day_key;

      for (int k = 0; k < n; ++k) {
        if (k > 0) t += slow * gap_s_.Pick(rng.Next());
        const uint64_t b1 = rng.Next();
        const uint64_t b2 = rng.Next();
        const int sec = std::min(static_cast<int>(t), 86399);
        e.ms_of_day = sec * 1000 + static_cast<int>(b1 % 1000);
        e.ts_ms = day_ms + e.ms_of_day;
        e.id = Mix64(key_base | static_cast<uint64_t>(k)) ^ id_key_;
        if (k == 0) {
          e.type = 0;
        } else if (k == n - 1) {
          e.type = 1;
        } else {
          e.type = static_cast<uint8_t>(2 + event_type_.Pick(b1));
        }
        e.feature = static_cast<uint8_t>(feature_[seg].Pick(b2));
        e.device = ((b2 >> 20) & 1023) < 870 ? preferred_device
                                              : static_cast<uint8_t>(device_[seg].Pick(b2 << 10));
        e.duration_s = e.type == 1 ? static_cast<int64_t>(t - t0) + 1
                                   : static_cast<int64_t>(slow * duration_s_.Pick(b2 << 20));
        double bytes = bytes_.Pick(b1 << 12);
        if (e.type == 5 || e.type == 8) bytes *= 25.0;  // export, upload
        e.bytes = static_cast<int64_t>(bytes);

        // Mess: one draw decides the kind (the clean path is one comparison).
        Variant v;
        Kind kind = Kind::kClean;
        const double u = rng.Uniform();
        if (u < mess_total_) {
          kind = PickKind(u);
          const uint64_t mb = rng.Next();
          v.bits = mb;
          switch (kind) {
            case Kind::kNumbersAsStrings: {
              static constexpr uint8_t kMasks[] = {kFCustomerId, kFDuration, kFBytes,
                                                   kFCustomerId | kFDuration | kFBytes};
              v.as_strings = kMasks[mb % 4];
              break;
            }
            case Kind::kTzOffset:
              v.ts_format = 1;
              v.offset_minutes = static_cast<int16_t>(kOffsets[mb % 6]);
              break;
            case Kind::kTzNaive: v.ts_format = 2; break;
            case Kind::kEpochSeconds: v.ts_format = 3; break;
            case Kind::kEpochMillis: v.ts_format = 4; break;
            case Kind::kExtraFields: v.extra = static_cast<uint8_t>(1 + mb % 3); break;
            case Kind::kMissingOptional:
              if ((mb >> 8) & 1) {
                v.nulls = kOptionalFields[mb % 5];
              } else {
                v.omit = kOptionalFields[mb % 5];
              }
              break;
            case Kind::kLate:
              if (day + 1 > last_day) kind = Kind::kClean;  // nowhere later to go
              break;
            case Kind::kMissingRequired: v.omit = kRequiredFields[mb % 3]; break;
            case Kind::kBadType: {
              static constexpr uint16_t kBad[] = {kFCustomerId, kFTs, kFBytes, kFDuration};
              v.bad = kBad[mb % 4];
              break;
            }
            default: break;
          }
        }

        int32_t late_target = day;  // the file the original line goes to
        // Render straight into the output buffer, or into scratch for lines
        // that go elsewhere or get mangled.
        const bool direct = kind != Kind::kLate && kind != Kind::kMalformed && kind != Kind::kTruncated;
        char* line = direct ? out.Reserve(1024) : scratch;
        char* end = Render(line, e, v);
        switch (kind) {
          case Kind::kLate: {
            *end++ = '\n';
            late_target = std::min(last_day, day + 1 + static_cast<int32_t>(v.bits % 3));
            const int32_t target = late_target;
            pending[target % kRing].Append(std::string_view(line, static_cast<size_t>(end - line)));
            ++pending_late[target % kRing];
            break;
          }
          case Kind::kTruncated: {
            const size_t len = static_cast<size_t>(end - line);
            const size_t cut = 1 + static_cast<size_t>(v.bits % (len - 2));
            line[cut] = '\n';
            out.Append(std::string_view(line, cut + 1));
            break;
          }
          case Kind::kMalformed: {
            char* q = out.Reserve(1024);
            switch (v.bits % 4) {
              case 0:  // unquoted keys
                for (char* s = line; s < end; ++s) {
                  if (*s == '"' && (s[-1] == '{' || s[-1] == ',')) {
                    char* close = static_cast<char*>(std::memchr(s + 1, '"', static_cast<size_t>(end - s - 1)));
                    q = Str(q, std::string_view(s + 1, static_cast<size_t>(close - s - 1)));
                    s = close;
                  } else {
                    *q++ = *s;
                  }
                }
                break;
              case 1:  // single quotes
                for (char* s = line; s < end; ++s) *q++ = *s == '"' ? '\'' : *s;
                break;
              case 2:  // a plain-text log line
                q = Str(q, std::string_view(e.day_prefix, 11));
                q = Put2(q, e.ms_of_day / 3600000);
                q = Lit(q, ":00:00Z WARN collector[");
                q = Int(q, static_cast<int64_t>(v.bits % 9000) + 1000);
                q = Lit(q, "]: upstream timeout, batch dropped");
                break;
              default: {  // a missing comma before "ts"
                std::string_view whole(line, static_cast<size_t>(end - line));
                const size_t at = whole.find(",\"ts\":");
                q = Str(q, whole.substr(0, at));
                q = Str(q, whole.substr(at + 1));
                break;
              }
            }
            *q++ = '\n';
            out.Advance(q);
            break;
          }
          default:
            *end++ = '\n';
            out.Advance(end);
            break;
        }
        if (kind != Kind::kLate) ++lines;

        switch (kind) {
          case Kind::kClean: ++counts.clean; break;
          case Kind::kNumbersAsStrings: ++counts.numbers_as_strings; break;
          case Kind::kTzOffset: ++counts.tz_offset; break;
          case Kind::kTzNaive: ++counts.tz_naive; break;
          case Kind::kEpochSeconds: ++counts.epoch_seconds; break;
          case Kind::kEpochMillis: ++counts.epoch_millis; break;
          case Kind::kExtraFields: ++counts.extra_fields; break;
          case Kind::kMissingOptional: ++counts.missing_optional; break;
          case Kind::kLate: ++counts.late; break;
          case Kind::kMissingRequired: ++counts.missing_required; break;
          case Kind::kBadType: ++counts.bad_type; break;
          case Kind::kMalformed: ++counts.malformed; break;
          case Kind::kTruncated: ++counts.truncated; break;
        }
        const bool committed = kind <= Kind::kLate;
        // Exact re-sends of committed lines, same day or up to 3 days later.
        if (committed && rates.duplicate > 0 && rng.Uniform() < rates.duplicate) {
          const uint64_t db = rng.Next();
          // Never before the original's file, so the first copy met in date order is the original.
          const int32_t target = std::min(last_day, late_target + static_cast<int32_t>(db % 4));
          std::string_view copy;
          if (kind == Kind::kLate) {
            copy = std::string_view(line, static_cast<size_t>(end - line));
          } else {
            const std::string_view all = out.view();
            const size_t len = static_cast<size_t>(end - line);
            copy = all.substr(all.size() - len);
          }
          pending[target % kRing].Append(copy);  // never `out`: no aliasing
          ++pending_duplicates[target % kRing];
          ++counts.duplicates;
        }
        ++events_;
      }
      if (out.size() >= kFlushAt) RETURN_NOT_OK(out.FlushTo(file.get()));
    }
    // Lines that arrive today from earlier days (late events, re-sends).
    ByteBuffer& arriving = pending[day % kRing];
    for (char ch : arriving.view()) lines += ch == '\n';
    out.Append(arriving.view());
    arriving.Clear();
    pending_late[day % kRing] = pending_duplicates[day % kRing] = 0;
    RETURN_NOT_OK(out.FlushTo(file.get(), /*last=*/true));
    counts.bytes += file->bytes_written();
    RETURN_NOT_OK(file->Commit());
    ++counts.files;
    counts.records_in_files += lines;
    if (progress) progress(day - window_start_ + 1, stop_day - window_start_, counts.bytes);
  }
  // What waits for days past as_of_day has not arrived yet (targets lie at
  // most 6 days ahead, within the ring).
  for (int k = 0; k < kRing; ++k) {
    counts.late -= pending_late[k];
    events_ -= pending_late[k];
    counts.duplicates -= pending_duplicates[k];
  }
  counts.committed = counts.clean + counts.numbers_as_strings + counts.tz_offset + counts.tz_naive +
                     counts.epoch_seconds + counts.epoch_millis + counts.extra_fields +
                     counts.missing_optional + counts.late;
  counts.quarantined = counts.malformed + counts.truncated + counts.missing_required + counts.bad_type;
  RETURN_NOT_OK(counts.CheckConsistent());
  return counts;
}

}  // namespace custlake::generate
