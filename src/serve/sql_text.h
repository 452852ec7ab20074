// The little SQL lexing the wire protocol needs before DuckDB sees the text:
// splitting a simple-query message into statements, the leading keyword
// (for the commands acknowledged without effect), and binding $n parameters.
//
// The scanner knows string literals ('...', E'...'), quoted identifiers,
// dollar quoting and both comment forms, so a ';' or '$1' inside them is
// left alone. Parameters become quoted, typed literals (engine::QuoteLiteral),
// never pasted SQL.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace custlake::serve {

/// The statements of `sql` split at top-level ';' (each trimmed; one of only
/// blanks and comments is ""; a trailing one is dropped unless it is the only one).
std::vector<std::string> SplitStatements(const std::string& sql);

/// The first word of `sql` upper-cased ("SELECT"), after blanks and comments.
std::string FirstKeyword(const std::string& sql);

/// Length of the string literal, quoted identifier, dollar-quoted string or
/// comment starting at `i`; 0 when none starts there.
size_t QuotedOrCommentLength(const std::string& sql, size_t i);

/// The largest $n referenced (0 when none).
int MaxParameterIndex(const std::string& sql);

/// One bound parameter value: NULL, or text to put in a typed literal.
struct BoundParam {
  std::optional<std::string> text;
  std::string duckdb_type;  ///< "" = untyped literal
};

/// `sql` with each $n replaced by its parameter as a literal
/// (CAST('text' AS TYPE), 'text' or NULL). $n beyond `params` stay as they are.
std::string BindParameters(const std::string& sql, const std::vector<BoundParam>& params);

/// `sql` with each $n whose entry in `duckdb_types` is not "" wrapped as
/// CAST($n AS TYPE): the parameters keep the types the client declared when
/// their values are bound to a prepared statement rather than pasted in.
std::string CastParameters(const std::string& sql, const std::vector<std::string>& duckdb_types);

/// A statement with one integer literal, and that literal as a parameter's text.
struct OneIntegerParameter {
  std::string sql;    ///< the statement with the literal replaced by $1
  std::string value;  ///< the literal's digits
};

/// When `sql` holds exactly one integer literal outside quotes and comments
/// (a run of digits standing alone: not part of a name, a decimal, an exponent,
/// 0x.., 1_000 or $n) and no $n parameter: the statement with it as $1 and its
/// digits, so a simple-protocol lookup (`WHERE customer_id = 42`) can be
/// answered as the prepared one is (query/key_lookup.h, which recognises the
/// result with DuckDB's parser and declines anything but `key = $1`).
std::optional<OneIntegerParameter> ParameterizeOneInteger(const std::string& sql);

}  // namespace custlake::serve
