#include "engine/engine.h"

#include <duckdb.h>

#include <cctype>
#include <limits>
#include <list>
#include <set>
#include <string>
#include <vector>

#include "engine/engine_internal.h"

namespace custlake::engine {
namespace {

ValueKind KindOf(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
      return ValueKind::kBoolean;
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return ValueKind::kInteger;
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return ValueKind::kFloat;
    default:
      return ValueKind::kText;
  }
}

/// The display name of `type`; destroys it.
std::string TypeName(duckdb_logical_type type) {
  char* name = duckdb_logical_type_get_alias(type);
  std::string out;
  if (name != nullptr) {
    out = name;
    duckdb_free(name);
  } else {
    // Render through a cast of the type id; good enough for display.
    switch (duckdb_get_type_id(type)) {
      case DUCKDB_TYPE_BOOLEAN: out = "BOOLEAN"; break;
      case DUCKDB_TYPE_TINYINT: out = "TINYINT"; break;
      case DUCKDB_TYPE_SMALLINT: out = "SMALLINT"; break;
      case DUCKDB_TYPE_INTEGER: out = "INTEGER"; break;
      case DUCKDB_TYPE_BIGINT: out = "BIGINT"; break;
      case DUCKDB_TYPE_UBIGINT: out = "UBIGINT"; break;
      case DUCKDB_TYPE_HUGEINT: out = "HUGEINT"; break;
      case DUCKDB_TYPE_FLOAT: out = "FLOAT"; break;
      case DUCKDB_TYPE_DOUBLE: out = "DOUBLE"; break;
      case DUCKDB_TYPE_DECIMAL:
        out = "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
              std::to_string(duckdb_decimal_scale(type)) + ")";
        break;
      case DUCKDB_TYPE_VARCHAR: out = "VARCHAR"; break;
      case DUCKDB_TYPE_DATE: out = "DATE"; break;
      case DUCKDB_TYPE_TIMESTAMP: out = "TIMESTAMP"; break;
      case DUCKDB_TYPE_TIMESTAMP_TZ: out = "TIMESTAMP WITH TIME ZONE"; break;
      case DUCKDB_TYPE_LIST: out = "LIST"; break;
      case DUCKDB_TYPE_STRUCT: out = "STRUCT"; break;
      case DUCKDB_TYPE_MAP: out = "MAP"; break;
      case DUCKDB_TYPE_BLOB: out = "BLOB"; break;
      default: out = "OTHER"; break;
    }
  }
  duckdb_destroy_logical_type(&type);
  return out;
}

std::string TypeName(duckdb_result* result, idx_t col) { return TypeName(duckdb_column_logical_type(result, col)); }

}  // namespace

namespace {
Status ResultError(duckdb_result* result);
}  // namespace

struct Database::Impl {
  duckdb_database db = nullptr;
  ~Impl() {
    if (db != nullptr) duckdb_close(&db);
  }
};

/// A session's plain-path statements (TryRunPlain) by their text, the most
/// recently used first: a query run again (a dashboard's, a BI tool's poll,
/// a benchmark's) is parsed, bound and planned once per session. Bounded.
class PlanCache {
 public:
  static constexpr size_t kMaxEntries = 32;
  ~PlanCache() { Clear(); }
  /// The statement prepared for `sql`, or nullptr; it stays the cache's.
  duckdb_prepared_statement Find(const std::string& sql) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first != sql) continue;
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().second;
    }
    return nullptr;
  }
  /// Keeps `prepared` (the cache destroys it), dropping the least recently used beyond the bound.
  void Put(const std::string& sql, duckdb_prepared_statement prepared) {
    entries_.emplace_front(sql, prepared);
    if (entries_.size() > kMaxEntries) {
      duckdb_destroy_prepare(&entries_.back().second);
      entries_.pop_back();
    }
  }
  void Clear() {
    for (auto& entry : entries_) duckdb_destroy_prepare(&entry.second);
    entries_.clear();
  }

 private:
  std::list<std::pair<std::string, duckdb_prepared_statement>> entries_;
};

struct Session::Impl {
  duckdb_connection con = nullptr;
  PlanCache plans;
  ~Impl() {
    plans.Clear();  // before the connection they belong to goes
    if (con != nullptr) duckdb_disconnect(&con);
  }
};

