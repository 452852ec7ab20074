// One client connection speaking PostgreSQL protocol v3 over a socket.
//
// The state machine: startup (SSLRequest answered 'S' and TLS when the server
// has a certificate, else 'N'; GSSENC requests 'N'; the
// StartupMessage, authentication (SCRAM-SHA-256 for the lake's users; trust
// or a cleartext password only when there are none: AuthenticationMethod), the
// ParameterStatus values clients read, BackendKeyData; a CancelRequest
// interrupts the statement of the connection it names), then messages until
// Terminate or EOF: simple query (several statements per message) and the
// extended protocol (Parse, Bind, Describe, Execute with row limits and
// PortalSuspended, Close, Sync, Flush). Every statement runs in the
// connection's own sandboxed query::LakeSession: read-only, the warehouse
// and lake and nothing else, with the sandbox's row and time limits. The
// session is a connection to the server's shared database of the lake's
// newest generation (query::LiveLake): before each statement it moves to a
// newer one if a build, import or score run committed since, and a statement
// that failed reading a file (superseded and vacuumed meanwhile) is run once
// more on the newest version before an error is sent.
// DECLARE ... CURSOR / FETCH / MOVE / CLOSE keep a statement's rows for the
// connection; COPY (query) TO STDOUT streams them in text or CSV.
// SET/BEGIN/COMMIT/ROLLBACK/DISCARD/RESET are acknowledged without effect;
// SHOW of the reported parameters answers from them.
//
// A malformed message, one larger than max_message_bytes, or an unknown
// message type gets an ErrorResponse (08P01) and the connection is closed.
// A PgConnection is used by the one thread that runs Serve(); it owns the
// socket and closes it when Serve() returns.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/user_store.h"
#include "engine/engine.h"
#include "query/lake_session.h"
#include "query/live_lake.h"
#include "serve/cancel_registry.h"
#include "serve/pg_commands.h"
#include "serve/pg_tls.h"
#include "serve/serve_options.h"
#include "serve/sql_text.h"

namespace custlake::serve {

class PgConnection {
 public:
  /// `lake` (may be null only to Refuse()) and `cancels` (may be null: no
  /// cancelling) must outlive the connection.
  PgConnection(int fd, const ServeOptions& options, query::LiveLake* lake, int32_t backend_pid,
               CancelRegistry* cancels);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  /// Runs the connection to its end.
  void Serve();
  /// Answers the SSL/GSSENC requests, then a FATAL `sqlstate` error instead of
  /// serving (e.g. over the connection limit), and ends. Reads wait 5 s at most.
  void Refuse(const std::string& sqlstate, const std::string& message);

 private:
  /// What one statement produced: rows, or only a command tag.
  struct Outcome {
    std::optional<engine::QueryResult> result;
    std::string tag;  ///< for commands without rows ("SET", "BEGIN")
    std::string row_tag = "SELECT";  ///< the tag of a result with rows: "SELECT n", "FETCH n"
    bool empty = false;
    bool binary = false;  ///< rows in binary format in the simple protocol (a BINARY cursor's FETCH)
  };
  struct Statement {
    std::string sql;
    std::vector<int32_t> param_types;
  };
  struct Portal {
    Outcome outcome;
    std::optional<CopyToStdout> copy;  ///< a COPY ... TO STDOUT: Execute sends outcome's rows as CopyData
    std::vector<int16_t> formats;  ///< result column formats (0 text, 1 binary)
    size_t next_row = 0;  ///< a cursor's: its position (0 before the first row, rows + 1 after the last)
    bool no_scroll = false;  ///< a cursor declared NO SCROLL: no backward fetch
    bool warned = false;     ///< a cursor's row-limit warning went out
  };

  // Startup (pg_connection_startup.cc).
  bool Startup();
  bool ReadStartupPacket(std::string* body);
  void SendStartupParameters();

  // Authentication (pg_connection_auth.cc): the method AuthenticationMethod
  // picks, then the session opened.
  bool Authenticate();
  bool AuthenticateCleartext();
  bool AuthenticateScram(const auth::UserStore& users);
  /// Reads one PasswordMessage-family ('p') message: SASLInitialResponse,
  /// SASLResponse or PasswordMessage.
  bool ReadPasswordMessage(std::string* body);

