// Calendar days and the time units of the CLV models.
//
// Transactions carry calendar dates; the models measure time in fractional
// units (days, weeks = days / 7, months = days / (365.25 / 12)) counted from a
// customer's first purchase, as in the published CDNOW work. Days are counted
// from 1970-01-01 (proleptic Gregorian calendar), so differences are exact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace custlake::clv {

/// Days since 1970-01-01 of a date written YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD,
/// optionally followed by a time ("T12:00:00", " 12:00"), which is ignored.
/// nullopt when the text is not such a date or names a day that does not exist.
std::optional<int64_t> ParseDay(std::string_view text);

/// YYYY-MM-DD of a day number.
std::string FormatDay(int64_t day);

enum class TimeUnit { kDay, kWeek, kMonth };

/// "day", "week" or "month" (plural accepted); an error naming the choices otherwise.
Result<TimeUnit> ParseTimeUnit(std::string_view text);
std::string_view TimeUnitName(TimeUnit unit);
/// Days in one unit: 1, 7, or 365.25 / 12.
double DaysPerUnit(TimeUnit unit);
/// A suffix for column names stating a horizon in this unit: 52 weeks -> "52w".
std::string HorizonSuffix(double horizon, TimeUnit unit);

}  // namespace custlake::clv