Database::Database(std::unique_ptr<Impl> impl, std::string path)
    : impl_(std::move(impl)), path_(std::move(path)) {}
Database::~Database() = default;

std::string Database::Version() { return duckdb_library_version(); }

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) return Status::Internal("duckdb: cannot create config");
  std::map<std::string, std::string> settings = options.settings;
  if (options.read_only) settings["access_mode"] = "READ_ONLY";
  if (options.threads > 0) settings["threads"] = std::to_string(options.threads);
  if (!options.memory_limit.empty()) settings["memory_limit"] = options.memory_limit;
  if (!options.temp_directory.empty()) settings["temp_directory"] = options.temp_directory;
  for (const auto& [name, value] : settings) {
    if (duckdb_set_config(config, name.c_str(), value.c_str()) == DuckDBError) {
      duckdb_destroy_config(&config);
      return Status::InvalidArgument("duckdb: invalid setting " + name + "=" + value);
    }
  }
  auto impl = std::make_unique<Impl>();
  char* error = nullptr;
  duckdb_state state = duckdb_open_ext(options.path.c_str(), &impl->db, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error != nullptr ? error : "unknown error";
    if (error != nullptr) duckdb_free(error);
    return Status::IOError("cannot open DuckDB database '" + options.path + "': " + message);
  }
  return std::unique_ptr<Database>(new Database(std::move(impl), options.path));
}

Result<std::unique_ptr<Session>> Database::Connect() {
  auto impl = std::make_unique<Session::Impl>();
  if (duckdb_connect(impl_->db, &impl->con) == DuckDBError) {
    return Status::Internal("cannot connect to DuckDB database '" + path_ + "'");
  }
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

struct SessionAccess {
  static duckdb_connection Handle(Session* s) { return s->impl_->con; }
};
duckdb_connection internal::Handle(Session* session) { return SessionAccess::Handle(session); }

void Session::Interrupt() { duckdb_interrupt(impl_->con); }

Status Session::Execute(const std::string& sql) {
  duckdb_result result;
  if (duckdb_query(impl_->con, sql.c_str(), &result) == DuckDBError) return ResultError(&result);
  duckdb_destroy_result(&result);
  return Status::OK();
}

namespace {

/// Copies a result into a QueryResult and destroys it.
QueryResult Materialize(duckdb_result* result, int64_t max_rows) {
  QueryResult out;
  const idx_t ncols = duckdb_column_count(result);
  idx_t nrows = duckdb_row_count(result);
  if (max_rows >= 0 && nrows > static_cast<idx_t>(max_rows)) {
    nrows = static_cast<idx_t>(max_rows);
    out.truncated = true;
  }
  out.rows_changed = static_cast<int64_t>(duckdb_rows_changed(result));
  for (idx_t c = 0; c < ncols; c++) {
    out.columns.emplace_back(duckdb_column_name(result, c));
    out.types.push_back(TypeName(result, c));
    out.kinds.push_back(KindOf(duckdb_column_type(result, c)));
  }
  out.rows.reserve(nrows);
  out.nulls.reserve(nrows);
  for (idx_t r = 0; r < nrows; r++) {
    std::vector<std::string> row(ncols);
    std::vector<bool> null(ncols, false);
    for (idx_t c = 0; c < ncols; c++) {
      if (duckdb_value_is_null(result, c, r)) {
        null[c] = true;
        continue;
      }
      char* text = duckdb_value_varchar(result, c, r);
      if (text != nullptr) {
        row[c] = text;
        duckdb_free(text);
      }
    }
    out.rows.push_back(std::move(row));
    out.nulls.push_back(std::move(null));
  }
  duckdb_destroy_result(result);
  return out;
}

Status ResultError(duckdb_result* result) {
  std::string message = duckdb_result_error(result);
  duckdb_destroy_result(result);
  return Status::SourceError(message);
}

bool IsReadOnly(duckdb_statement_type type) {
  return type == DUCKDB_STATEMENT_TYPE_SELECT || type == DUCKDB_STATEMENT_TYPE_EXPLAIN;
}

/// Runs `sql` with a streaming result in `*result` (the caller fetches its chunks and destroys it).
Status ExecuteStreaming(duckdb_connection con, const std::string& sql, duckdb_result* result) {
  duckdb_prepared_statement prepared = nullptr;
  if (duckdb_prepare(con, sql.c_str(), &prepared) == DuckDBError) {
    std::string message = duckdb_prepare_error(prepared);
    duckdb_destroy_prepare(&prepared);
    return Status::SourceError("DuckDB: " + message);
  }
  const duckdb_state state = duckdb_execute_prepared_streaming(prepared, result);
  duckdb_destroy_prepare(&prepared);
  if (state == DuckDBError) return ResultError(result);
  return Status::OK();
}

/// Ends a streaming read: `out`, or the error the stream ended on when `out` is OK; destroys `*result`.
Status FinishStreaming(duckdb_result* result, Status out) {
  if (out.ok()) {
    const char* error = duckdb_result_error(result);
    if (error != nullptr) out = Status::SourceError(std::string("DuckDB: ") + error);
  }
  duckdb_destroy_result(result);
  return out;
}

}  // namespace

Result<QueryResult> Session::Query(const std::string& sql, int64_t max_rows) {
  duckdb_result result;
  if (duckdb_query(impl_->con, sql.c_str(), &result) == DuckDBError) return ResultError(&result);
  return Materialize(&result, max_rows);
}

Status Session::ForEachString(const std::string& sql, const std::function<void(std::string_view)>& fn) {
  duckdb_result result;
  RETURN_NOT_OK(ExecuteStreaming(impl_->con, sql, &result));
  Status out = Status::OK();
  if (duckdb_column_type(&result, 0) != DUCKDB_TYPE_VARCHAR) {
    out = Status::InvalidArgument("ForEachString: the first column is not VARCHAR");
  }
  while (out.ok()) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
    if (chunk == nullptr) break;
    const idx_t n = duckdb_data_chunk_get_size(chunk);
    duckdb_vector v = duckdb_data_chunk_get_vector(chunk, 0);
    auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(v));
    uint64_t* validity = duckdb_vector_get_validity(v);
    for (idx_t r = 0; r < n; r++) {
      if (validity != nullptr && !duckdb_validity_row_is_valid(validity, r)) continue;
      duckdb_string_t* s = &data[r];
      const uint32_t len = duckdb_string_t_length(*s);
      fn(std::string_view(duckdb_string_t_data(s), len));
    }
    duckdb_destroy_data_chunk(&chunk);
  }
  return FinishStreaming(&result, std::move(out));
}

