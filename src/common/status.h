// Status and Result<T>: how custlake reports expected failures.
//
// Expected failures (bad input, a missing file, a source that went away, a
// config mistake) travel as values, never as exceptions. Exceptions thrown by
// third-party libraries (DuckDB, the database drivers, toml++) are caught at
// the adapter that calls them and turned into a Status. The message must say
// where the problem is (file:line, table and key, config key) and, where it
// helps, what to do about it.
//
// Status and Result are cheap to move and safe to copy; they are not
// thread-safe to mutate concurrently (nor need they be).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace custlake {

/// The kind of a failure; the CLI maps it to an exit code.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  ///< the user asked for something malformed (exit 2)
  kConfigError,      ///< custlake.toml is wrong (exit 2)
  kNotFound,         ///< a file, table or dataset does not exist
  kAlreadyExists,
  kIOError,          ///< the filesystem or network failed
  kCorruption,       ///< data on disk is not what its format says
  kSourceError,      ///< an external database or engine reported an error
  kCancelled,        ///< stopped by a signal or a user
  kInternal,         ///< a bug in custlake
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status ConfigError(std::string m) { return {StatusCode::kConfigError, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status SourceError(std::string m) { return {StatusCode::kSourceError, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  /// A SourceError worth retrying: the connection to the source was lost or
  /// the server is restarting, as the driver's own error code says (MariaDB
  /// CR_SERVER_LOST, libpq CONNECTION_BAD / SQLSTATE 08xxx, ...), never
  /// guessed from the message text, which may quote user data.
  static Status Transient(std::string m) {
    Status st(StatusCode::kSourceError, std::move(m));
    st.transient_ = true;
    return st;
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// True for Status::Transient errors (kept by WithContext).
  bool transient() const { return transient_; }

  /// "IOError: cannot open x" style text for logs.
  std::string ToString() const;

  /// Returns a copy whose message is prefixed with `context + ": "`.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    Status out(code_, context + ": " + message_);
    out.transient_ = transient_;
    return out;
  }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  bool transient_ = false;
  std::string message_;
};

/// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}     // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

  /// The value, or `fallback` when this holds an error.
  T ValueOr(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace custlake

#define CUSTLAKE_CONCAT_INNER(a, b) a##b
#define CUSTLAKE_CONCAT(a, b) CUSTLAKE_CONCAT_INNER(a, b)

/// Returns the Status from the enclosing function if `expr` is not OK.
#define RETURN_NOT_OK(expr)                     \
  do {                                          \
    ::custlake::Status _st = (expr);            \
    if (!_st.ok()) return _st;                  \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                          \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

/// `ASSIGN_OR_RETURN(auto x, MakeX());` declares x, or returns the error.
/// Like Arrow's macro: it expands to several statements, so do not use it as
/// the single body of an unbraced `if`.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL(CUSTLAKE_CONCAT(_result_, __LINE__), lhs, rexpr)
