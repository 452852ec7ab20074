// Reading a transaction log: one row per purchase (customer, date, amount).
//
// The log is a delimited text file (CSV by default; any one-character
// delimiter, or runs of whitespace as in the raw CDNOW file), with or without
// a header row. Columns are named by their header text or by their 1-based
// position. Every bad row is an error naming file:line and the column: an
// unparseable date or amount, a negative amount, a missing field. Nothing is
// dropped silently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace custlake::clv {

struct TransactionFileOptions {
  std::string path;
  std::string customer_col;  ///< header name, or a 1-based column number
  std::string date_col;
  std::string amount_col;       ///< "" = no amounts (no spend model)
  std::string delimiter = ",";  ///< one character, "tab", or "whitespace"
  bool header = true;           ///< the first line names the columns

  Status Validate() const;
};

struct Transaction {
  uint32_t customer = 0;  ///< index into TransactionLog::customer_ids
  uint32_t line = 0;      ///< 1-based line in the file
  int64_t day = 0;        ///< days since 1970-01-01
  double amount = 0;
};

struct TransactionLog {
  std::string source;  ///< the file, for messages
  bool has_amount = false;
  std::vector<std::string> customer_ids;  ///< in order of first appearance
  std::vector<Transaction> rows;          ///< in file order
};

Result<TransactionLog> ReadTransactionLog(const TransactionFileOptions& options);

/// Splits one line by `delimiter` (',' with "double quotes", or ' ' meaning runs
/// of spaces and tabs). Returns false on an unterminated quote.
bool SplitFields(std::string_view line, char delimiter, std::vector<std::string>* fields);

}  // namespace custlake::clv