Status Session::ForEachDoubleChunk(
    const std::string& sql, const std::function<Status(const std::vector<std::string>& names)>& on_columns,
    const std::function<Status(size_t rows, const std::vector<const double*>& columns)>& on_chunk) {
  duckdb_result result;
  RETURN_NOT_OK(ExecuteStreaming(impl_->con, sql, &result));
  const idx_t ncols = duckdb_column_count(&result);
  std::vector<std::string> names;
  Status out = Status::OK();
  for (idx_t c = 0; c < ncols && out.ok(); ++c) {
    names.emplace_back(duckdb_column_name(&result, c));
    if (duckdb_column_type(&result, c) != DUCKDB_TYPE_DOUBLE) {
      out = Status::InvalidArgument("ForEachDoubleChunk: the column " + names.back() + " is not DOUBLE");
    }
  }
  if (out.ok()) out = on_columns(names);
  std::vector<const double*> columns(ncols);
  std::vector<std::vector<double>> with_nan(ncols);  // a column with NULLs, copied with NaN in their place
  while (out.ok()) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
    if (chunk == nullptr) break;
    const idx_t n = duckdb_data_chunk_get_size(chunk);
    for (idx_t c = 0; c < ncols; ++c) {
      duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
      const auto* data = static_cast<const double*>(duckdb_vector_get_data(v));
      uint64_t* validity = duckdb_vector_get_validity(v);
      columns[c] = data;
      if (validity == nullptr) continue;
      with_nan[c].assign(data, data + n);
      for (idx_t r = 0; r < n; ++r) {
        if (!duckdb_validity_row_is_valid(validity, r)) with_nan[c][r] = std::numeric_limits<double>::quiet_NaN();
      }
      columns[c] = with_nan[c].data();
    }
    out = on_chunk(n, columns);
    duckdb_destroy_data_chunk(&chunk);
  }
  return FinishStreaming(&result, std::move(out));
}

