#include "query/key_lookup_column.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include "common/civil_date.h"

namespace custlake::query {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

bool IsIntegerType(const std::string& type) {
  return type == "BIGINT" || type == "INTEGER" || type == "SMALLINT" || type == "TINYINT" || type == "UINTEGER" ||
         type == "USMALLINT" || type == "UTINYINT" || type == "UBIGINT";
}

/// DECIMAL(w,s) with w <= 18 (DuckDB holds it in 64 bits): s, or -1.
int DecimalScale(const std::string& type) {
  int width = 0, scale = 0;
  char end = 0;
  if (std::sscanf(type.c_str(), "DECIMAL(%d,%d%c", &width, &scale, &end) != 3 || end != ')') return -1;
  return width >= 1 && width <= 18 && scale >= 0 && scale <= width ? scale : -1;
}

bool Digits(std::string_view text, size_t from, size_t count, int64_t* out) {
  if (from + count > text.size()) return false;
  int64_t v = 0;
  for (size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  *out = v;
  return true;
}

/// "YYYY-MM-DD" at the start of `text` (years 1 to 9999): days since 1970-01-01.
bool ParseDate(std::string_view text, int64_t* days) {
  int64_t y, m, d;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4, &y) || !Digits(text, 5, 2, &m) ||
      !Digits(text, 8, 2, &d) || y < 1 || m < 1 || m > 12 || d < 1 || d > 31) {
    return false;
  }
  *days = DaysFromCivilDate(y, m, d);
  return true;
}
std::string FormatDate(int64_t days) {
  int64_t y, m, d;
  CivilDateFromDays(days, &y, &m, &d);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return buf;
}

/// "YYYY-MM-DD HH:MM:SS[.f{1,6}]": microseconds since 1970-01-01 00:00:00.
bool ParseTimestamp(std::string_view text, int64_t* micros) {
  int64_t days, h, mi, s, frac = 0;
  if (text.size() < 19 || !ParseDate(text, &days) || text[10] != ' ' || text[13] != ':' || text[16] != ':' ||
      !Digits(text, 11, 2, &h) || !Digits(text, 14, 2, &mi) || !Digits(text, 17, 2, &s) || h > 23 || mi > 59 ||
      s > 59) {
    return false;
  }
  if (text.size() > 19) {
    const size_t n = text.size() - 20;
    if (text[19] != '.' || n < 1 || n > 6 || !Digits(text, 20, n, &frac)) return false;
    for (size_t i = n; i < 6; ++i) frac *= 10;
  }
  *micros = days * kMicrosPerDay + ((h * 60 + mi) * 60 + s) * 1000000 + frac;
  return true;
}
std::string FormatTimestamp(int64_t micros) {
  int64_t days = micros / kMicrosPerDay, rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const int64_t secs = rest / 1000000, frac = rest % 1000000;
  char buf[160];
  int n = std::snprintf(buf, sizeof(buf), "%s %02lld:%02lld:%02lld", FormatDate(days).c_str(),
                        static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                        static_cast<long long>(secs % 60));
  std::string out(buf, n);
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

/// "[-]digits[.digits]" with exactly `scale` digits after the point: the value times 10^scale.
bool ParseDecimal(std::string_view text, int scale, int64_t* value) {
  const bool negative = !text.empty() && text[0] == '-';
  const size_t start = negative ? 1 : 0;
  const size_t point = scale > 0 ? text.size() - scale - 1 : text.size();
  if (text.size() <= start + (scale > 0 ? scale + 1 : 0) || point <= start || point - start + scale > 18) return false;
  if (scale > 0 && text[point] != '.') return false;
  int64_t whole, frac = 0;
  if (!Digits(text, start, point - start, &whole)) return false;
  if (scale > 0 && !Digits(text, point + 1, scale, &frac)) return false;
  int64_t factor = 1;
  for (int i = 0; i < scale; ++i) factor *= 10;
  *value = (whole * factor + frac) * (negative ? -1 : 1);
  return true;
}
std::string FormatDecimal(int64_t value, int scale) {
  std::string digits = std::to_string(value < 0 ? -static_cast<uint64_t>(value) : static_cast<uint64_t>(value));
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return value < 0 ? "-" + digits : digits;
}

template <typename F>
std::string FormatFloating(F value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

}  // namespace

LookupColumn::LookupColumn(const std::string& type) {
  scale_ = DecimalScale(type);
  if (IsIntegerType(type)) {
    form_ = Form::kInteger;
  } else if (type == "BOOLEAN") {
    form_ = Form::kBoolean;
  } else if (type == "DATE") {
    form_ = Form::kDate;
  } else if (type == "TIMESTAMP") {
    form_ = Form::kTimestamp;
  } else if (type == "DOUBLE") {
    form_ = Form::kDouble;
  } else if (type == "FLOAT") {
    form_ = Form::kFloat;
  } else if (scale_ >= 0) {
    form_ = Form::kDecimal;
  } else {
    form_ = Form::kText;
    offsets_.push_back(0);
  }
}

bool LookupColumn::Parse(std::string_view text, int64_t* value) const {
  const char* end = text.data() + text.size();
  switch (form_) {
    case Form::kInteger: {
      auto [ptr, ec] = std::from_chars(text.data(), end, *value);
      return ec == std::errc() && ptr == end;
    }
    case Form::kBoolean:
      *value = text == "true";
      return text == "true" || text == "false";
    case Form::kDate:
      return text.size() == 10 && ParseDate(text, value);
    case Form::kTimestamp:
      return ParseTimestamp(text, value);
    case Form::kDouble: {
      double d;
      auto [ptr, ec] = std::from_chars(text.data(), end, d);
      std::memcpy(value, &d, sizeof(d));
      return ec == std::errc() && ptr == end;
    }
    case Form::kFloat: {
      float f;
      auto [ptr, ec] = std::from_chars(text.data(), end, f);
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof(f));
      *value = bits;
      return ec == std::errc() && ptr == end;
    }
    case Form::kDecimal:
      return ParseDecimal(text, scale_, value);
    case Form::kText:
      return false;
  }
  return false;
}

