#include "ingest/timestamp_parse.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "common/civil_date.h"

namespace custlake::ingest {

void FormatDate(int64_t days, char out[11]) {
  int64_t y = 0, m = 0, d = 0;
  CivilDateFromDays(days, &y, &m, &d);
  // Callers format partition values of coerced timestamps and dates, which
  // are within 0001..9999 (ParseTimestampMicros and the epoch conversions
  // check the range after applying offsets), so four digits suffice.
  const int yy = static_cast<int>(y);
  out[0] = static_cast<char>('0' + yy / 1000);
  out[1] = static_cast<char>('0' + yy / 100 % 10);
  out[2] = static_cast<char>('0' + yy / 10 % 10);
  out[3] = static_cast<char>('0' + yy % 10);
  out[4] = '-';
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[7] = '-';
  out[8] = static_cast<char>('0' + d / 10);
  out[9] = static_cast<char>('0' + d % 10);
  out[10] = '\0';
}

std::string FormatTimestampMicros(int64_t micros) { return FormatDateTimeMicros(micros); }

namespace {

constexpr int64_t kMinMicros = -62135596800LL * 1000000LL;  // 0001-01-01
constexpr int64_t kMaxMicros = 253402300799LL * 1000000LL + 999999;  // 9999-12-31 23:59:59.999999

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

unsigned DaysInMonth(int y, int m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> ParseEpochText(std::string_view s) {
  bool neg = false;
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    i = 1;
  }
  if (i >= s.size() || s.size() - i > 17) return std::nullopt;
  int64_t v = 0;
  size_t dot = std::string_view::npos;
  for (size_t k = i; k < s.size(); k++) {
    if (s[k] == '.' && dot == std::string_view::npos) {
      dot = k;
      continue;
    }
    if (s[k] < '0' || s[k] > '9') return std::nullopt;
  }
  if (dot != std::string_view::npos) {
    double d = 0;
    std::string tmp(s);
    if (std::sscanf(tmp.c_str(), "%lf", &d) != 1) return std::nullopt;
    return EpochNumberToMicros(d);
  }
  for (size_t k = i; k < s.size(); k++) v = v * 10 + (s[k] - '0');
  return EpochIntegerToMicros(neg ? -v : v);
}

}  // namespace

std::optional<int64_t> EpochIntegerToMicros(int64_t v) {
  const int64_t a = v < 0 ? -v : v;
  int64_t micros;
  if (a < 100000000000LL) {
    micros = v * 1000000LL;
  } else if (a < 100000000000000LL) {
    micros = v * 1000LL;
  } else if (a < 100000000000000000LL) {
    micros = v;
  } else {
    return std::nullopt;
  }
  if (micros < kMinMicros || micros > kMaxMicros) return std::nullopt;
  return micros;
}

std::optional<int64_t> EpochNumberToMicros(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  const double a = std::fabs(v);
  double micros;
  if (a < 1e11) {
    micros = v * 1e6;
  } else if (a < 1e14) {
    micros = v * 1e3;
  } else if (a < 1e17) {
    micros = v;
  } else {
    return std::nullopt;
  }
  if (micros < static_cast<double>(kMinMicros) || micros > static_cast<double>(kMaxMicros)) return std::nullopt;
  return static_cast<int64_t>(std::llround(micros));
}

namespace {
// Every timestamp is re-checked once complete: an offset (or a leap second)
// can move a time at the edge of 0001..9999 out of it.
std::optional<int64_t> ParseIso(std::string_view s);
}  // namespace

std::optional<int64_t> ParseTimestampMicros(std::string_view text) {
  auto micros = ParseIso(Trim(text));
  if (micros && (*micros < kMinMicros || *micros > kMaxMicros)) return std::nullopt;
  return micros;
}

namespace {
std::optional<int64_t> ParseIso(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.size() < 5 || s[4] != '-') return ParseEpochText(s);
  int y, mo, d;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d)) {
    return std::nullopt;
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > DaysInMonth(y, mo)) return std::nullopt;
  int64_t micros = DaysFromCivilDate(y, mo, d) * 86400LL * 1000000LL;
  size_t p = 10;
  if (p == s.size()) return micros;
  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return std::nullopt;
  p++;
  int h, mi, sec = 0;
  if (!Digits(s, p, 2, &h) || p + 2 >= s.size() || s[p + 2] != ':' || !Digits(s, p + 3, 2, &mi)) return std::nullopt;
  p += 5;
  if (p < s.size() && s[p] == ':') {
    if (!Digits(s, p + 1, 2, &sec)) return std::nullopt;
    p += 3;
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;  // 60: leap second, taken as :59 + 1 s
  micros += (h * 3600LL + mi * 60LL + sec) * 1000000LL;
  if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
    p++;
    int64_t frac = 0;
    int n = 0;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (n < 6) frac = frac * 10 + (s[p] - '0');
      n++;
      p++;
    }
    if (n == 0 || n > 9) return std::nullopt;
    for (int k = n; k < 6; k++) frac *= 10;
    micros += frac;
  }
  if (p == s.size()) return micros;  // naive: UTC
  if (s[p] == ' ') p++;
  if (p == s.size()) return std::nullopt;
  if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) return micros;
  if (s.substr(p) == "UTC" || s.substr(p) == "GMT") return micros;
  if (s[p] != '+' && s[p] != '-') return std::nullopt;
  const int sign = s[p] == '+' ? 1 : -1;
  p++;
  int oh, om = 0;
  if (!Digits(s, p, 2, &oh)) return std::nullopt;
  p += 2;
  if (p < s.size()) {
    if (s[p] == ':') p++;
    if (!Digits(s, p, 2, &om)) return std::nullopt;
    p += 2;
  }
  if (p != s.size() || oh > 18 || om > 59) return std::nullopt;
  micros -= sign * (oh * 3600LL + om * 60LL) * 1000000LL;
  return micros;
}
}  // namespace

std::optional<int64_t> ParseDateDays(std::string_view text) {
  auto t = ParseTimestampMicros(text);
  if (!t) return std::nullopt;
  return MicrosToDays(*t);
}

}  // namespace custlake::ingest