namespace {
/// `sql` without trailing blanks and semicolons, so it can sit in a subquery.
std::string WithoutTrailingSemicolons(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) sql.pop_back();
  return sql;
}

/// A prepared SELECT's column names, types and kinds (no rows).
QueryResult ShapeOf(duckdb_prepared_statement prepared) {
  QueryResult shape;
  const idx_t ncols = duckdb_prepared_statement_column_count(prepared);
  for (idx_t c = 0; c < ncols; c++) {
    const char* name = duckdb_prepared_statement_column_name(prepared, c);  // ours to free
    shape.columns.emplace_back(name != nullptr ? name : "");
    duckdb_free(const_cast<char*>(name));
    shape.types.push_back(TypeName(duckdb_prepared_statement_column_logical_type(prepared, c)));
    shape.kinds.push_back(KindOf(duckdb_prepared_statement_column_type(prepared, c)));
  }
  return shape;
}

/// The SELECT `sql` with every column cast to VARCHAR: DuckDB renders each value as its own text.
std::string AsText(const std::string& sql) {
  return "SELECT COLUMNS(*)::VARCHAR FROM (\n" + WithoutTrailingSemicolons(sql) + "\n) AS custlake_result";
}

/// Runs `prepared` (the one statement of `sql`) and destroys it.
/// A SELECT runs wrapped: DuckDB renders every column as text (its own
/// formats for TIMESTAMPTZ, lists, structs, maps, UUIDs, ...), and the row
/// limit is pushed into the query, so a SELECT * over a billion rows only
/// ever produces max_rows + 1 of them. Names and types are the query's own.
/// `bind` (when given) binds the parameters of whichever statement runs.
using Binder = std::function<Status(duckdb_prepared_statement)>;
Result<QueryResult> RunPrepared(duckdb_connection con, duckdb_prepared_statement prepared, const std::string& sql,
                                int64_t max_rows, const Binder& bind = nullptr) {
  if (duckdb_prepared_statement_type(prepared) == DUCKDB_STATEMENT_TYPE_SELECT) {
    QueryResult shape = ShapeOf(prepared);
    const idx_t ncols = shape.columns.size();
    std::string wrapped = AsText(sql);
    if (max_rows >= 0) wrapped += " LIMIT " + std::to_string(max_rows + 1);
    // Defence in depth: the wrapped text must still be exactly one SELECT.
    duckdb_extracted_statements wrapped_statements = nullptr;
    duckdb_prepared_statement text_query = nullptr;
    const bool one = duckdb_extract_statements(con, wrapped.c_str(), &wrapped_statements) == 1 &&
                     duckdb_prepare_extracted_statement(con, wrapped_statements, 0, &text_query) != DuckDBError;
    duckdb_destroy_extracted(&wrapped_statements);
    if (ncols > 0 && one && duckdb_prepared_statement_type(text_query) == DUCKDB_STATEMENT_TYPE_SELECT &&
        duckdb_prepared_statement_column_count(text_query) == ncols) {
      duckdb_destroy_prepare(&prepared);
      if (bind) {
        if (Status bound = bind(text_query); !bound.ok()) {
          duckdb_destroy_prepare(&text_query);
          return bound;
        }
      }
      duckdb_result result;
      duckdb_state state = duckdb_execute_prepared(text_query, &result);
      duckdb_destroy_prepare(&text_query);
      if (state == DuckDBError) return ResultError(&result);
      QueryResult out = Materialize(&result, max_rows);
      out.columns = std::move(shape.columns);
      out.types = std::move(shape.types);
      out.kinds = std::move(shape.kinds);
      return out;
    }
    duckdb_destroy_prepare(&text_query);  // e.g. a trailing comment after a semicolon: run it as it is
  }
  if (bind) {
    if (Status bound = bind(prepared); !bound.ok()) {
      duckdb_destroy_prepare(&prepared);
      return bound;
    }
  }
  duckdb_result result;
  duckdb_state state = duckdb_execute_prepared(prepared, &result);
  duckdb_destroy_prepare(&prepared);
  if (state == DuckDBError) return ResultError(&result);
  return Materialize(&result, max_rows);
}
}  // namespace

