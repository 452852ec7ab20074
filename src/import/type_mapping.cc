#include "import/type_mapping.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/civil_date.h"
#include "engine/engine.h"

namespace custlake::importer {

namespace {

std::string Upper(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

bool IsBinarySourceType(const std::string& t) {
  return t == "blob" || t == "varbinary" || t == "binary" || t == "bytea" || t == "tinyblob" ||
         t == "mediumblob" || t == "longblob";
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidDate(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  int max = kDays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
  return d <= max;
}

}  // namespace

bool ParseDateDays(std::string_view text, int32_t* days) {
  int y, m, d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4, &y) || !Digits(text, 5, 2, &m) ||
      !Digits(text, 8, 2, &d) || !ValidDate(y, m, d)) {
    return false;
  }
  *days = static_cast<int32_t>(DaysFromCivilDate(y, m, d));
  return true;
}

namespace {

// "Z", "+HH", "+HH:MM" or "+HHMM" ('-' too), after at most one space: the
// offset east of UTC in seconds.
bool ParseZoneOffset(std::string_view zone, int* seconds) {
  if (!zone.empty() && zone[0] == ' ') zone.remove_prefix(1);
  if (zone == "Z" || zone == "z") {
    *seconds = 0;
    return true;
  }
  if (zone.size() < 3 || (zone[0] != '+' && zone[0] != '-')) return false;
  int hh = 0, mm = 0;
  if (!Digits(zone, 1, 2, &hh)) return false;
  const bool minutes_ok = zone.size() == 3 ||
                          (zone.size() == 6 && zone[3] == ':' && Digits(zone, 4, 2, &mm)) ||
                          (zone.size() == 5 && Digits(zone, 3, 2, &mm));
  if (!minutes_ok || hh > 15 || mm > 59) return false;
  *seconds = (zone[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
  return true;
}

// "HH:MM[:SS[.f...]]" at text[pos...]: the time of day in µs; *pos moves past it.
bool ParseTimeOfDay(std::string_view text, size_t* pos, int64_t* micros) {
  size_t at = *pos;
  int hh = 0, mm = 0, ss = 0;
  if (!Digits(text, at, 2, &hh) || at + 5 > text.size() || text[at + 2] != ':' ||
      !Digits(text, at + 3, 2, &mm)) {
    return false;
  }
  at += 5;
  if (at < text.size() && text[at] == ':') {
    if (!Digits(text, at + 1, 2, &ss)) return false;
    at += 3;
  }
  int64_t frac = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    int n = 0;
    for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, ++n) {
      if (n < 6) frac = frac * 10 + (text[at] - '0');
    }
    if (n == 0) return false;
    for (; n < 6; ++n) frac *= 10;
  }
  if (hh > 23 || mm > 59 || ss > 60) return false;
  *pos = at;
  *micros = ((static_cast<int64_t>(hh) * 60 + mm) * 60 + ss) * 1000000LL + frac;
  return true;
}

}  // namespace

bool ParseTimestampMicros(std::string_view text, int64_t* micros, bool* has_offset) {
  int32_t days = 0;
  if (text.size() < 10) return false;
  // Consecutive rows mostly share their day: reuse the last one's day number
  // (per thread, so this stays a pure function to its callers).
  thread_local char last_date[10];
  thread_local int32_t last_days = 0;
  thread_local bool have_last = false;
  if (have_last && std::memcmp(text.data(), last_date, 10) == 0) {
    days = last_days;
  } else {
    if (!ParseDateDays(text.substr(0, 10), &days)) return false;
    std::memcpy(last_date, text.data(), 10);
    last_days = days;
    have_last = true;
  }
  int64_t time_of_day = 0;
  int offset_seconds = 0;
  bool offset = false;
  if (text.size() > 10) {  // a date alone is midnight, without an offset
    size_t pos = 11;
    if ((text[10] != ' ' && text[10] != 'T') || !ParseTimeOfDay(text, &pos, &time_of_day)) return false;
    if (pos < text.size()) {
      if (!ParseZoneOffset(text.substr(pos), &offset_seconds)) return false;
      offset = true;
    }
  }
  *micros = static_cast<int64_t>(days) * 86400000000LL + time_of_day - offset_seconds * 1000000LL;
  if (has_offset != nullptr) *has_offset = offset;
  return true;
}

std::string FormatTimestampMicros(int64_t micros) { return FormatDateTimeMicros(micros); }

bool ParseDecimalUnscaled(std::string_view text, int scale, int64_t* unscaled) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  constexpr uint64_t kMax = 999999999999999999ULL;  // 18 digits
  uint64_t v = 0;
  int decimals = -1, digits = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (decimals >= 0) return false;
      decimals = 0;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    if (decimals >= 0) {
      if (++decimals > scale) {
        if (c != '0') return false;  // trailing zeros past the scale are harmless
        continue;
      }
    }
    if (v > kMax / 10) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    ++digits;
    if (v > kMax) return false;
  }
  if (digits == 0) return false;
  for (int k = std::max(decimals, 0); k < scale; ++k) {
    if (v > kMax / 10) return false;
    v *= 10;
  }
  *unscaled = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

