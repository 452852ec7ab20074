// The synthetic company generator: `custlake generate` and `custlake demo`
// call Generate().
//
// One call simulates a subscription business (CompanyModel) and writes
//   - the four operational tables of the data contract (customers,
//     transactions, offers, offer_assignments) through a db::Connection,
//     replacing tables of those names;
//   - the landing folder: usage/YYYY-MM-DD.ndjson and tickets/*.json, messy
//     as real logs are (see truth.h for the exact counting rules);
//   - the truth folder (outside the landing folder): true parameters,
//     per-customer monthly churn probabilities, mess counts (see truth.h).
// Deterministic: the same options (seed included) give byte-identical files
// and tables.
//
// Generate() simulates on the calling thread while a second one writes each
// simulated month's transactions; then the usage files are written on a
// second thread while the calling one writes the other tables, the truth and
// the tickets. The Connection is borrowed for the duration of the call and
// used by one thread at a time. Generate() owns nothing after it returns.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "db/connection.h"
#include "generate/options.h"
#include "generate/truth.h"

namespace custlake::generate {

/// Called as the generator advances: stage is "model" (months simulated),
/// then "usage" (days written, with the bytes so far), the latter from the
/// thread that writes the usage files; calls never overlap.
using ProgressFn = std::function<void(std::string_view stage, int64_t done, int64_t total, int64_t bytes)>;

struct GenerateSummary {
  // Operational tables (rows written, or that would have been without a database).
  int64_t customers = 0;
  int64_t transactions = 0;
  int64_t offers = 0;
  int64_t offer_assignments = 0;
  int64_t active_customers_at_end = 0;
  int64_t churned_customers = 0;
  // Landing folder.
  int64_t usage_events = 0;  ///< original events (each line once; duplicates not counted)
  UsageMessCounts usage;     ///< files, bytes, lines and their mess
  TicketMessCounts tickets;
  int64_t truth_churn_rows = 0;
  // Timings.
  double seconds = 0;
  double model_seconds = 0;   ///< simulation plus the transactions table
  double tables_seconds = 0;  ///< the other tables
  double usage_seconds = 0;
  double tickets_seconds = 0;

  nlohmann::json ToJson() const;
};

/// Generates the company. `db` may be null to skip the operational tables.
/// `landing_dir` and `truth_dir` are created as needed; `truth_dir` must not
/// lie inside `landing_dir`. Files of an earlier run with the same names are
/// replaced; other files in the folders are left alone.
Result<GenerateSummary> Generate(const GeneratorOptions& options, db::Connection* db,
                                 const std::string& landing_dir, const std::string& truth_dir,
                                 const ProgressFn& progress = {});

}  // namespace custlake::generate