namespace {
/// Types the C API's duckdb_value_varchar renders exactly as DuckDB's own
/// CAST(x AS VARCHAR) does (the wrap in RunPrepared exists for the others).
bool RendersPlain(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN: case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT: case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT: case DUCKDB_TYPE_HUGEINT: case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_VARCHAR: case DUCKDB_TYPE_DATE: case DUCKDB_TYPE_TIMESTAMP: case DUCKDB_TYPE_DECIMAL:
      return true;
    default:
      return false;
  }
}

/// A name a subquery's star may have renamed ("a" twice reads as a, a_1): the query's own names are not known.
bool MayBeRenamed(const std::string& name) {
  size_t i = name.size();
  while (i > 0 && std::isdigit(static_cast<unsigned char>(name[i - 1]))) --i;
  return i < name.size() && i > 0 && name[i - 1] == '_';
}

/// The fast path of a SELECT: one prepare of `SELECT * FROM (sql) LIMIT max_rows + 1`
/// (the row limit pushed into the query, as RunPrepared's wrap does) and its
/// values rendered by the C API, when every column's type renders exactly so
/// and its names are the query's own. nullopt: not such a query (or not one
/// SELECT); the caller takes the general path, whose errors point into `sql`.
/// The statement is prepared once per session and text (`plans`).
std::optional<Result<QueryResult>> TryRunPlain(duckdb_connection con, PlanCache* plans, const std::string& sql,
                                               int64_t max_rows, const Binder& bind) {
  std::string wrapped = "SELECT * FROM (\n" + WithoutTrailingSemicolons(sql) + "\n) AS custlake_result";
  if (max_rows >= 0) wrapped += " LIMIT " + std::to_string(max_rows + 1);
  duckdb_prepared_statement prepared = plans->Find(wrapped);
  if (prepared == nullptr) {
    duckdb_extracted_statements statements = nullptr;
    const bool one = duckdb_extract_statements(con, wrapped.c_str(), &statements) == 1 &&
                     duckdb_prepare_extracted_statement(con, statements, 0, &prepared) != DuckDBError;
    duckdb_destroy_extracted(&statements);
    bool plain = one && duckdb_prepared_statement_type(prepared) == DUCKDB_STATEMENT_TYPE_SELECT &&
                 duckdb_prepared_statement_column_count(prepared) > 0;
    for (idx_t c = 0; plain && c < duckdb_prepared_statement_column_count(prepared); c++) {
      const char* name = duckdb_prepared_statement_column_name(prepared, c);  // ours to free
      plain = RendersPlain(duckdb_prepared_statement_column_type(prepared, c)) && name != nullptr &&
              !MayBeRenamed(name);
      duckdb_free(const_cast<char*>(name));
    }
    if (!plain) {
      duckdb_destroy_prepare(&prepared);
      return std::nullopt;
    }
    plans->Put(wrapped, prepared);
  }
  duckdb_clear_bindings(prepared);  // a cached statement keeps its last run's
  if (bind) {
    if (Status bound = bind(prepared); !bound.ok()) return std::nullopt;  // the general path reports it
  }
  duckdb_result result;
  if (duckdb_execute_prepared(prepared, &result) == DuckDBError) return Result<QueryResult>(ResultError(&result));
  return Result<QueryResult>(Materialize(&result, max_rows));
}
}  // namespace

namespace {
const std::string kNotAQuery =
    "the statement is not a query: only SELECT (and EXPLAIN) run on the warehouse, which is read-only here";

/// Whether `sql` begins (after blanks, comments and parentheses) with a keyword of a statement that writes.
bool StartsWithWriteKeyword(const std::string& sql) {
  size_t i = 0;
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(') {
      ++i;
    } else if (sql.compare(i, 2, "--") == 0) {
      i = sql.find('\n', i);
      if (i == std::string::npos) return false;
    } else if (sql.compare(i, 2, "/*") == 0) {
      i = sql.find("*/", i + 2);
      if (i == std::string::npos) return false;
      i += 2;
    } else {
      break;
    }
  }
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  }
  static const std::set<std::string> kWrites{"INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER",
                                             "TRUNCATE", "COPY", "ATTACH", "DETACH", "INSTALL", "LOAD", "SET",
                                             "RESET", "PRAGMA", "CALL", "CHECKPOINT", "VACUUM", "EXPORT", "IMPORT",
                                             "USE", "COMMENT", "UPSERT", "REPLACE"};
  return kWrites.count(word) > 0;
}
}  // namespace

