// Decoders of the extended protocol's frontend messages (Parse, Bind,
// Describe/Close, Execute) from their bodies: pure functions over untrusted
// bytes, each nullopt when the body is malformed (cut short, a negative
// count, a format code other than 0 or 1, bytes left over). The connection
// then answers FATAL 08P01. fuzz/pg_message_fuzzer.cc runs them on random input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "serve/sql_text.h"

namespace custlake::serve {

struct ParseMessage {
  std::string name;
  std::string sql;
  std::vector<int32_t> param_types;
};
std::optional<ParseMessage> DecodeParse(std::string_view body);

struct BindMessage {
  std::string portal;
  std::string statement;
  std::vector<int16_t> param_formats;  ///< none: all text; one: for all; else one per parameter
  std::vector<std::optional<std::string>> values;  ///< nullopt: NULL
  std::vector<int16_t> result_formats;
};
std::optional<BindMessage> DecodeBind(std::string_view body);

/// Bind's values as literals of `types` (the statement's parameter types;
/// as many as values): an error for a binary value custlake cannot read.
Result<std::vector<BoundParam>> BindValues(const BindMessage& bind, const std::vector<int32_t>& types);

/// Describe and Close: 'S' (statement) or 'P' (portal), and a name.
struct TargetMessage {
  char kind = 'S';
  std::string name;
};
std::optional<TargetMessage> DecodeTarget(std::string_view body);

struct ExecuteMessage {
  std::string portal;
  int32_t max_rows = 0;  ///< 0: all
};
std::optional<ExecuteMessage> DecodeExecute(std::string_view body);

}  // namespace custlake::serve