bool CountDecimalDigits(std::string_view text, DecimalDigits* out) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  const size_t point = text.find('.');
  std::string_view integer = text.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (integer.empty() && fraction.empty()) return false;
  for (std::string_view part : {integer, fraction}) {
    for (char c : part) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  while (!integer.empty() && integer.front() == '0') integer.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  out->integer = static_cast<int>(integer.size());
  out->fraction = static_cast<int>(fraction.size());
  return true;
}

Result<std::string> ParseTargetType(std::string_view text) {
  std::string t = Upper(text);
  static const char* kSimple[] = {"BOOLEAN", "BIGINT", "UBIGINT", "DOUBLE", "VARCHAR", "BLOB", "JSON", "DATE",
                                  "TIMESTAMP", "TIMESTAMPTZ"};
  for (const char* s : kSimple) {
    if (t == s) return t == "TIMESTAMP" ? std::string("TIMESTAMPTZ") : t;
  }
  if (t == "INT" || t == "INTEGER") return std::string("BIGINT");
  if (t == "TEXT" || t == "STRING") return std::string("VARCHAR");
  int p = 0, s = 0;
  char tail = 0;
  if (std::sscanf(t.c_str(), "DECIMAL(%d,%d)%c", &p, &s, &tail) == 2 && p >= 1 && p <= 38 && s >= 0 && s <= p) {
    return "DECIMAL(" + std::to_string(p) + "," + std::to_string(s) + ")";
  }
  return Status::InvalidArgument("unknown target type '" + std::string(text) +
                                 "': use BOOLEAN, BIGINT, UBIGINT, DOUBLE, DECIMAL(p,s) with p <= 38, VARCHAR, "
                                 "BLOB, JSON, DATE or TIMESTAMP");
}

namespace {

// Timestamp text read in a zone other than UTC (ColumnPlan::zone_text).
void PlanZoneText(const std::string& quoted, const std::string& zone, ColumnPlan* plan) {
  plan->stage.type = engine::ColumnType::kVarchar;
  plan->stage.dictionary = false;
  plan->zone_text = true;
  plan->lake_type = "TIMESTAMPTZ";
  plan->export_expr = "CASE WHEN ends_with(" + quoted + ", '+00') THEN CAST(" + quoted +
                      " AS TIMESTAMPTZ) ELSE timezone(" + zone + ", CAST(" + quoted + " AS TIMESTAMP)) END";
}

// A --map-column override: the value is staged as text (or bytes) and DuckDB
// casts it, except TIMESTAMP, parsed here like every timestamp (an offset or
// "Z" keeps its instant; naive text is read in `zone`, "" for UTC). DECIMAL
// values are checked to fit first (AppendCell).
void PlanOverride(const std::string& type, const std::string& quoted, const std::string& zone,
                  ColumnPlan* plan) {
  plan->stage.type = type == "BLOB" ? engine::ColumnType::kBlob : engine::ColumnType::kVarchar;
  plan->lake_type = type == "JSON" ? "VARCHAR" : type;
  if (type == "TIMESTAMPTZ") {
    if (!zone.empty()) {
      PlanZoneText(quoted, zone, plan);
    } else {
      plan->stage.type = engine::ColumnType::kTimestamp;
    }
    return;
  }
  if (type == "BIGINT" || type == "UBIGINT" || type == "DATE") {
    // Parsed here, strictly (blanks around the text aside): DuckDB's cast
    // would round '1.5' to 2 and cut '2025-01-15 08:00' to its day unsaid.
    plan->stage.type = type == "BIGINT"    ? engine::ColumnType::kBigInt
                       : type == "UBIGINT" ? engine::ColumnType::kUBigInt
                                           : engine::ColumnType::kDate;
    plan->trim_text = true;
    return;
  }
  int p = 0, s = 0;
  if (std::sscanf(type.c_str(), "DECIMAL(%d,%d)", &p, &s) == 2) {
    plan->decimal_precision = p;
    plan->decimal_scale = s;
  }
  if (type != "VARCHAR" && type != "JSON" && type != "BLOB")
    plan->export_expr = "CAST(" + quoted + " AS " + type + ")";
}

}  // namespace

