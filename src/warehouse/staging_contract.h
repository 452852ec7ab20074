// The data contract at the staging layer: the star schema reads six staging
// views (stg_customers, stg_transactions, stg_offers, stg_offer_assignments,
// stg_usage, stg_tickets; models/staging/, a project may override them), and
// before any model runs the build checks each one's output against the
// contract's columns and types (DESIGN.md, "Data contract"; types may widen:
// a type DuckDB casts implicitly to the contract's), its key, and that it
// has rows. Errors name the model, the column, what was expected and what to do.
//
// Functions borrow the Session (one thread at a time); the session must hold
// the staging views as raw.<name> and, incrementally, delta.<name>.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "warehouse/model.h"

namespace custlake::warehouse {

struct StagingContract {
  std::string model;     ///< "stg_customers"
  std::string raw_view;  ///< the demo's raw view whose typed columns are the contract ("sic_customers")
  std::vector<std::string> key;  ///< unique columns; empty: versions of a row may repeat
};

/// The six contract inputs.
const std::vector<StagingContract>& StagingContracts();

struct StagingCheckOptions {
  bool allow_empty = false;  ///< an input with no rows is reported, not an error
  bool incremental = false;  ///< the key is checked among the new rows (delta.<name>) only
};

/// Checks every staging view of `views` that is a contract input: columns,
/// types, key, rows. Returns the inputs with no rows ("stg_usage"), when
/// allowed; any other finding is an InvalidArgument naming model and column.
Result<std::vector<std::string>> CheckStagingContracts(engine::Session* session,
                                                       const std::vector<Model>& views,
                                                       const StagingCheckOptions& options);

}  // namespace custlake::warehouse
