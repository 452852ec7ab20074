// Timestamp parsing for ingestion: the mixed formats real logs use,
// normalised to microseconds since the epoch, UTC.
//
// Accepted text: ISO-8601 / RFC 3339 dates and date-times with 'T' or ' '
// between date and time, optional fractional seconds (up to 9 digits, cut to
// microseconds), and a zone of 'Z', '+HH:MM', '+HHMM', '+HH' (or '-'); no zone
// means UTC ("naive" times are taken as UTC). Purely numeric text and JSON
// numbers are epoch times: seconds below 1e11 in magnitude, milliseconds
// below 1e14, microseconds above (so 1714557296 and 1714557296000 both work).
//
// Pure functions, thread-safe, no allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace custlake::ingest {


/// Parses `text` as above; nullopt when it is not a timestamp or falls
/// outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999Z once its offset
/// is applied.
std::optional<int64_t> ParseTimestampMicros(std::string_view text);
/// An epoch number (seconds, millis or micros by magnitude) to micros;
/// nullopt when out of the supported range (years 0001..9999).
std::optional<int64_t> EpochNumberToMicros(double value);
std::optional<int64_t> EpochIntegerToMicros(int64_t value);
/// Parses a date "YYYY-MM-DD" (or any timestamp, truncated) to epoch days.
std::optional<int64_t> ParseDateDays(std::string_view text);
/// "YYYY-MM-DD" of a day number within 0001-01-01..9999-12-31 (the range of
/// every parsed or converted timestamp and date).
void FormatDate(int64_t days, char out[11]);

/// "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) of micros within the supported range.
std::string FormatTimestampMicros(int64_t micros);

/// Floor division of micros to days.
inline int64_t MicrosToDays(int64_t micros) {
  constexpr int64_t kPerDay = 86400LL * 1000000LL;
  return micros >= 0 ? micros / kPerDay : -((-micros + kPerDay - 1) / kPerDay);
}

}  // namespace custlake::ingest
