// PgConnection: the message loop, the simple query protocol and what every
// statement shares (running it in the sandbox, rows, completions, errors).
#include "serve/pg_connection.h"

#include <unistd.h>

#include <set>

#include "serve/pg_dialect.h"
#include "serve/pg_message.h"
#include "serve/pg_types.h"
#include "serve/sql_text.h"

namespace custlake::serve {

namespace {

bool Contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

/// The SQLSTATE for a failed statement, from the kind of failure.
std::string SqlState(const Status& status) {
  const std::string& m = status.message();
  if (status.code() == StatusCode::kCancelled) return "57014";
  if (m.starts_with("prepared statement \"") && Contains(m, "does not exist")) return "26000";
  if (m.starts_with("portal \"") && Contains(m, "does not exist")) return "34000";
  if (m.starts_with("bind message")) return "08P01";
  if (Contains(m, "not a query") || Contains(m, "Permission Error")) return "42501";
  if (Contains(m, "Parser Error") || Contains(m, "syntax error")) return "42601";
  if (Contains(m, "Catalog Error") && Contains(m, "Table with name")) return "42P01";
  if (Contains(m, "Catalog Error") && Contains(m, "Function")) return "42883";
  if (Contains(m, "Binder Error") && Contains(m, "column")) return "42703";
  if (Contains(m, "Conversion Error")) return "22P02";
  if (m.starts_with("cursor \"") && Contains(m, "does not exist")) return "34000";
  if (m.starts_with("cursor can only scan forward")) return "55000";
  if (m.starts_with("syntax error in")) return "42601";
  if (Contains(m, "supported")) return "0A000";
  if (Contains(m, "INTERRUPT") || Contains(m, "Interrupted")) return "57014";
  return "XX000";
}

/// Statements answered without running anything: the tag they complete with.
const std::map<std::string, std::string>& AcknowledgedTags() {
  static const std::map<std::string, std::string> kTags{
      {"SET", "SET"},        {"BEGIN", "BEGIN"},         {"START", "START TRANSACTION"},
      {"COMMIT", "COMMIT"},  {"END", "COMMIT"},          {"ROLLBACK", "ROLLBACK"},
      {"ABORT", "ROLLBACK"}, {"DISCARD", "DISCARD ALL"}, {"RESET", "RESET"}};
  return kTags;
}

}  // namespace

PgConnection::PgConnection(int fd, const ServeOptions& options, query::LiveLake* lake, int32_t backend_pid,
                           CancelRegistry* cancels)
    : fd_(fd), options_(options), lake_(lake), backend_pid_(backend_pid), cancels_(cancels) {}

PgConnection::~PgConnection() {
  if (cancels_ != nullptr && session_) cancels_->Remove(backend_pid_);  // before session_ goes
  ::close(fd_);
}

void PgConnection::Serve() {
  if (!Startup()) return;
  char type = 0;
  std::string body;
  while (ReadMessage(&type, &body)) {
    if (type == 'X') return;  // Terminate
    if (!Dispatch(type, body)) return;
  }
}

bool PgConnection::Dispatch(char type, const std::string& body) {
  if (type == 'S') {  // Sync
    skip_until_sync_ = false;
    Send(ReadyForQueryMessage(in_transaction_ ? 'T' : 'I'));
    return true;
  }
  if (skip_until_sync_ && std::string("PBDECH").find(type) != std::string::npos) return true;
  switch (type) {
    case 'Q': {
      MessageReader reader(body);
      std::string sql;
      if (!reader.ReadCString(&sql)) return Fatal("08P01", "invalid Query message");
      SimpleQuery(sql);
      return true;
    }
    case 'P':
      return Parse(body);
    case 'B':
      return Bind(body);
    case 'D':
      return Describe(body);
    case 'E':
      return ExecutePortal(body);
    case 'C':
      return Close(body);
    case 'H':
      return Flush();
    default:
      return Fatal("08P01",
                   std::string("invalid frontend message type ") + std::to_string(static_cast<int>(type)));
  }
}

void PgConnection::SimpleQuery(const std::string& sql) {
  statements_.erase("");
  portals_.erase("");
  const std::vector<std::string> statements = SplitStatements(sql);
  for (const std::string& statement : statements) {
    if (statement.empty() && statements.size() > 1) continue;
    if (FirstKeyword(statement) == "COPY") {
      if (!CopyOut(statement)) break;  // the rest of the message is not run, as in PostgreSQL
      continue;
    }
    Result<Outcome> outcome = Execute(statement);
    if (!outcome.ok()) {
      SendError(outcome.status());  // the rest of the message is not run, as in PostgreSQL
      break;
    }
    const std::vector<int16_t> formats = outcome->binary ? std::vector<int16_t>{1} : std::vector<int16_t>{};
    if (outcome->result) {
      SendRowDescription(*outcome->result, formats);
      // A value with no binary form: the error is sent and the rest of the message is not run.
      if (!SendRows(*outcome->result, formats, 0, outcome->result->rows.size())) break;
    }
    SendCompletion(*outcome, outcome->result ? outcome->result->rows.size() : 0);
  }
  Send(ReadyForQueryMessage(in_transaction_ ? 'T' : 'I'));
}

Result<PgConnection::Outcome> PgConnection::Execute(const std::string& sql) {
  Outcome outcome;
  if (sql.empty()) {
    outcome.empty = true;
    return outcome;
  }
  const std::string keyword = FirstKeyword(sql);
  if (AcknowledgedTags().count(keyword)) return Acknowledge(keyword);
  if (keyword == "SHOW") {
    if (std::optional<Outcome> shown = Show(sql)) return *shown;
  }
  if (keyword == "DECLARE") return DeclareCursor(sql);
  if (keyword == "FETCH" || keyword == "MOVE") return FetchCursor(sql);
  if (keyword == "CLOSE") return CloseCursor(sql);
  if (keyword == "COPY") return Status::InvalidArgument("COPY is supported in the simple query protocol only");
  ASSIGN_OR_RETURN(engine::QueryResult result, RunInSession(sql));
  outcome.result = std::move(result);
  return outcome;
}

Result<PgConnection::Outcome> PgConnection::ExecuteBound(const std::string& sql,
                                                          const std::vector<BoundParam>& params) {
  const std::string keyword = FirstKeyword(sql);
  const bool for_duckdb = !sql.empty() && !AcknowledgedTags().count(keyword) && keyword != "SHOW" &&
                          keyword != "DECLARE" && keyword != "FETCH" && keyword != "MOVE" && keyword != "CLOSE" &&
                          keyword != "COPY";
  if (for_duckdb) {
    Result<engine::QueryResult> result = RunInSession(sql, params);
    if (result.ok()) {
      Outcome outcome;
      outcome.result = std::move(*result);
      return outcome;
    }
    if (result.status().code() == StatusCode::kCancelled) return result.status();
  }
  return Execute(BindParameters(sql, params));
}

Status PgConnection::FollowNewestVersion() {
  ASSIGN_OR_RETURN(const int64_t generation, lake_->Generation());
  if (generation == session_->database().generation()) return Status::OK();
  ASSIGN_OR_RETURN(std::unique_ptr<query::LakeSession> newer, lake_->Connect());
  if (cancels_ != nullptr) cancels_->Add(backend_pid_, secret_, newer.get());  // before the old one goes
  session_ = std::move(newer);
  return Status::OK();
}

Result<engine::QueryResult> PgConnection::RunInSession(const std::string& sql) {
  return RunInSession(sql, std::vector<BoundParam>());
}

Result<engine::QueryResult> PgConnection::RunInSession(const std::string& sql, const std::vector<BoundParam>& params) {
  RETURN_NOT_OK(FollowNewestVersion().WithContext("opening the lake's newest version"));
  std::string statement = TranslatePgDialect(sql);
  std::vector<std::string> types;
  std::vector<std::optional<std::string>> values;
  for (const BoundParam& param : params) {
    types.push_back(param.duckdb_type);
    values.push_back(param.text);
  }
  if (!params.empty()) statement = CastParameters(statement, types);
  // A simple-protocol lookup by key (`WHERE customer_id = 42`) is answered as the prepared one is.
  if (params.empty() && FirstKeyword(statement) == "SELECT") {
    if (auto one = ParameterizeOneInteger(statement)) {
      if (auto answer = session_->AnswerFromMemory(one->sql, {one->value})) return std::move(*answer);
    }
  }
  const auto run = [&] { return params.empty() ? session_->Run(statement) : session_->Run(statement, values); };
  Result<engine::QueryResult> result = run();
  // A file of the version this statement began on went away (a re-import
  // superseded it and a vacuum removed it) as a build published a new one:
  // nothing was sent yet, so it runs once more on the newest version.
  if (!result.ok() && Contains(result.status().message(), "IO Error")) {
    const int64_t before = session_->database().generation();
    RETURN_NOT_OK(FollowNewestVersion().WithContext("opening the lake's newest version"));
    if (session_->database().generation() != before) result = run();
  }
  return result;
}

PgConnection::Outcome PgConnection::Acknowledge(const std::string& keyword) {
  if (keyword == "BEGIN" || keyword == "START") in_transaction_ = true;
  if (keyword == "COMMIT" || keyword == "END" || keyword == "ROLLBACK" || keyword == "ABORT")
    in_transaction_ = false;
  if (keyword == "DISCARD") {  // a pooler's reset: the prepared statements and portals go too
    statements_.clear();       // (Bind, running this, uses its statement no more)
    portals_.clear();
    cursors_.clear();
  }
  Outcome outcome;
  outcome.tag = AcknowledgedTags().at(keyword);
  return outcome;
}

std::optional<PgConnection::Outcome> PgConnection::Show(const std::string& sql) {
  std::string name = sql.substr(4);
  while (!name.empty() && (name.back() == ' ' || name.back() == ';')) name.pop_back();
  while (!name.empty() && name.front() == ' ') name.erase(0, 1);
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "transaction isolation level") name = "transaction_isolation";  // SQLAlchemy asks this way
  for (const auto& [key, value] : parameters_) {
    if (key.size() != name.size() || !std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      continue;
    }
    engine::QueryResult result;
    result.columns = {key};
    result.types = {"VARCHAR"};
    result.kinds = {engine::ValueKind::kText};
    result.rows = {{value}};
    result.nulls = {{false}};
    Outcome outcome;
    outcome.result = std::move(result);
    return outcome;
  }
  return std::nullopt;  // not one of ours: DuckDB's own SHOW (SHOW TABLES) runs
}

