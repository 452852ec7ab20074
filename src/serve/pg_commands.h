// The statements the endpoint runs itself rather than handing to DuckDB:
// cursors (DECLARE ... CURSOR FOR query, FETCH/MOVE, CLOSE) and
// COPY (query) TO STDOUT, parsed here; and COPY's row encoding (text and
// CSV, as PostgreSQL writes them). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace custlake::serve {

/// DECLARE name [BINARY] [ASENSITIVE|INSENSITIVE] [[NO] SCROLL] CURSOR [WITH[OUT] HOLD] FOR query
struct DeclareCursor {
  std::string name;
  std::string query;
  bool no_scroll = false;  ///< NO SCROLL: fetches may not go backward
  bool binary = false;     ///< BINARY: FETCH in the simple protocol sends binary values
};
Result<DeclareCursor> ParseDeclare(const std::string& sql);

/// FETCH|MOVE [direction] [FROM|IN] name, direction as PostgreSQL has them:
/// NEXT, PRIOR, FIRST, LAST, ABSOLUTE n, RELATIVE n, n, ALL, FORWARD [n|ALL],
/// BACKWARD [n|ALL] (n may be negative: the other way).
struct FetchCursor {
  enum class Direction { kForward, kBackward, kAbsolute, kRelative };
  bool move = false;   ///< MOVE: skip the rows, send none
  Direction direction = Direction::kForward;
  int64_t count = 1;   ///< kForward/kBackward: rows (-1: ALL); kAbsolute/kRelative: the row (may be negative)
  std::string name;
};
Result<FetchCursor> ParseFetch(const std::string& sql);

/// Where a cursor over `rows` rows at `position` (0: before the first row,
/// 1..rows: on that row, rows + 1: after the last) goes on `fetch`: the rows
/// it returns (1-based, in the order sent: backward fetches go backward) and
/// its new position, as PostgreSQL moves its cursors.
struct CursorStep {
  std::vector<size_t> rows;
  size_t position = 0;
};
CursorStep StepCursor(const FetchCursor& fetch, size_t rows, size_t position);

/// CLOSE name | CLOSE ALL ("" for ALL).
Result<std::string> ParseClose(const std::string& sql);

/// COPY (query) TO STDOUT [WITH] options, or COPY table TO STDOUT.
/// Options: FORMAT text|csv, HEADER [bool], DELIMITER 'c', NULL 's' (in the
/// parenthesised form) or the old CSV, HEADER, DELIMITER [AS] 'c', NULL [AS] 's'.
struct CopyToStdout {
  std::string query;
  bool csv = false;
  bool header = false;
  char delimiter = '\t';
  std::string null_text = "\\N";
};
Result<CopyToStdout> ParseCopy(const std::string& sql);

/// One row (values in PostgreSQL text format) as COPY writes it, with its line end.
std::string CopyLine(const std::vector<std::string>& values, const std::vector<bool>& nulls, const CopyToStdout& copy);

}  // namespace custlake::serve
