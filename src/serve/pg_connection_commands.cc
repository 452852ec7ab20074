// PgConnection: cursors (DECLARE/FETCH/MOVE/CLOSE) and COPY (query) TO STDOUT.
// A cursor's statement runs when it is declared, under the sandbox's limits,
// and its rows wait in the connection until fetched or closed.
#include "serve/pg_commands.h"
#include "serve/pg_connection.h"
#include "serve/pg_dialect.h"
#include "serve/pg_message.h"
#include "serve/pg_types.h"

namespace custlake::serve {

namespace {

Status NoSuchCursor(const std::string& name) { return Status::NotFound("cursor \"" + name + "\" does not exist"); }

}  // namespace

Result<PgConnection::Outcome> PgConnection::DeclareCursor(const std::string& sql) {
  ASSIGN_OR_RETURN(serve::DeclareCursor declare, ParseDeclare(sql));
  if (cursors_.count(declare.name)) {
    return Status::AlreadyExists("cursor \"" + declare.name + "\" already exists");
  }
  ASSIGN_OR_RETURN(engine::QueryResult result, RunInSession(declare.query));
  Portal cursor;
  cursor.outcome.result = std::move(result);
  cursor.no_scroll = declare.no_scroll;
  cursor.outcome.binary = declare.binary;
  cursors_[declare.name] = std::move(cursor);
  Outcome outcome;
  outcome.tag = "DECLARE CURSOR";
  return outcome;
}

Result<PgConnection::Outcome> PgConnection::FetchCursor(const std::string& sql) {
  ASSIGN_OR_RETURN(serve::FetchCursor fetch, ParseFetch(sql));
  auto it = cursors_.find(fetch.name);
  if (it == cursors_.end()) return NoSuchCursor(fetch.name);
  Portal& cursor = it->second;
  const engine::QueryResult& all = *cursor.outcome.result;
  const CursorStep step = StepCursor(fetch, all.rows.size(), cursor.next_row);
  if (cursor.no_scroll &&
      (fetch.direction == serve::FetchCursor::Direction::kBackward || step.position < cursor.next_row)) {
    return Status::InvalidArgument("cursor can only scan forward (declare it with SCROLL to move backward)");
  }
  cursor.next_row = step.position;
  Outcome outcome;
  if (fetch.move) {
    outcome.tag = "MOVE " + std::to_string(step.rows.size());
    return outcome;
  }
  engine::QueryResult slice;
  slice.columns = all.columns;
  slice.types = all.types;
  slice.kinds = all.kinds;
  for (const size_t row : step.rows) {
    slice.rows.push_back(all.rows[row - 1]);
    slice.nulls.push_back(all.nulls[row - 1]);
  }
  // The row limit's warning, once: with the fetch that reaches the last row.
  slice.truncated = all.truncated && !step.rows.empty() && step.rows.back() == all.rows.size() && !cursor.warned;
  cursor.warned = cursor.warned || slice.truncated;
  outcome.result = std::move(slice);
  outcome.row_tag = "FETCH";
  outcome.binary = cursor.outcome.binary;
  return outcome;
}

Result<PgConnection::Outcome> PgConnection::CloseCursor(const std::string& sql) {
  ASSIGN_OR_RETURN(std::string name, ParseClose(sql));
  if (name.empty()) {
    cursors_.clear();
  } else if (cursors_.erase(name) == 0) {
    return NoSuchCursor(name);
  }
  Outcome outcome;
  outcome.tag = "CLOSE CURSOR";
  return outcome;
}

Result<engine::QueryResult> PgConnection::RunCopyQuery(const std::string& sql, CopyToStdout* copy) {
  ASSIGN_OR_RETURN(*copy, ParseCopy(sql));
  return RunInSession(copy->query);
}

bool PgConnection::CopyOut(const std::string& sql) {
  CopyToStdout copy;
  Result<engine::QueryResult> result = RunCopyQuery(sql, &copy);
  if (!result.ok()) {
    SendError(result.status());
    return false;
  }
  return SendCopy(*result, copy);
}

bool PgConnection::SendCopy(const engine::QueryResult& result, const CopyToStdout& copy) {
  MessageWriter response('H');  // CopyOutResponse: overall format, then each column's (0: text)
  response.Bytes(std::string(1, '\0')).Int16(static_cast<int16_t>(result.columns.size()));
  for (size_t c = 0; c < result.columns.size(); ++c) response.Int16(0);
  Send(response.Finish());
  if (copy.header) {
    Send(MessageWriter('d').Bytes(CopyLine(result.columns, std::vector<bool>(result.columns.size()), copy)).Finish());
  }
  std::vector<std::string> values(result.columns.size());
  for (size_t r = 0; r < result.rows.size(); ++r) {
    for (size_t c = 0; c < values.size(); ++c) {
      values[c] = result.nulls[r][c] ? std::string() : TextValue(result.rows[r][c], result.kinds[c]);
    }
    Send(MessageWriter('d').Bytes(CopyLine(values, result.nulls[r], copy)).Finish());
    if (out_.size() > (1 << 16) && !Flush()) return false;
  }
  Send(MessageWriter('c').Finish());  // CopyDone
  if (result.truncated) SendTruncatedWarning();
  Send(CommandCompleteMessage("COPY " + std::to_string(result.rows.size())));
  return true;
}

}  // namespace custlake::serve
