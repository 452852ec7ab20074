// Days since 1970-01-01 to and from a proleptic Gregorian year, month and day (Howard Hinnant's
// algorithms), for any year an int64_t day count holds.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace custlake {

/// Days since 1970-01-01 of year `y`, month `m` (1-12), day `d` (1-31).
constexpr int64_t DaysFromCivilDate(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/// The year, month (1-12) and day (1-31) of `days` since 1970-01-01.
constexpr void CivilDateFromDays(int64_t days, int64_t* y, int64_t* m, int64_t* d) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

static_assert(DaysFromCivilDate(1970, 1, 1) == 0 && DaysFromCivilDate(2000, 3, 1) == 11017);

/// "YYYY-MM-DD HH:MM:SS.ffffff" of `micros` since 1970-01-01 00:00:00 (UTC); times before the epoch count
/// back from it (-1 is 1969-12-31 23:59:59.999999).
inline std::string FormatDateTimeMicros(int64_t micros) {
  constexpr int64_t kDay = 86400LL * 1000000;
  int64_t days = micros / kDay, rest = micros % kDay;
  if (rest < 0) {
    rest += kDay;
    --days;
  }
  int64_t y = 0, m = 0, d = 0;
  CivilDateFromDays(days, &y, &m, &d);
  const int64_t secs = rest / 1000000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%06lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                static_cast<long long>(rest % 1000000));
  return buf;
}

}  // namespace custlake
