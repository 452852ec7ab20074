// The operational tables of the data contract (DESIGN.md, "Data contract"),
// as db::TableDefs the generator creates and fills.
//
// Column names and order here ARE the contract: the importers, the warehouse
// and the analytics read these names. Change them only together with
// DESIGN.md. Types may widen. Returned by value; thread-safe.
#pragma once

#include <vector>

#include "db/connection.h"

namespace custlake::generate {

db::TableDef CustomersTable();
db::TableDef TransactionsTable();
db::TableDef OffersTable();
db::TableDef OfferAssignmentsTable();

/// All four, in the order the generator writes them.
std::vector<db::TableDef> ContractTables();

}  // namespace custlake::generate