Result<ColumnPlan> PlanColumn(const db::ColumnInfo& source, db::DatabaseUrl::Kind kind,
                              const std::string& override_type, const std::string& timezone) {
  ColumnPlan plan;
  plan.source = source;
  plan.stage.name = source.name;
  const std::string quoted = "s." + engine::QuoteIdent(source.name);  // the staging table is aliased s
  const bool local_zone = timezone != "UTC";
  const std::string zone = engine::QuoteLiteral(timezone);
  plan.export_expr = quoted;
  if (!override_type.empty()) {
    PlanOverride(override_type, quoted, local_zone ? zone : "", &plan);
    return plan;
  }
  using db::SqlType;
  using engine::ColumnType;
  switch (source.type) {
    case SqlType::kBoolean: plan.stage.type = ColumnType::kBoolean; break;
    case SqlType::kInteger: plan.stage.type = ColumnType::kBigInt; break;
    case SqlType::kBigInt: plan.stage.type = ColumnType::kBigInt; break;
    case SqlType::kDouble: plan.stage.type = ColumnType::kDouble; break;
    case SqlType::kDecimal:
      if (kind == db::DatabaseUrl::Kind::kMariaDB && source.source_type == "bigint" && source.is_unsigned) {
        plan.stage.type = ColumnType::kUBigInt;
      } else if (source.precision >= 1 && source.precision <= 18) {
        // Unscaled int64 values; the engine stores them at DuckDB's width
        // for the precision (int16 up to 4 digits, int32 up to 9).
        plan.stage.type = ColumnType::kDecimal;
        plan.stage.scale = static_cast<uint8_t>(std::clamp(source.scale, 0, source.precision));
        plan.stage.width = static_cast<uint8_t>(source.precision);
        plan.decimal_precision = source.precision;
        plan.decimal_scale = plan.stage.scale;
      } else if (source.precision > 18 && source.precision <= 38) {
        plan.stage.type = ColumnType::kVarchar;
        plan.lake_type = "DECIMAL(" + std::to_string(source.precision) + "," + std::to_string(source.scale) + ")";
        plan.export_expr = "CAST(" + quoted + " AS " + plan.lake_type + ")";
        plan.decimal_precision = source.precision;
        plan.decimal_scale = source.scale;
        return plan;
      } else {
        // Unbounded (PostgreSQL numeric without a typmod, SQLite NUMERIC) or
        // wider than DuckDB's 38 digits: kept exact as text.
        plan.stage.type = ColumnType::kVarchar;
      }
      break;
    case SqlType::kText:
      plan.stage.type = IsBinarySourceType(source.source_type) ? ColumnType::kBlob : ColumnType::kVarchar;
      // Text columns often repeat a few values (currencies, kinds, states):
      // kept as dictionary indexes (engine::RowStream; free text closes the
      // dictionary by itself).
      plan.stage.dictionary = plan.stage.type == ColumnType::kVarchar;
      break;
    case SqlType::kDate:
      plan.stage.type = ColumnType::kDate;
      plan.invalid_dates_as_null = kind == db::DatabaseUrl::Kind::kMariaDB;
      break;
    case SqlType::kTimestamp:
      plan.stage.type = ColumnType::kTimestamp;
      plan.invalid_dates_as_null = kind == db::DatabaseUrl::Kind::kMariaDB;
      if (source.naive_timestamp && local_zone && kind == db::DatabaseUrl::Kind::kSqlite) {
        // SQLite text may say "Z" or "+02:00" in any row.
        PlanZoneText(quoted, zone, &plan);
        return plan;
      }
      if (source.naive_timestamp && local_zone) {
        // DATETIME / timestamp text never has an offset: staged as the
        // wall-clock time (as if UTC), then read in the zone.
        plan.export_expr = "timezone(" + zone + ", CAST(" + quoted + " AS TIMESTAMP))";
      }
      break;
  }
  plan.lake_type = engine::SqlTypeName(plan.stage);
  return plan;
}