namespace {
/// Binds `params` ($1..$n, VARCHAR values or NULL) to a prepared statement.
Binder VarcharBinder(const std::vector<std::optional<std::string>>& params) {
  return [&params](duckdb_prepared_statement statement) {
    if (duckdb_nparams(statement) != params.size()) {
      return Status::InvalidArgument("the SQL takes " + std::to_string(duckdb_nparams(statement)) +
                                     " parameters, " + std::to_string(params.size()) + " given");
    }
    for (idx_t i = 0; i < params.size(); i++) {
      const duckdb_state state =
          params[i] ? duckdb_bind_varchar_length(statement, i + 1, params[i]->data(), params[i]->size())
                    : duckdb_bind_null(statement, i + 1);
      if (state == DuckDBError) return Status::InvalidArgument("cannot bind parameter $" + std::to_string(i + 1));
    }
    return Status::OK();
  };
}
}  // namespace

Result<QueryResult> Session::QueryReadOnly(const std::string& sql, int64_t max_rows) {
  return QueryReadOnlyBound(sql, max_rows, nullptr);
}

Result<QueryResult> Session::QueryReadOnlyWithParams(const std::string& sql,
                                                     const std::vector<std::optional<std::string>>& params,
                                                     int64_t max_rows) {
  return QueryReadOnlyBound(sql, max_rows, &params);
}

Result<QueryResult> Session::QueryReadOnlyBound(const std::string& sql, int64_t max_rows,
                                                const std::vector<std::optional<std::string>>* params) {
  const Binder bind = params != nullptr ? VarcharBinder(*params) : Binder();
  duckdb_extracted_statements extracted = nullptr;
  idx_t count = duckdb_extract_statements(impl_->con, sql.c_str(), &extracted);
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(extracted);
    std::string message = error != nullptr ? error : "no SQL statement given";
    duckdb_destroy_extracted(&extracted);
    return Status::InvalidArgument(message);
  }
  if (count > 1) {
    duckdb_destroy_extracted(&extracted);
    return Status::InvalidArgument("the SQL holds " + std::to_string(count) +
                                   " statements; give one query at a time");
  }
  // Most queries plan once: wrapped, a query is all it can be (another
  // statement in a FROM clause does not parse; then the general path refuses it).
  if (std::optional<Result<QueryResult>> plain = TryRunPlain(impl_->con, &impl_->plans, sql, max_rows, bind)) {
    duckdb_destroy_extracted(&extracted);
    return std::move(*plain);
  }
  duckdb_prepared_statement prepared = nullptr;
  if (duckdb_prepare_extracted_statement(impl_->con, extracted, 0, &prepared) == DuckDBError) {
    std::string message = duckdb_prepare_error(prepared);
    duckdb_destroy_prepare(&prepared);
    duckdb_destroy_extracted(&extracted);
    // A write that fails to bind (INSERT into a view, DELETE from the read-only
    // warehouse) is refused as a write, not reported as a catalog problem.
    if (StartsWithWriteKeyword(sql)) return Status::InvalidArgument(kNotAQuery + (" (" + message + ")"));
    return Status::InvalidArgument(message);
  }
  duckdb_destroy_extracted(&extracted);
  const duckdb_statement_type type = duckdb_prepared_statement_type(prepared);
  if (!IsReadOnly(type)) {
    duckdb_destroy_prepare(&prepared);
    return Status::InvalidArgument(kNotAQuery);
  }
  return RunPrepared(impl_->con, prepared, sql, max_rows, bind);
}

Result<QueryResult> Session::QueryText(const std::string& sql, int64_t max_rows) {
  duckdb_prepared_statement prepared = nullptr;
  if (duckdb_prepare(impl_->con, sql.c_str(), &prepared) == DuckDBError) {
    std::string message = duckdb_prepare_error(prepared);
    duckdb_destroy_prepare(&prepared);
    return Status::SourceError("DuckDB: " + message);
  }
  return RunPrepared(impl_->con, prepared, sql, max_rows);
}

