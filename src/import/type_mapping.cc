#include "import/type_mapping.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

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

// Days from civil (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
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
  *days = static_cast<int32_t>(DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
  return true;
}

bool ParseTimestampMicros(std::string_view text, int64_t* micros) {
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
  int hh = 0, mm = 0, ss = 0;
  int64_t frac = 0;
  size_t pos = 10;
  if (pos < text.size()) {
    if (text[pos] != ' ' && text[pos] != 'T') return false;
    if (!Digits(text, pos + 1, 2, &hh) || text.size() < pos + 9 || text[pos + 3] != ':' ||
        !Digits(text, pos + 4, 2, &mm) || text[pos + 6] != ':' || !Digits(text, pos + 7, 2, &ss)) {
      return false;
    }
    pos += 9;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int n = 0;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (n < 6) frac = frac * 10 + (text[pos] - '0');
        ++n;
        ++pos;
      }
      if (n == 0) return false;
      for (; n < 6; ++n) frac *= 10;
    }
    std::string_view zone = text.substr(pos);
    if (!(zone.empty() || zone == "Z" || zone == "+00" || zone == "+00:00" || zone == "+0000")) return false;
    if (hh > 23 || mm > 59 || ss > 60) return false;
  }
  *micros = ((static_cast<int64_t>(days) * 24 + hh) * 60 + mm) * 60 * 1000000LL + ss * 1000000LL + frac;
  return true;
}

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
    // Overrides stage the value as text (or bytes) and let DuckDB cast it.
    plan.stage.type = override_type == "BLOB" ? engine::ColumnType::kBlob : engine::ColumnType::kVarchar;
    plan.lake_type = override_type == "JSON" ? "VARCHAR" : override_type;
    if (override_type == "TIMESTAMPTZ" && local_zone) {
      // An explicit offset (or Z) is honoured; naive text is read in the
      // source's zone. (CAST to TIMESTAMP would drop an offset silently.)
      plan.export_expr =
          "CASE WHEN regexp_matches(" + quoted + ", '([+-][0-9][0-9](:?[0-9][0-9])?|Z)\\s*$') THEN CAST(" +
          quoted + " AS TIMESTAMPTZ) ELSE timezone(" + zone + ", CAST(" + quoted + " AS TIMESTAMP)) END";
    } else if (override_type != "VARCHAR" && override_type != "JSON" && override_type != "BLOB") {
      plan.export_expr = "CAST(" + quoted + " AS " + override_type + ")";
    }
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
      } else if (source.precision > 18 && source.precision <= 38) {
        plan.stage.type = ColumnType::kVarchar;
        plan.lake_type = "DECIMAL(" + std::to_string(source.precision) + "," + std::to_string(source.scale) + ")";
        plan.export_expr = "CAST(" + quoted + " AS " + plan.lake_type + ")";
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
      if (source.naive_timestamp && local_zone) {
        // Staged as the wall-clock time (as if UTC), then read in the zone.
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

}  // namespace

Status AppendCell(const ColumnPlan& plan, const db::CellView& cell, engine::RowBlock* block, size_t col,
                  ConversionStats* stats) {
  using engine::ColumnType;
  using Kind = db::CellView::Kind;
  if (cell.kind == Kind::kNull) {
    block->SetNull(col);
    return Status::OK();
  }
  switch (plan.stage.type) {
    case ColumnType::kBoolean:
    case ColumnType::kBigInt: {
      int64_t v = cell.i;
      if (cell.kind == Kind::kText) {
        auto [p, ec] = std::from_chars(cell.text.data(), cell.text.data() + cell.text.size(), v);
        if (ec != std::errc() || p != cell.text.data() + cell.text.size()) return BadValue(plan, cell.text);
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
      int64_t unscaled = 0;
      if (cell.kind == Kind::kInt) {
        unscaled = cell.i;
        for (int k = 0; k < plan.stage.scale; ++k) unscaled *= 10;
      } else if (cell.kind == Kind::kText) {
        if (!ParseDecimalUnscaled(cell.text, plan.stage.scale, &unscaled)) return BadValue(plan, cell.text);
      } else {
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

}  // namespace custlake::importer
