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

/// DECLARE name [ASENSITIVE|INSENSITIVE] [[NO] SCROLL] CURSOR [WITH[OUT] HOLD] FOR query
struct DeclareCursor {
  std::string name;
  std::string query;
};
Result<DeclareCursor> ParseDeclare(const std::string& sql);

/// FETCH|MOVE [NEXT|FORWARD [n|ALL]|n|ALL] [FROM|IN] name
struct FetchCursor {
  bool move = false;   ///< MOVE: skip the rows, send none
  int64_t count = 1;   ///< -1: ALL
  std::string name;
};
Result<FetchCursor> ParseFetch(const std::string& sql);

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