namespace {

Status BadValue(const ColumnPlan& plan, std::string_view text) {
  return Status::InvalidArgument("column " + plan.source.name + " (" + plan.source.source_type + "): cannot store '" +
                                 std::string(text.substr(0, 100)) + "' as " + plan.lake_type +
                                 "; use --map-column " + plan.source.name + "=VARCHAR to keep it as text");
}

std::string CellText(const db::CellView& cell) {
  switch (cell.kind) {
    case db::CellView::Kind::kInt: return std::to_string(cell.i);
    case db::CellView::Kind::kDouble: {
      char buf[32];
      auto [p, ec] = std::to_chars(buf, buf + sizeof buf, cell.d);
      return std::string(buf, ec == std::errc() ? p : buf);
    }
    case db::CellView::Kind::kText: return std::string(cell.text);
    case db::CellView::Kind::kNull: break;
  }
  return "NULL";
}

// Dates outside the calendar that become NULL with a count: zero dates
// (0000-...), PostgreSQL ±infinity and BC dates, and for MariaDB
// (`lenient`) any well-formed YYYY-MM-DD that is not a calendar day: partial
// zero dates (2024-00-15, 2024-01-00) and ALLOW_INVALID_DATES days (02-31).
bool IsOutOfCalendar(std::string_view s, bool lenient) {
  if (s.substr(0, 5) == "0000-" || s == "infinity" || s == "-infinity" || s.ends_with(" BC")) return true;
  int y = 0, m = 0, d = 0;
  return lenient && s.size() >= 10 && s[4] == '-' && s[7] == '-' && Digits(s, 0, 4, &y) &&
         Digits(s, 5, 2, &m) && Digits(s, 8, 2, &d) && !ValidDate(y, m, d);
}

// 10^0 .. 10^18.
constexpr auto kPow10 = [] {
  std::array<int64_t, 19> p{};
  p[0] = 1;
  for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}();

std::string DecimalTypeName(int precision, int scale) {
  return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
}

// A value with more digits than its DECIMAL(p,s) column holds: an error with
// the smallest type that would hold it, never a rounded or out-of-range value.
Status DecimalDoesNotFit(const ColumnPlan& plan, std::string_view text, const DecimalDigits& digits) {
  const int p = plan.decimal_precision, s = plan.decimal_scale;
  const std::string type = DecimalTypeName(p, s);
  const std::string why = digits.integer > p - s
                              ? std::to_string(digits.integer) + " digits before the point, " + type +
                                    " holds " + std::to_string(p - s)
                              : std::to_string(digits.fraction) + " decimals, " + type + " keeps " +
                                    std::to_string(s) + " and rounding would change the value";
  const int wide_scale = std::max(s, digits.fraction);
  const int wide_precision = std::max(p - s, digits.integer) + wide_scale;
  const std::string& name = plan.source.name;
  const std::string widen =
      wide_precision <= 38
          ? "--map-column " + name + "=" + DecimalTypeName(wide_precision, wide_scale) + " to widen it, or "
          : "";
  return Status::InvalidArgument("column " + name + " (" + plan.source.source_type + "): '" +
                                 std::string(text.substr(0, 100)) + "' does not fit " + type + " (" + why +
                                 "); use " + widen + "--map-column " + name + "=VARCHAR to keep the text");
}

// DECIMAL lake columns: the value fits (p, s) exactly, or an error.
Status CheckDecimalFits(const ColumnPlan& plan, const db::CellView& cell) {
  char buf[400];
  std::string_view text = cell.text;
  if (cell.kind == db::CellView::Kind::kInt) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, cell.i);
    text = std::string_view(buf, static_cast<size_t>(end - buf));
  } else if (cell.kind == db::CellView::Kind::kDouble) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, cell.d, std::chars_format::fixed);
    if (ec != std::errc()) return BadValue(plan, CellText(cell));
    text = std::string_view(buf, static_cast<size_t>(end - buf));
  }
  DecimalDigits digits;
  if (!CountDecimalDigits(text, &digits)) return BadValue(plan, text);
  if (digits.integer > plan.decimal_precision - plan.decimal_scale || digits.fraction > plan.decimal_scale) {
    return DecimalDoesNotFit(plan, text, digits);
  }
  return Status::OK();
}

