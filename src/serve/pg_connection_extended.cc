// PgConnection: the extended query protocol (Parse, Bind, Describe, Execute,
// Close). A portal's statement runs when it is bound, with its parameters as
// typed literals; Execute then hands out its rows, max_rows at a time.
#include "serve/pg_connection.h"
#include "serve/pg_dialect.h"
#include "serve/pg_message.h"
#include "serve/pg_types.h"
#include "serve/sql_text.h"

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

/// Bind's parameter values, to become literals of their declared types; an error
/// for a binary value custlake cannot read, `*malformed` when the message is cut short.
Result<std::vector<BoundParam>> ReadParameters(MessageReader* reader, const std::vector<int16_t>& formats,
                                               const std::vector<int32_t>& types, bool* malformed) {
  std::vector<BoundParam> params(types.size());
  Status unreadable;
  for (size_t i = 0; i < params.size(); ++i) {
    int32_t length = 0;
    std::string bytes;
    if (!reader->ReadInt32(&length) ||
        (length >= 0 && !reader->ReadBytes(static_cast<size_t>(length), &bytes))) {
      *malformed = true;
      return params;
    }
    params[i].duckdb_type = DuckDbTypeForOid(types[i]);
    if (length < 0) continue;  // NULL
    params[i].text =
        FormatOf(formats, i) == 0 ? std::optional<std::string>(bytes) : BinaryParamAsText(bytes, types[i]);
    if (!params[i].text && unreadable.ok()) {
      unreadable =
          Status::InvalidArgument("binary format is not supported for parameter $" + std::to_string(i + 1));
    }
  }
  if (!unreadable.ok()) return unreadable;
  return params;
}

}  // namespace

bool PgConnection::Parse(const std::string& body) {
  MessageReader reader(body);
  std::string name;
  Statement statement;
  int16_t count = 0;
  if (!reader.ReadCString(&name) || !reader.ReadCString(&statement.sql) || !reader.ReadInt16(&count) ||
      count < 0) {
    return Fatal("08P01", "invalid Parse message");
  }
  statement.param_types.resize(static_cast<size_t>(count));
  for (int32_t& type : statement.param_types) {
    if (!reader.ReadInt32(&type)) return Fatal("08P01", "invalid Parse message");
  }
  const std::vector<std::string> parts = SplitStatements(statement.sql);
  if (parts.size() > 1) {
    return FailUntilSync(
        Status::InvalidArgument("Parser Error: cannot insert multiple commands into a prepared statement"));
  }
  statement.sql = parts[0];  // without a trailing ';', so Describe can wrap it
  statement.param_types.resize(
      std::max<size_t>(statement.param_types.size(), static_cast<size_t>(MaxParameterIndex(statement.sql))));
  statements_[name] = std::move(statement);
  Send(MessageWriter('1').Finish());  // ParseComplete
  return true;
}

bool PgConnection::Bind(const std::string& body) {
  MessageReader reader(body);
  std::string portal_name, statement_name;
  std::vector<int16_t> param_formats;
  int16_t count = 0;
  if (!reader.ReadCString(&portal_name) || !reader.ReadCString(&statement_name) ||
      !ReadFormats(&reader, &param_formats) || !reader.ReadInt16(&count) || count < 0 ||
      (param_formats.size() > 1 && param_formats.size() != static_cast<size_t>(count))) {
    return Fatal("08P01", "invalid Bind message");
  }
  auto it = statements_.find(statement_name);
  if (it == statements_.end()) {
    return FailUntilSync(
        Status::InvalidArgument("prepared statement \"" + statement_name + "\" does not exist"));
  }
  const std::vector<int32_t>& types = it->second.param_types;
  if (static_cast<size_t>(count) != types.size()) {
    return FailUntilSync(Status::InvalidArgument("bind message supplies " + std::to_string(count) +
                                                 " parameters, but the statement requires " +
                                                 std::to_string(types.size())));
  }
  bool malformed = false;
  Result<std::vector<BoundParam>> params = ReadParameters(&reader, param_formats, types, &malformed);
  Portal portal;
  if (malformed || !ReadFormats(&reader, &portal.formats)) return Fatal("08P01", "invalid Bind message");
  if (!params.ok()) return FailUntilSync(params.status());
  Result<Outcome> outcome = Execute(BindParameters(it->second.sql, *params));
  if (!outcome.ok()) return FailUntilSync(outcome.status());
  const size_t columns = outcome->result ? outcome->result->columns.size() : 0;
  if (portal.formats.size() > 1 && portal.formats.size() != columns) {
    return FailUntilSync(Status::InvalidArgument("bind message has " + std::to_string(portal.formats.size()) +
                                                 " result formats but query has " + std::to_string(columns) +
                                                 " columns"));
  }
  portal.outcome = std::move(*outcome);
  portals_[portal_name] = std::move(portal);
  Send(MessageWriter('2').Finish());  // BindComplete
  return true;
}