Result<QueryResult> Session::QueryWithParams(const std::string& sql,
                                             const std::vector<std::optional<std::string>>& params, int64_t max_rows) {
  const Binder bind = VarcharBinder(params);
  if (std::optional<Result<QueryResult>> plain = TryRunPlain(impl_->con, &impl_->plans, sql, max_rows, bind)) {
    return std::move(*plain);
  }
  duckdb_prepared_statement prepared = nullptr;
  if (duckdb_prepare(impl_->con, sql.c_str(), &prepared) == DuckDBError) {
    std::string message = duckdb_prepare_error(prepared);
    duckdb_destroy_prepare(&prepared);
    return Status::SourceError("DuckDB: " + message);
  }
  if (duckdb_prepared_statement_type(prepared) != DUCKDB_STATEMENT_TYPE_SELECT) {
    duckdb_destroy_prepare(&prepared);
    return Status::InvalidArgument("QueryWithParams runs one SELECT statement");
  }
  // Rendered as DuckDB's text, like QueryText (the C API renders no TIMESTAMPTZ).
  return RunPrepared(impl_->con, prepared, sql, max_rows, bind);
}

Status Session::ForEachTextChunk(const std::string& sql,
                                 const std::function<Status(const QueryResult& shape)>& on_columns,
                                 const std::function<Status(const TextChunk& chunk)>& on_chunk) {
  duckdb_prepared_statement prepared = nullptr;
  if (duckdb_prepare(impl_->con, sql.c_str(), &prepared) == DuckDBError) {
    std::string message = duckdb_prepare_error(prepared);
    duckdb_destroy_prepare(&prepared);
    return Status::SourceError("DuckDB: " + message);
  }
  const bool select = duckdb_prepared_statement_type(prepared) == DUCKDB_STATEMENT_TYPE_SELECT;
  const QueryResult shape = select ? ShapeOf(prepared) : QueryResult();
  duckdb_destroy_prepare(&prepared);
  if (!select || shape.columns.empty()) return Status::InvalidArgument("ForEachTextChunk runs one SELECT statement");
  RETURN_NOT_OK(on_columns(shape));
  duckdb_result result;
  RETURN_NOT_OK(ExecuteStreaming(impl_->con, AsText(sql), &result));
  const idx_t ncols = shape.columns.size();
  Status out = Status::OK();
  if (duckdb_column_count(&result) != ncols) {
    out = Status::Internal("ForEachTextChunk: the query as text has " + std::to_string(duckdb_column_count(&result)) +
                           " columns, not " + std::to_string(ncols));
  }
  TextChunk text;
  text.values.resize(ncols);
  text.nulls.resize(ncols);
  while (out.ok()) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
    if (chunk == nullptr) break;
    text.rows = duckdb_data_chunk_get_size(chunk);
    for (idx_t c = 0; c < ncols; ++c) {
      duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
      auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(v));
      uint64_t* validity = duckdb_vector_get_validity(v);
      text.values[c].resize(text.rows);
      text.nulls[c].assign(text.rows, false);
      for (idx_t r = 0; r < text.rows; ++r) {
        if (validity != nullptr && !duckdb_validity_row_is_valid(validity, r)) {
          text.values[c][r] = std::string_view();
          text.nulls[c][r] = true;
          continue;
        }
        duckdb_string_t* s = &data[r];
        text.values[c][r] = std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s));
      }
    }
    out = on_chunk(text);
    duckdb_destroy_data_chunk(&chunk);
  }
  return FinishStreaming(&result, std::move(out));
}

std::string QuoteIdent(const std::string& ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Result<std::string> CurrentCatalog(Session* session) {
  ASSIGN_OR_RETURN(auto r, session->Query("SELECT current_database()"));
  return r.Scalar();
}

Result<bool> HasTable(Session* session, const std::string& catalog, const std::string& table) {
  ASSIGN_OR_RETURN(auto r, session->Query("SELECT count(*) FROM duckdb_tables() WHERE database_name = " +
                                          QuoteLiteral(catalog) + " AND schema_name = 'main' AND table_name = " +
                                          QuoteLiteral(table)));
  return r.Scalar() != "0";
}

}  // namespace custlake::engine
