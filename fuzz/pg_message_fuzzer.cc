// libFuzzer target over what the PostgreSQL endpoint reads from a client
// before any SQL runs: the input is a client's byte stream, a startup packet
// then typed frontend messages, each decoded as src/serve decodes it
// (pg_frontend.h: Parse, Bind, Describe/Close, Execute; a Query's statements
// split, rewritten for DuckDB (pg_dialect.h) and parsed as the commands the
// endpoint runs itself (pg_commands.h); a SASL exchange (auth/scram_exchange.h)
// for 'p' messages). Any crash or sanitizer report is a bug, and so is a
// decoded Bind that does not encode back to the bytes it came from, or a
// bound parameter that leaves its quotes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/scram.h"
#include "auth/scram_exchange.h"
#include "serve/pg_commands.h"
#include "serve/pg_dialect.h"
#include "serve/pg_frontend.h"
#include "serve/pg_message.h"
#include "serve/sql_text.h"

using namespace custlake::serve;

namespace {

void Require(bool condition, const char* what) {
  if (!condition) {
    fprintf(stderr, "property violated: %s\n", what);
    abort();
  }
}

std::string EncodeBind(const BindMessage& bind) {
  MessageWriter w('B');
  w.CString(bind.portal).CString(bind.statement).Int16(static_cast<int16_t>(bind.param_formats.size()));
  for (int16_t f : bind.param_formats) w.Int16(f);
  w.Int16(static_cast<int16_t>(bind.values.size()));
  for (const auto& value : bind.values) {
    w.Int32(value ? static_cast<int32_t>(value->size()) : -1);
    if (value) w.Bytes(*value);
  }
  w.Int16(static_cast<int16_t>(bind.result_formats.size()));
  for (int16_t f : bind.result_formats) w.Int16(f);
  return w.Finish().substr(5);  // the body, without type and length
}

void RunStatement(const std::string& statement) {
  (void)FirstKeyword(statement);
  (void)TranslatePgDialect(statement);
  (void)ParseDeclare(statement);
  (void)ParseFetch(statement);
  (void)ParseClose(statement);
  // A literal made $1 must be the digits it replaced: putting them back gives the statement.
  if (auto one = ParameterizeOneInteger(statement)) {
    size_t at = 0;  // where the two first differ
    while (at < one->sql.size() && at < statement.size() && one->sql[at] == statement[at]) ++at;
    if (one->value.empty() || one->sql.compare(at, 2, "$1") != 0 ||
        one->sql.substr(0, at) + one->value + one->sql.substr(at + 2) != statement) {
      std::abort();
    }
  }
  auto copy = ParseCopy(statement);
  if (copy.ok()) (void)CopyLine({statement, ""}, {false, true}, *copy);
}

struct State {
  ParseMessage parsed;  // the last Parse, for Bind
  custlake::auth::ScramVerifier verifier = custlake::auth::ScramVerifierFor("pencil", "salt", 1);
  custlake::auth::ScramServerExchange scram{"user", &verifier, "servernonce"};
  int sasl_messages = 0;
};

void RunMessage(char type, std::string_view body, State* state) {
  switch (type) {
    case 'Q': {
      std::string sql;
      if (MessageReader(body).ReadCString(&sql)) {
        for (const std::string& statement : SplitStatements(sql)) RunStatement(statement);
      }
      break;
    }
    case 'P':
      if (auto parse = DecodeParse(body)) {
        (void)MaxParameterIndex(parse->sql);
        for (const std::string& statement : SplitStatements(parse->sql)) RunStatement(statement);
        state->parsed = std::move(*parse);
      }
      break;
    case 'B':
      if (auto bind = DecodeBind(body)) {
        Require(EncodeBind(*bind) == body, "a decoded Bind encodes back to its bytes");
        auto params = BindValues(*bind, state->parsed.param_types);
        if (params.ok()) {
          const std::string bound = BindParameters("SELECT $1, $2", *params);
          // Every parameter became a literal: what is left outside quotes is ours.
          std::string code;
          for (size_t i = 0; i < bound.size();) {
            const size_t quoted = QuotedOrCommentLength(bound, i);
            if (quoted > 0) {
              i += quoted;
            } else {
              code += bound[i++];
            }
          }
          Require(code.find(';') == std::string::npos, "a parameter never ends the statement");
        }
      }
      break;
    case 'D':
    case 'C':
      (void)DecodeTarget(body);
      break;
    case 'E':
      (void)DecodeExecute(body);
      break;
    case 'p':
      if (state->sasl_messages++ == 0) {
        MessageReader reader(body);
        std::string mechanism, first;
        int32_t length = 0;
        if (reader.ReadCString(&mechanism) && reader.ReadInt32(&length) && length >= 0 &&
            reader.ReadBytes(static_cast<size_t>(length), &first)) {
          (void)state->scram.ClientFirst(first);
        }
      } else {
        (void)state->scram.ClientFinal(std::string(body));
      }
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The startup packet: length, protocol code, then name/value pairs.
  MessageReader framing(input);
  int32_t length = 0;
  if (!framing.ReadInt32(&length) || length < 8 || static_cast<size_t>(length) > input.size()) return 0;
  MessageReader startup(input.substr(4, static_cast<size_t>(length) - 4));
  int32_t code = 0;
  std::string name, value;
  startup.ReadInt32(&code);
  while (startup.ReadCString(&name) && !name.empty() && startup.ReadCString(&value)) {
  }
  // Then typed messages, as PgConnection::ReadMessage frames them.
  State state;
  MessageReader messages(input.substr(static_cast<size_t>(length)));
  std::string type, body;
  while (messages.ReadBytes(1, &type) && messages.ReadInt32(&length) && length >= 4 &&
         messages.ReadBytes(static_cast<size_t>(length) - 4, &body)) {
    RunMessage(type[0], body, &state);
  }
  return 0;
}