void PgConnection::SendError(const Status& status) { Send(ErrorMessage(SqlState(status), status.message())); }

void PgConnection::SendRowDescription(const engine::QueryResult& result,
                                      const std::vector<int16_t>& formats) {
  MessageWriter w('T');
  w.Int16(static_cast<int16_t>(result.columns.size()));
  for (size_t c = 0; c < result.columns.size(); ++c) {
    const PgType type = PgTypeFor(result.types[c]);
    const int16_t format = formats.empty() ? 0 : formats.size() == 1 ? formats[0] : formats[c];
    w.CString(result.columns[c])
        .Int32(0)
        .Int16(0)
        .Int32(type.oid)
        .Int16(type.typlen)
        .Int32(type.typmod)
        .Int16(format);
  }
  Send(w.Finish());
}

bool PgConnection::SendRows(const engine::QueryResult& result, const std::vector<int16_t>& formats,
                            size_t begin, size_t end) {
  for (size_t r = begin; r < end; ++r) {
    MessageWriter w('D');
    w.Int16(static_cast<int16_t>(result.columns.size()));
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (result.nulls[r][c]) {
        w.Int32(-1);
        continue;
      }
      const bool binary = !formats.empty() && (formats.size() == 1 ? formats[0] : formats[c]) == 1;
      std::optional<std::string> value = TextValue(result.rows[r][c], result.kinds[c]);
      if (binary) value = BinaryValue(result.rows[r][c], PgTypeFor(result.types[c]).oid);
      if (!value) {
        Send(ErrorMessage("0A000", "binary format is not supported for column \"" + result.columns[c] +
                                       "\" of type " + result.types[c] + "; ask for text"));
        return false;
      }
      w.Int32(static_cast<int32_t>(value->size())).Bytes(*value);
    }
    Send(w.Finish());
  }
  return true;
}

void PgConnection::SendTruncatedWarning() {
  Send(ErrorMessage("01000",
                    "the result has more rows than the server's row limit of " +
                        std::to_string(options_.sandbox.max_rows) + "; only the first were sent",
                    'N', "WARNING"));
}

void PgConnection::SendCompletion(const Outcome& outcome, size_t rows) {
  if (outcome.empty) {
    Send(MessageWriter('I').Finish());  // EmptyQueryResponse
    return;
  }
  if (!outcome.result) {
    Send(CommandCompleteMessage(outcome.tag));
    return;
  }
  if (outcome.result->truncated) SendTruncatedWarning();
  Send(CommandCompleteMessage(outcome.row_tag + " " + std::to_string(rows)));
}

}  // namespace custlake::serve
