// Calendar arithmetic and fast timestamp formatting for the generator.
//
// Days are counted from 1970-01-01 (int32, "epoch days"); instants are
// seconds or milliseconds since the epoch, always UTC. The formatting
// functions write into a caller's buffer and return the end pointer: no
// allocation, no locale, no iostreams, because the usage writer formats
// tens of millions of timestamps. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace custlake::generate {

struct CivilDate {
  int year = 1970;
  int month = 1;  ///< 1..12
  int day = 1;    ///< 1..31
};

/// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
int32_t DaysFromCivil(CivilDate d);
CivilDate CivilFromDays(int32_t days);
int DaysInMonth(int year, int month);
/// The epoch day of the first day of the month `months` after the month of `day`.
int32_t AddMonthsToFirst(int32_t first_of_month, int months);

/// Parses "YYYY-MM-DD"; the error names `what` (an option name).
Result<int32_t> ParseDate(std::string_view text, std::string_view what);

/// "YYYY-MM-DD" (10 chars).
char* FormatDate(char* out, int32_t days);
/// "YYYY-MM-DD HH:MM:SS" (19 chars): the db::Value timestamp form, UTC.
char* FormatSqlTimestamp(char* out, int64_t epoch_seconds);
/// "YYYY-MM-DDTHH:MM:SS[.mmm]" followed by `suffix` ("Z", "+02:00", "").
/// `local_offset_minutes` shifts the wall-clock time (the instant written
/// is the same: 10:00Z and 12:00+02:00 are equal).
char* FormatIsoMillis(char* out, int64_t epoch_ms, bool with_millis, int local_offset_minutes,
                      std::string_view suffix);

std::string DateString(int32_t days);
std::string SqlTimestampString(int64_t epoch_seconds);

/// Two ASCII digits of 0..99 without division in the caller.
inline char* Put2(char* out, int v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
  return out + 2;
}

}  // namespace custlake::generate
