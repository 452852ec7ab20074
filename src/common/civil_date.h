// Days since 1970-01-01 to and from a proleptic Gregorian year, month and day (Howard Hinnant's
// algorithms), for any year an int64_t day count holds.
#pragma once

#include <cstdint>

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

}  // namespace custlake
