#include "serve/pg_frontend.h"

#include "serve/pg_message.h"
#include "serve/pg_types.h"

namespace custlake::serve {

namespace {

bool ReadFormats(MessageReader* reader, std::vector<int16_t>* formats) {
  int16_t count = 0;
  if (!reader->ReadInt16(&count) || count < 0) return false;
  formats->resize(static_cast<size_t>(count));
  for (int16_t& f : *formats) {
    if (!reader->ReadInt16(&f) || (f != 0 && f != 1)) return false;
  }
  return true;
}

/// The format of parameter `i` given Bind's format codes (none: all text; one: for all).
int16_t FormatOf(const std::vector<int16_t>& formats, size_t i) {
  return formats.empty() ? 0 : formats.size() == 1 ? formats[0] : formats[i];
}

}  // namespace

std::optional<ParseMessage> DecodeParse(std::string_view body) {
  MessageReader reader(body);
  ParseMessage parse;
  int16_t count = 0;
  if (!reader.ReadCString(&parse.name) || !reader.ReadCString(&parse.sql) || !reader.ReadInt16(&count) ||
      count < 0) {
    return std::nullopt;
  }
  parse.param_types.resize(static_cast<size_t>(count));
  for (int32_t& type : parse.param_types) {
    if (!reader.ReadInt32(&type)) return std::nullopt;
  }
  if (!reader.AtEnd()) return std::nullopt;
  return parse;
}

std::optional<BindMessage> DecodeBind(std::string_view body) {
  MessageReader reader(body);
  BindMessage bind;
  int16_t count = 0;
  if (!reader.ReadCString(&bind.portal) || !reader.ReadCString(&bind.statement) ||
      !ReadFormats(&reader, &bind.param_formats) || !reader.ReadInt16(&count) || count < 0 ||
      (bind.param_formats.size() > 1 && bind.param_formats.size() != static_cast<size_t>(count))) {
    return std::nullopt;
  }
  bind.values.resize(static_cast<size_t>(count));
  for (std::optional<std::string>& value : bind.values) {
    int32_t length = 0;
    if (!reader.ReadInt32(&length) || length < -1) return std::nullopt;
    if (length == -1) continue;
    std::string bytes;
    if (!reader.ReadBytes(static_cast<size_t>(length), &bytes)) return std::nullopt;
    value = std::move(bytes);
  }
  if (!ReadFormats(&reader, &bind.result_formats) || !reader.AtEnd()) return std::nullopt;
  return bind;
}

Result<std::vector<BoundParam>> BindValues(const BindMessage& bind, const std::vector<int32_t>& types) {
  std::vector<BoundParam> params(bind.values.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const int32_t type = i < types.size() ? types[i] : 0;
    params[i].duckdb_type = DuckDbTypeForOid(type);
    if (!bind.values[i]) continue;  // NULL
    params[i].text = FormatOf(bind.param_formats, i) == 0 ? bind.values[i] : BinaryParamAsText(*bind.values[i], type);
    if (!params[i].text) {
      return Status::InvalidArgument("binary format is not supported for parameter $" + std::to_string(i + 1));
    }
  }
  return params;
}

std::optional<TargetMessage> DecodeTarget(std::string_view body) {
  MessageReader reader(body);
  std::string kind;
  TargetMessage target;
  if (!reader.ReadBytes(1, &kind) || !reader.ReadCString(&target.name) || (kind != "S" && kind != "P") ||
      !reader.AtEnd()) {
    return std::nullopt;
  }
  target.kind = kind[0];
  return target;
}

std::optional<ExecuteMessage> DecodeExecute(std::string_view body) {
  MessageReader reader(body);
  ExecuteMessage execute;
  if (!reader.ReadCString(&execute.portal) || !reader.ReadInt32(&execute.max_rows) || !reader.AtEnd()) {
    return std::nullopt;
  }
  return execute;
}

}  // namespace custlake::serve
