#include "generate/calendar.h"

#include <charconv>
#include <cstring>

namespace custlake::generate {

int32_t DaysFromCivil(CivilDate d) {
  const int y = d.year - (d.month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(d.month + (d.month > 2 ? -3 : 9));
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d.day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

CivilDate CivilFromDays(int32_t days) {
  const int32_t z = days + 719468;
  const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{y + (m <= 2 ? 1 : 0), static_cast<int>(m), static_cast<int>(d)};
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

int32_t AddMonthsToFirst(int32_t first_of_month, int months) {
  CivilDate c = CivilFromDays(first_of_month);
  int index = c.year * 12 + (c.month - 1) + months;
  int year = index >= 0 ? index / 12 : (index - 11) / 12;
  return DaysFromCivil(CivilDate{year, index - year * 12 + 1, 1});
}

Result<int32_t> ParseDate(std::string_view text, std::string_view what) {
  auto bad = [&]() {
    return Status::InvalidArgument(std::string(what) + ": '" + std::string(text) +
                                   "' is not a date; write it as YYYY-MM-DD, e.g. 2025-01-01");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  CivilDate c;
  auto parse = [&](size_t pos, size_t len, int* out) {
    auto r = std::from_chars(text.data() + pos, text.data() + pos + len, *out);
    return r.ec == std::errc() && r.ptr == text.data() + pos + len;
  };
  if (!parse(0, 4, &c.year) || !parse(5, 2, &c.month) || !parse(8, 2, &c.day)) return bad();
  if (c.year < 1900 || c.year > 9999 || c.month < 1 || c.month > 12 || c.day < 1 ||
      c.day > DaysInMonth(c.year, c.month)) {
    return bad();
  }
  return DaysFromCivil(c);
}

char* FormatDate(char* out, int32_t days) {
  const CivilDate c = CivilFromDays(days);
  out = Put2(out, c.year / 100);
  out = Put2(out, c.year % 100);
  *out++ = '-';
  out = Put2(out, c.month);
  *out++ = '-';
  return Put2(out, c.day);
}

namespace {
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

char* FormatClock(char* out, int64_t second_of_day) {
  const int s = static_cast<int>(second_of_day);
  out = Put2(out, s / 3600);
  *out++ = ':';
  out = Put2(out, s / 60 % 60);
  *out++ = ':';
  return Put2(out, s % 60);
}
}  // namespace

char* FormatSqlTimestamp(char* out, int64_t epoch_seconds) {
  const int64_t days = FloorDiv(epoch_seconds, 86400);
  out = FormatDate(out, static_cast<int32_t>(days));
  *out++ = ' ';
  return FormatClock(out, epoch_seconds - days * 86400);
}

char* FormatIsoMillis(char* out, int64_t epoch_ms, bool with_millis, int local_offset_minutes,
                      std::string_view suffix) {
  const int64_t local_ms = epoch_ms + int64_t{local_offset_minutes} * 60000;
  const int64_t days = FloorDiv(local_ms, 86400000);
  const int64_t ms_of_day = local_ms - days * 86400000;
  out = FormatDate(out, static_cast<int32_t>(days));
  *out++ = 'T';
  out = FormatClock(out, ms_of_day / 1000);
  if (with_millis) {
    const int ms = static_cast<int>(ms_of_day % 1000);
    *out++ = '.';
    *out++ = static_cast<char>('0' + ms / 100);
    out = Put2(out, ms % 100);
  }
  std::memcpy(out, suffix.data(), suffix.size());
  return out + suffix.size();
}

std::string DateString(int32_t days) {
  char buf[16];
  return std::string(buf, FormatDate(buf, days));
}

std::string SqlTimestampString(int64_t epoch_seconds) {
  char buf[32];
  return std::string(buf, FormatSqlTimestamp(buf, epoch_seconds));
}

}  // namespace custlake::generate