// ColumnPlan::zone_text: the instant as "...+00", or the wall-clock time.
Status AppendZoneText(const ColumnPlan& plan, const db::CellView& cell, engine::RowBlock* block, size_t col,
                      ConversionStats* stats) {
  if (cell.kind != db::CellView::Kind::kText) return BadValue(plan, CellText(cell));
  int64_t micros = 0;
  bool offset = false;
  if (!ParseTimestampMicros(cell.text, &micros, &offset)) {
    if (!IsOutOfCalendar(cell.text, false)) return BadValue(plan, cell.text);
    ++stats->zero_dates;
    block->SetNull(col);
    return Status::OK();
  }
  block->SetString(col, FormatTimestampMicros(micros) + (offset ? "+00" : ""));
  return Status::OK();
}

// AppendCell for a value that is not NULL, as its staging type takes it.
Status AppendValue(const ColumnPlan& plan, const db::CellView& cell, engine::RowBlock* block, size_t col,
                   ConversionStats* stats) {
  using engine::ColumnType;
  using Kind = db::CellView::Kind;
  switch (plan.stage.type) {
    case ColumnType::kBoolean:
    case ColumnType::kBigInt: {
      int64_t v = cell.i;
      if (cell.kind == Kind::kText) {
        auto [p, ec] = std::from_chars(cell.text.data(), cell.text.data() + cell.text.size(), v);
        if (ec != std::errc() || p != cell.text.data() + cell.text.size()) return BadValue(plan, cell.text);
      } else if (cell.kind == Kind::kDouble && std::trunc(cell.d) == cell.d && std::fabs(cell.d) < 9.2e18) {
        v = static_cast<int64_t>(cell.d);  // a whole DOUBLE mapped to BIGINT
      } else if (cell.kind != Kind::kInt) {
        return BadValue(plan, CellText(cell));
      }
      if (plan.stage.type == ColumnType::kBoolean) {
        // MariaDB's BOOLEAN is TINYINT(1), which holds -128..127: a 2 is not
        // silently true; the user chooses to keep the number.
        if (v != 0 && v != 1) {
          return Status::InvalidArgument("column " + plan.source.name + " (" + plan.source.source_type +
                                         ", read as BOOLEAN): value " + std::to_string(v) +
                                         " is neither 0 nor 1; use --map-column " + plan.source.name +
                                         "=BIGINT to keep the number");
        }
        block->SetBool(col, v != 0);
      } else {
        block->SetInt64(col, v);
      }
      return Status::OK();
    }
    case ColumnType::kUBigInt: {
      if (cell.kind == Kind::kInt) {
        if (cell.i < 0) return BadValue(plan, CellText(cell));
        block->SetInt64(col, cell.i);  // the block keeps 64 bits; DuckDB reads them as UBIGINT
        return Status::OK();
      }
      if (cell.kind != Kind::kText) return BadValue(plan, CellText(cell));
      uint64_t v = 0;
      auto [p, ec] = std::from_chars(cell.text.data(), cell.text.data() + cell.text.size(), v);
      if (ec != std::errc() || p != cell.text.data() + cell.text.size()) return BadValue(plan, cell.text);
      block->SetInt64(col, static_cast<int64_t>(v));  // the same bits
      return Status::OK();
    }
    case ColumnType::kDouble:
      if (cell.kind == Kind::kDouble) {
        block->SetDouble(col, cell.d);
      } else if (cell.kind == Kind::kInt) {
        block->SetDouble(col, static_cast<double>(cell.i));
      } else {
        const std::string s(cell.text);
        char* end = nullptr;
        double parsed = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) return BadValue(plan, s);
        block->SetDouble(col, parsed);
      }
      return Status::OK();
    case ColumnType::kDecimal: {
      // One pass on the hot path; what does not parse or fit gets its
      // precise message from CheckDecimalFits.
      int64_t unscaled = 0;
      const int64_t limit = kPow10[plan.stage.width];
      bool fits = false;
      if (cell.kind == Kind::kInt) {
        const int64_t whole = kPow10[plan.stage.width - plan.stage.scale];  // integer part's bound
        fits = cell.i > -whole && cell.i < whole;
        unscaled = fits ? cell.i * kPow10[plan.stage.scale] : 0;
      } else if (cell.kind == Kind::kText) {
        fits = ParseDecimalUnscaled(cell.text, plan.stage.scale, &unscaled) && unscaled > -limit &&
               unscaled < limit;
      }
      if (!fits) {
        RETURN_NOT_OK(CheckDecimalFits(plan, cell));
        return BadValue(plan, CellText(cell));
      }
      block->SetInt64(col, unscaled);
      return Status::OK();
    }
    case ColumnType::kDate:
    case ColumnType::kTimestamp: {
      if (cell.kind != Kind::kText) return BadValue(plan, "(a number)");
      bool ok = false;
      if (plan.stage.type == ColumnType::kDate) {
        int32_t days = 0;
        ok = ParseDateDays(cell.text, &days);
        if (ok) block->SetInt64(col, days);
      } else {
        int64_t micros = 0;
        ok = ParseTimestampMicros(cell.text, &micros);
        if (ok) block->SetInt64(col, micros);
      }
      if (!ok) {
        // Zero dates, 'infinity', BC dates: NULL with a warning count.
        if (IsOutOfCalendar(cell.text, plan.invalid_dates_as_null)) {
          ++stats->zero_dates;
          block->SetNull(col);
          return Status::OK();
        }
        return BadValue(plan, cell.text);
      }
      return Status::OK();
    }
    case ColumnType::kVarchar:
    case ColumnType::kBlob:
      if (cell.kind == Kind::kText) {
        block->SetString(col, cell.text);
      } else if (cell.kind == Kind::kInt) {
        char buf[24];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, cell.i);
        block->SetString(col, std::string_view(buf, static_cast<size_t>(p - buf)));
      } else {
        char buf[32];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, cell.d);
        block->SetString(col, std::string_view(buf, static_cast<size_t>(p - buf)));
      }
      return Status::OK();
    case ColumnType::kEnum: break;  // never a staging type of an import
  }
  return Status::Internal("unknown staging type for column " + plan.source.name);
}

}  // namespace

Status AppendCell(const ColumnPlan& plan, const db::CellView& cell, engine::RowBlock* block, size_t col,
                  ConversionStats* stats) {
  if (cell.kind == db::CellView::Kind::kNull) {
    block->SetNull(col);
    return Status::OK();
  }
  if (plan.trim_text && cell.kind == db::CellView::Kind::kText) {
    db::CellView trimmed = cell;
    while (!trimmed.text.empty() && std::isspace(static_cast<unsigned char>(trimmed.text.front()))) {
      trimmed.text.remove_prefix(1);
    }
    while (!trimmed.text.empty() && std::isspace(static_cast<unsigned char>(trimmed.text.back()))) {
      trimmed.text.remove_suffix(1);
    }
    return AppendValue(plan, trimmed, block, col, stats);
  }
  if (plan.zone_text) return AppendZoneText(plan, cell, block, col, stats);
  if (plan.decimal_precision > 0 && plan.stage.type != engine::ColumnType::kDecimal) {
    RETURN_NOT_OK(CheckDecimalFits(plan, cell));  // text DuckDB casts later (wide or --map-column DECIMALs)
  }
  return AppendValue(plan, cell, block, col, stats);
}

}  // namespace custlake::importer
