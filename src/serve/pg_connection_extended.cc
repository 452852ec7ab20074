// PgConnection: the extended query protocol (Parse, Bind, Describe, Execute,
// Close). A portal's statement runs when it is bound, its parameters bound to
// the session's prepared statement for its text (prepared at the first Bind,
// reused by the next); Execute then hands out its rows, max_rows at a time.
#include "serve/pg_connection.h"
#include "serve/pg_dialect.h"
#include "serve/pg_frontend.h"
#include "serve/pg_message.h"
#include "serve/pg_types.h"
#include "serve/sql_text.h"

namespace custlake::serve {

bool PgConnection::Parse(const std::string& body) {
  std::optional<ParseMessage> parse = DecodeParse(body);
  if (!parse) return Fatal("08P01", "invalid Parse message");
  const std::vector<std::string> parts = SplitStatements(parse->sql);
  if (parts.size() > 1) {
    return FailUntilSync(
        Status::InvalidArgument("Parser Error: cannot insert multiple commands into a prepared statement"));
  }
  Statement statement;
  statement.sql = parts[0];  // without a trailing ';', so Describe can wrap it
  statement.param_types = std::move(parse->param_types);
  statement.param_types.resize(
      std::max<size_t>(statement.param_types.size(), static_cast<size_t>(MaxParameterIndex(statement.sql))));
  statements_[parse->name] = std::move(statement);
  Send(MessageWriter('1').Finish());  // ParseComplete
  return true;
}

bool PgConnection::Bind(const std::string& body) {
  std::optional<BindMessage> bind = DecodeBind(body);
  if (!bind) return Fatal("08P01", "invalid Bind message");
  auto it = statements_.find(bind->statement);
  if (it == statements_.end()) {
    return FailUntilSync(
        Status::InvalidArgument("prepared statement \"" + bind->statement + "\" does not exist"));
  }
  const std::vector<int32_t>& types = it->second.param_types;
  if (bind->values.size() != types.size()) {
    return FailUntilSync(Status::InvalidArgument("bind message supplies " + std::to_string(bind->values.size()) +
                                                 " parameters, but the statement requires " +
                                                 std::to_string(types.size())));
  }
  Result<std::vector<BoundParam>> params = BindValues(*bind, types);
  if (!params.ok()) return FailUntilSync(params.status());
  Portal portal;
  if (FirstKeyword(it->second.sql) == "COPY") {  // its rows go out at Execute, as CopyData
    CopyToStdout copy;
    Result<engine::QueryResult> rows = RunCopyQuery(BindParameters(it->second.sql, *params), &copy);
    if (!rows.ok()) return FailUntilSync(rows.status());
    portal.copy = copy;
    portal.outcome.result = std::move(*rows);
    portals_[bind->portal] = std::move(portal);
    Send(MessageWriter('2').Finish());  // BindComplete
    return true;
  }
  Result<Outcome> outcome = ExecuteBound(it->second.sql, *params);
  if (!outcome.ok()) return FailUntilSync(outcome.status());
  portal.formats = std::move(bind->result_formats);
  const size_t columns = outcome->result ? outcome->result->columns.size() : 0;
  if (portal.formats.size() > 1 && portal.formats.size() != columns) {
    return FailUntilSync(Status::InvalidArgument("bind message has " + std::to_string(portal.formats.size()) +
                                                 " result formats but query has " + std::to_string(columns) +
                                                 " columns"));
  }
  portal.outcome = std::move(*outcome);
  portals_[bind->portal] = std::move(portal);
  Send(MessageWriter('2').Finish());  // BindComplete
  return true;
}

bool PgConnection::FailUntilSync(const Status& status) {
  SendError(status);
  skip_until_sync_ = true;
  return true;
}

bool PgConnection::Describe(const std::string& body) {
  std::optional<TargetMessage> target = DecodeTarget(body);
  if (!target) return Fatal("08P01", "invalid Describe message");
  const std::string& name = target->name;
  if (target->kind == 'S') {
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
  if (it->second.outcome.result && !it->second.copy) {
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
        RunInSession("SELECT * FROM (" + BindParameters(statement.sql, nulls) + ") AS described LIMIT 0");
    if (shape.ok()) {
      SendRowDescription(*shape, {});
      return;
    }
  }
  Send(MessageWriter('n').Finish());  // NoData
}

bool PgConnection::ExecutePortal(const std::string& body) {
  std::optional<ExecuteMessage> execute = DecodeExecute(body);
  if (!execute) return Fatal("08P01", "invalid Execute message");
  const int32_t max_rows = execute->max_rows;
  auto it = portals_.find(execute->portal);
  if (it == portals_.end()) {
    return FailUntilSync(Status::InvalidArgument("portal \"" + execute->portal + "\" does not exist"));
  }
  Portal& portal = it->second;
  if (portal.copy) {  // the whole COPY at once (a row limit does not apply to it, as in PostgreSQL)
    if (portal.next_row > 0) return FailUntilSync(Status::InvalidArgument("portal \"" + execute->portal + "\" cannot be run"));
    portal.next_row = portal.outcome.result->rows.size();
    if (!SendCopy(*portal.outcome.result, *portal.copy)) return false;
    return true;
  }
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
  std::optional<TargetMessage> target = DecodeTarget(body);
  if (!target) return Fatal("08P01", "invalid Close message");
  if (target->kind == 'S') {
    statements_.erase(target->name);
  } else {
    portals_.erase(target->name);
  }
  Send(MessageWriter('3').Finish());  // CloseComplete
  return true;
}

}  // namespace custlake::serve
