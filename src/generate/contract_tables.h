// The operational tables of the data contract (DESIGN.md, "Data contract"),
// as db::TableDefs the generator creates and fills.
//
// Column names and order here ARE the contract: the importers, the warehouse
// and the analytics read these names. Change them only together with
// DESIGN.md. Types may widen. Returned by value; thread-safe.
#pragma once

#include <vector>

#include "db/connection.h"
#include "generate/company_model.h"

namespace custlake::generate {

db::TableDef CustomersTable();
db::TableDef TransactionsTable();
db::TableDef OffersTable();
db::TableDef OfferAssignmentsTable();

/// All four, in the order the generator writes them.
std::vector<db::TableDef> ContractTables();

// Rows in the column order of the TableDefs above. `row` is resized and
// overwritten, so one vector can be reused for a whole table.
/// The row of customer `id` in state `s` (the final state, or an as-of copy).
void CustomerRow(const CustomerState& s, int64_t id, std::vector<db::Value>* row);
void TransactionRow(const Transaction& t, std::vector<db::Value>* row);
void OfferRow(const Offer& o, std::vector<db::Value>* row);
void OfferAssignmentRow(const OfferAssignment& a, std::vector<db::Value>* row);

/// "12.34" from cents, exact (decimals travel as text).
std::string CentsText(int64_t cents);
/// An e-mail local part from names: lower-case ASCII, common accents folded.
std::string EmailLocalPart(std::string_view first, std::string_view last);

}  // namespace custlake::generate
