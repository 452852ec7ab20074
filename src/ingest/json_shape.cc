#include "ingest/json_shape.h"

#include <string>

namespace custlake::ingest {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A scanner over the text; each Scan* starts at the token's first byte and
// returns kComplete with pos_ past the token, or where the token failed.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : t_(text) {}

  JsonShape Run();

 private:
  enum class Expect { kValue, kValueOrClose, kKey, kKeyOrClose, kColon, kAfterValue };

  JsonShape Step(Expect* expect);
  JsonShape AfterValue(Expect* expect);
  JsonShape ScanString();
  JsonShape ScanNumber();
  JsonShape ScanLiteral();
  bool AtEnd() const { return pos_ >= t_.size(); }
  // One or more digits; kPrefix when the text ends before the first.
  JsonShape Digits();

  std::string_view t_;
  size_t pos_ = 0;
  std::string open_;  ///< '{' and '[' of the containers still open
};

JsonShape Scanner::Run() {
  Expect expect = Expect::kValue;
  bool any = false;
  while (true) {
    while (!AtEnd() && IsSpace(t_[pos_])) pos_++;
    if (AtEnd()) break;
    if (expect == Expect::kAfterValue && open_.empty()) return JsonShape::kInvalid;  // text after the value
    any = true;
    if (const JsonShape s = Step(&expect); s != JsonShape::kComplete) return s;
  }
  if (!any) return JsonShape::kPrefix;
  return expect == Expect::kAfterValue && open_.empty() ? JsonShape::kComplete : JsonShape::kPrefix;
}

JsonShape Scanner::Step(Expect* expect) {
  const char c = t_[pos_];
  switch (*expect) {
    case Expect::kValueOrClose:
    case Expect::kValue:
      if (*expect == Expect::kValueOrClose && c == ']') {
        open_.pop_back();
        pos_++;
        *expect = Expect::kAfterValue;
        return JsonShape::kComplete;
      }
      if (c == '{' || c == '[') {
        open_.push_back(c);
        pos_++;
        *expect = c == '{' ? Expect::kKeyOrClose : Expect::kValueOrClose;
        return JsonShape::kComplete;
      }
      *expect = Expect::kAfterValue;
      if (c == '"') return ScanString();
      if (c == '-' || IsDigit(c)) return ScanNumber();
      return ScanLiteral();
    case Expect::kKeyOrClose:
    case Expect::kKey:
      if (*expect == Expect::kKeyOrClose && c == '}') {
        open_.pop_back();
        pos_++;
        *expect = Expect::kAfterValue;
        return JsonShape::kComplete;
      }
      if (c != '"') return JsonShape::kInvalid;
      *expect = Expect::kColon;
      return ScanString();
    case Expect::kColon:
      if (c != ':') return JsonShape::kInvalid;
      pos_++;
      *expect = Expect::kValue;
      return JsonShape::kComplete;
    case Expect::kAfterValue:
      return AfterValue(expect);
  }
  return JsonShape::kInvalid;
}

JsonShape Scanner::AfterValue(Expect* expect) {
  const char c = t_[pos_++];
  const char open = open_.back();
  if (c == ',') {
    *expect = open == '{' ? Expect::kKey : Expect::kValue;
    return JsonShape::kComplete;
  }
  if ((c == '}' && open == '{') || (c == ']' && open == '[')) {
    open_.pop_back();
    return JsonShape::kComplete;
  }
  return JsonShape::kInvalid;
}

JsonShape Scanner::ScanString() {
  pos_++;  // the opening quote
  while (!AtEnd()) {
    const auto c = static_cast<unsigned char>(t_[pos_]);
    if (c == '"') {
      pos_++;
      return JsonShape::kComplete;
    }
    if (c < 0x20) return JsonShape::kInvalid;
    if (c != '\\') {
      pos_++;
      continue;
    }
    if (++pos_ >= t_.size()) return JsonShape::kPrefix;
    const char e = t_[pos_++];
    if (e == 'u') {
      for (int k = 0; k < 4; k++, pos_++) {
        if (AtEnd()) return JsonShape::kPrefix;
        if (!IsHex(t_[pos_])) return JsonShape::kInvalid;
      }
    } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
      return JsonShape::kInvalid;
    }
  }
  return JsonShape::kPrefix;
}

JsonShape Scanner::Digits() {
  if (AtEnd()) return JsonShape::kPrefix;
  if (!IsDigit(t_[pos_])) return JsonShape::kInvalid;
  while (!AtEnd() && IsDigit(t_[pos_])) pos_++;
  return JsonShape::kComplete;
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? followed by a space, a
// comma, a closing bracket or the end.
JsonShape Scanner::ScanNumber() {
  if (t_[pos_] == '-') pos_++;
  const size_t int_start = pos_;
  if (const JsonShape s = Digits(); s != JsonShape::kComplete) return s;
  if (t_[int_start] == '0' && pos_ - int_start > 1) return JsonShape::kInvalid;  // a leading zero
  if (!AtEnd() && t_[pos_] == '.') {
    pos_++;
    if (const JsonShape s = Digits(); s != JsonShape::kComplete) return s;
  }
  if (!AtEnd() && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
    pos_++;
    if (!AtEnd() && (t_[pos_] == '+' || t_[pos_] == '-')) pos_++;
    if (const JsonShape s = Digits(); s != JsonShape::kComplete) return s;
  }
  if (AtEnd()) return JsonShape::kComplete;
  const char next = t_[pos_];
  return IsSpace(next) || next == ',' || next == '}' || next == ']' ? JsonShape::kComplete
                                                                    : JsonShape::kInvalid;
}

JsonShape Scanner::ScanLiteral() {
  for (std::string_view word : {"true", "false", "null"}) {
    if (word[0] != t_[pos_]) continue;
    const std::string_view rest = t_.substr(pos_);
    if (rest.size() < word.size())
      return word.substr(0, rest.size()) == rest ? JsonShape::kPrefix : JsonShape::kInvalid;
    if (rest.substr(0, word.size()) != word) return JsonShape::kInvalid;
    pos_ += word.size();
    if (AtEnd()) return JsonShape::kComplete;
    const char next = t_[pos_];
    return IsSpace(next) || next == ',' || next == '}' || next == ']' ? JsonShape::kComplete
                                                                      : JsonShape::kInvalid;
  }
  return JsonShape::kInvalid;
}

}  // namespace

JsonShape ClassifyJson(std::string_view text) { return Scanner(text).Run(); }

}  // namespace custlake::ingest