bool PgConnection::FailUntilSync(const Status& status) {
  SendError(status);
  skip_until_sync_ = true;
  return true;
}

bool PgConnection::Describe(const std::string& body) {
  MessageReader reader(body);
  std::string kind, name;
  if (!reader.ReadBytes(1, &kind) || !reader.ReadCString(&name))
    return Fatal("08P01", "invalid Describe message");
  if (kind == "S") {
    auto it = statements_.find(name);
    if (it == statements_.end()) {
      return FailUntilSync(Status::InvalidArgument("prepared statement \"" + name + "\" does not exist"));
    }
    DescribeStatement(it->second);
    return true;
  }
  auto it = portals_.find(name);
  if (it == portals_.end()) {
    return FailUntilSync(Status::InvalidArgument("portal \"" + name + "\" does not exist"));
  }
  if (it->second.outcome.result) {
    SendRowDescription(*it->second.outcome.result, it->second.formats);
  } else {
    Send(MessageWriter('n').Finish());  // NoData
  }
  return true;
}

void PgConnection::DescribeStatement(const Statement& statement) {
  MessageWriter params('t');
  params.Int16(static_cast<int16_t>(statement.param_types.size()));
  for (int32_t type : statement.param_types) params.Int32(type == 0 ? oid::kText : type);
  Send(params.Finish());
  // The columns, from the query run with NULL parameters and no rows wanted.
  const std::string keyword = FirstKeyword(statement.sql);
  if (keyword == "SELECT" || keyword == "WITH" || keyword == "VALUES" || keyword == "FROM" ||
      keyword == "TABLE") {
    std::vector<BoundParam> nulls(statement.param_types.size());
    for (size_t i = 0; i < nulls.size(); ++i)
      nulls[i].duckdb_type = DuckDbTypeForOid(statement.param_types[i]);
    auto shape =
        session_->Run("SELECT * FROM (" + TranslatePgDialect(BindParameters(statement.sql, nulls)) + ") AS described LIMIT 0");
    if (shape.ok()) {
      SendRowDescription(*shape, {});
      return;
    }
  }
  Send(MessageWriter('n').Finish());  // NoData
}

bool PgConnection::ExecutePortal(const std::string& body) {
  MessageReader reader(body);
  std::string name;
  int32_t max_rows = 0;
  if (!reader.ReadCString(&name) || !reader.ReadInt32(&max_rows))
    return Fatal("08P01", "invalid Execute message");
  auto it = portals_.find(name);
  if (it == portals_.end()) {
    return FailUntilSync(Status::InvalidArgument("portal \"" + name + "\" does not exist"));
  }
  Portal& portal = it->second;
  if (!portal.outcome.result) {
    SendCompletion(portal.outcome, 0);
    return true;
  }
  const size_t total = portal.outcome.result->rows.size();
  const size_t begin = portal.next_row;
  const size_t end = max_rows > 0 ? std::min(total, begin + static_cast<size_t>(max_rows)) : total;
  if (!SendRows(*portal.outcome.result, portal.formats, begin, end)) {
    skip_until_sync_ = true;
    return true;
  }
  portal.next_row = end;
  if (end < total) {
    Send(MessageWriter('s').Finish());  // PortalSuspended
  } else {
    SendCompletion(portal.outcome, end - begin);
  }
  return true;
}

bool PgConnection::Close(const std::string& body) {
  MessageReader reader(body);
  std::string kind, name;
  if (!reader.ReadBytes(1, &kind) || !reader.ReadCString(&name) || (kind != "S" && kind != "P")) {
    return Fatal("08P01", "invalid Close message");
  }
  if (kind == "S") {
    statements_.erase(name);
  } else {
    portals_.erase(name);
  }
  Send(MessageWriter('3').Finish());  // CloseComplete
  return true;
}

}  // namespace custlake::serve