std::string LookupColumn::Format(int64_t value) const {
  switch (form_) {
    case Form::kInteger:
      return std::to_string(value);
    case Form::kBoolean:
      return value ? "true" : "false";
    case Form::kDate:
      return FormatDate(value);
    case Form::kTimestamp:
      return FormatTimestamp(value);
    case Form::kDouble: {
      double d;
      std::memcpy(&d, &value, sizeof(d));
      return FormatFloating(d);
    }
    case Form::kFloat: {
      const auto bits = static_cast<uint32_t>(value);
      float f;
      std::memcpy(&f, &bits, sizeof(f));
      return FormatFloating(f);
    }
    case Form::kDecimal:
      return FormatDecimal(value, scale_);
    case Form::kText:
      break;
  }
  return "";
}

void LookupColumn::Append(std::string_view text, bool is_null) {
  if (rows_ % 64 == 0) nulls_.push_back(0);
  if (is_null) nulls_.back() |= uint64_t{1} << (rows_ % 64);
  ++rows_;
  if (form_ == Form::kText) {
    AppendText(is_null ? std::string_view() : text);
    return;
  }
  int64_t value = 0;
  if (!is_null && (!Parse(text, &value) || Format(value) != text)) {
    TurnIntoText();
    AppendText(text);
    return;
  }
  Put(value);
}

int LookupColumn::WidthOf(int64_t value) {
  if (value >= INT8_MIN && value <= INT8_MAX) return 1;
  if (value >= INT16_MIN && value <= INT16_MAX) return 2;
  if (value >= INT32_MIN && value <= INT32_MAX) return 4;
  return 8;
}

void LookupColumn::Store(uint8_t* at, int width, int64_t value) {
  switch (width) {
    case 1: { const auto n = static_cast<int8_t>(value); std::memcpy(at, &n, 1); break; }
    case 2: { const auto n = static_cast<int16_t>(value); std::memcpy(at, &n, 2); break; }
    case 4: { const auto n = static_cast<int32_t>(value); std::memcpy(at, &n, 4); break; }
    default: std::memcpy(at, &value, 8);
  }
}

void LookupColumn::Put(int64_t value) {
  const int width = WidthOf(value);
  const size_t count = packed_.size() / width_;
  if (width > width_) {  // at most three times a column: every value so far moves to the wider width
    std::vector<uint8_t> wider(count * width);
    for (size_t row = 0; row < count; ++row) Store(wider.data() + row * width, width, Get(row));
    wider.reserve(std::max<size_t>(packed_.capacity() / width_ * width, wider.size() + width));
    packed_.swap(wider);
    width_ = width;
  }
  packed_.resize(packed_.size() + width_);
  Store(packed_.data() + count * width_, width_, value);
}

void LookupColumn::AppendText(std::string_view text) {
  arena_.append(text);
  if (arena_.size() > std::numeric_limits<uint32_t>::max()) overflowed_ = true;
  offsets_.push_back(static_cast<uint32_t>(arena_.size()));
}

void LookupColumn::TurnIntoText() {
  const size_t count = packed_.size() / width_;
  offsets_.assign(1, 0);
  for (size_t row = 0; row < count; ++row) AppendText(IsNull(row) ? "" : Format(Get(row)));
  std::vector<uint8_t>().swap(packed_);
  form_ = Form::kText;
}

void LookupColumn::Finish() {
  if (form_ == Form::kText) {
    nulls_.shrink_to_fit();
    arena_.shrink_to_fit();
    offsets_.shrink_to_fit();
    return;
  }
  packed_.shrink_to_fit();
  nulls_.shrink_to_fit();
}

int64_t LookupColumn::Get(size_t row) const {
  const uint8_t* at = packed_.data() + row * width_;
  switch (width_) {
    case 1: { int8_t n; std::memcpy(&n, at, 1); return n; }
    case 2: { int16_t n; std::memcpy(&n, at, 2); return n; }
    case 4: { int32_t n; std::memcpy(&n, at, 4); return n; }
    default: { int64_t n; std::memcpy(&n, at, 8); return n; }
  }
}

std::string LookupColumn::Text(size_t row) const {
  if (IsNull(row)) return "";
  if (form_ == Form::kText) return arena_.substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
  return Format(Get(row));
}

int64_t LookupColumn::bytes() const {
  return static_cast<int64_t>(sizeof(*this) + nulls_.capacity() * 8 + packed_.capacity() +
                              arena_.capacity() + offsets_.capacity() * 4);
}

}  // namespace custlake::query
