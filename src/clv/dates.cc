#include "clv/dates.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "common/civil_date.h"

namespace custlake::clv {
namespace {

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads `count` digits at text[pos]; false if any is not a digit.
bool Digits(std::string_view text, size_t pos, size_t count, unsigned* out) {
  if (pos + count > text.size()) return false;
  unsigned v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    v = v * 10 + static_cast<unsigned>(text[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::optional<int64_t> ParseDay(std::string_view text) {
  unsigned y = 0, m = 0, d = 0;
  size_t end = 0;
  if (text.size() >= 10 && (text[4] == '-' || text[4] == '/') && text[7] == text[4]) {
    if (!Digits(text, 0, 4, &y) || !Digits(text, 5, 2, &m) || !Digits(text, 8, 2, &d)) return std::nullopt;
    end = 10;
  } else {
    if (!Digits(text, 0, 4, &y) || !Digits(text, 4, 2, &m) || !Digits(text, 6, 2, &d)) return std::nullopt;
    end = 8;
  }
  if (end < text.size() && text[end] != 'T' && text[end] != ' ') return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  return DaysFromCivilDate(y, m, d);
}

std::string FormatDay(int64_t day) {
  int64_t y = 0, m = 0, d = 0;
  CivilDateFromDays(day, &y, &m, &d);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

Result<TimeUnit> ParseTimeUnit(std::string_view text) {
  if (text == "day" || text == "days") return TimeUnit::kDay;
  if (text == "week" || text == "weeks") return TimeUnit::kWeek;
  if (text == "month" || text == "months") return TimeUnit::kMonth;
  return Status::InvalidArgument(fmt::format("unknown time unit '{}': use day, week or month", text));
}

std::string_view TimeUnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kDay:
      return "day";
    case TimeUnit::kWeek:
      return "week";
    case TimeUnit::kMonth:
      return "month";
  }
  return "day";
}

double DaysPerUnit(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kDay:
      return 1.0;
    case TimeUnit::kWeek:
      return 7.0;
    case TimeUnit::kMonth:
      return 365.25 / 12.0;
  }
  return 1.0;
}

std::string HorizonSuffix(double horizon, TimeUnit unit) {
  return fmt::format("{:g}{}", horizon, TimeUnitName(unit).substr(0, 1));
}

}  // namespace custlake::clv
