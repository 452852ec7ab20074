// What is wrong with a JSON text that simdjson refused, for the quarantine
// reason: a syntax error somewhere (malformed_json), a text that ends while
// a value is still open (a record cut off: truncated), or well-formed text
// (then a number simdjson refused was too large: number_out_of_range).
// Used only on records that failed to parse, so speed does not matter.
#pragma once

#include <string_view>

namespace custlake::ingest {

enum class JsonShape {
  kComplete,  ///< one well-formed JSON value (numbers checked for syntax, not range)
  kPrefix,    ///< no error, but the text ends inside a value: more text could complete it
  kInvalid,   ///< a syntax error, or text after the value
};

/// Scans `text` as one JSON value (RFC 8259 syntax; any nesting depth).
JsonShape ClassifyJson(std::string_view text);

}  // namespace custlake::ingest