  // Socket I/O (through tls_ once TLS is on).
  /// Answers an SSLRequest: 'S' and the TLS handshake, or 'N'; false when the connection is over.
  bool AnswerSslRequest();
  bool ReadExact(size_t n, std::string* out);
  /// Reads the next message, first sending what waits in out_ unless the client's next message is already here.
  bool ReadMessage(char* type, std::string* body);
  /// Whether input is waiting on the socket (not asked of TLS: false).
  bool InputWaiting() const;
  void Send(const std::string& message) { out_ += message; }
  bool Flush();
  /// Sends a fatal ErrorResponse; the caller then closes.
  bool Fatal(const std::string& sqlstate, const std::string& message);

  // Statements (pg_connection.cc).
  bool Dispatch(char type, const std::string& body);
  void SimpleQuery(const std::string& sql);
  Result<Outcome> Execute(const std::string& sql);
  /// Runs a user's statement (PostgreSQL dialect) in the session, on the
  /// lake's newest generation; retried once on it after a file read failed.
  Result<engine::QueryResult> RunInSession(const std::string& sql);
  /// RunInSession with `params` bound to the statement's $n (as the client
  /// declared their types) rather than pasted in: the session prepares the
  /// text once and runs it with each Bind's values.
  Result<engine::QueryResult> RunInSession(const std::string& sql, const std::vector<BoundParam>& params);
  /// Runs a Bind: a statement for DuckDB with its values bound; any other
  /// (SET, SHOW, cursors) and one that failed so with its values as literals,
  /// whose errors (a value that does not convert: 22P02) say what is wrong.
  Result<Outcome> ExecuteBound(const std::string& sql, const std::vector<BoundParam>& params);
  /// Moves the session to the newest generation's database if it is newer.
  Status FollowNewestVersion();
  Outcome Acknowledge(const std::string& keyword);
  std::optional<Outcome> Show(const std::string& sql);
  void SendError(const Status& status);
  void SendRowDescription(const engine::QueryResult& result, const std::vector<int16_t>& formats);
  bool SendRows(const engine::QueryResult& result, const std::vector<int16_t>& formats, size_t begin,
                size_t end);
  void SendCompletion(const Outcome& outcome, size_t rows);
  /// NoticeResponse WARNING 01000: a result cut at the sandbox's row limit.
  void SendTruncatedWarning();

  // Cursors and COPY (pg_connection_commands.cc).
  Result<Outcome> DeclareCursor(const std::string& sql);
  Result<Outcome> FetchCursor(const std::string& sql);
  Result<Outcome> CloseCursor(const std::string& sql);
  /// COPY (query) TO STDOUT in the simple query protocol; false after an error (sent).
  bool CopyOut(const std::string& sql);
  /// Runs a COPY's query (for a portal: the extended protocol's Bind).
  Result<engine::QueryResult> RunCopyQuery(const std::string& sql, CopyToStdout* copy);
  /// Sends `result` as CopyOutResponse, CopyData and CopyDone, then COPY n; false when the socket failed.
  bool SendCopy(const engine::QueryResult& result, const CopyToStdout& copy);

  // Extended protocol (pg_connection_extended.cc).
  bool Parse(const std::string& body);
  bool Bind(const std::string& body);
  bool Describe(const std::string& body);
  bool ExecutePortal(const std::string& body);
  bool Close(const std::string& body);
  void DescribeStatement(const Statement& statement);
  /// Sends `status` as an ErrorResponse and skips messages up to the next Sync.
  bool FailUntilSync(const Status& status);

  int fd_;
  std::unique_ptr<TlsSession> tls_;  ///< after SSLRequest, when the server has a certificate
  const ServeOptions& options_;
  query::LiveLake* lake_;
  int32_t backend_pid_;
  int32_t secret_ = 0;  ///< BackendKeyData's
  CancelRegistry* cancels_;
  std::string out_;
  std::map<std::string, std::string> parameters_;  ///< reported by ParameterStatus, for SHOW
  std::unique_ptr<query::LakeSession> session_;
  std::map<std::string, Statement> statements_;
  std::map<std::string, Portal> portals_;
  std::map<std::string, Portal> cursors_;  ///< DECLAREd cursors, by name
  bool skip_until_sync_ = false;  ///< after an error in the extended protocol
  bool in_transaction_ = false;   ///< BEGIN seen (reported as 'T'; nothing is transactional)
};

}  // namespace custlake::serve
