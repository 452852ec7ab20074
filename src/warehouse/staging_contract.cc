#include "warehouse/staging_contract.h"

#include <map>

#include "warehouse/raw_sources.h"

namespace custlake::warehouse {
using engine::QuoteIdent;

const std::vector<StagingContract>& StagingContracts() {
  static const std::vector<StagingContract> contracts = {
      {"stg_customers", "sic_customers", {}},
      {"stg_transactions", "sic_transactions", {"transaction_id"}},
      {"stg_offers", "sic_offers", {"offer_id"}},
      {"stg_offer_assignments", "sic_offer_assignments", {}},
      {"stg_usage", "usage", {"event_id"}},
      {"stg_tickets", "tickets", {"ticket_id"}},
  };
  return contracts;
}

namespace {

/// Column name -> DuckDB type text of a query's result.
Result<std::vector<std::pair<std::string, std::string>>> Describe(engine::Session* session,
                                                                  const std::string& sql) {
  ASSIGN_OR_RETURN(auto r, session->Query("DESCRIBE " + sql));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : r.rows) out.emplace_back(row[0], row[1]);
  return out;
}

std::string Where(const Model& m) { return "staging model " + m.name + " (" + m.file + ")"; }

Status CheckColumns(engine::Session* session, const Model& view, const StagingContract& contract) {
  ASSIGN_OR_RETURN(auto expected, Describe(session, ContractSelect(contract.raw_view)));
  ASSIGN_OR_RETURN(auto actual, Describe(session, "SELECT * FROM raw." + QuoteIdent(view.name)));
  std::map<std::string, std::string> got(actual.begin(), actual.end());
  for (const auto& [column, type] : expected) {
    auto it = got.find(column);
    if (it == got.end()) {
      return Status::InvalidArgument(Where(view) + ": the data contract needs column " + column + " (" +
                                     type + "), which its SELECT does not return; select it (… AS " + column +
                                     ", or CAST(NULL AS " + type + ") AS " + column +
                                     " when the source has none)");
    }
    ASSIGN_OR_RETURN(auto cast, session->Query("SELECT can_cast_implicitly(CAST(NULL AS " + it->second +
                                               "), CAST(NULL AS " + type + "))"));
    if (cast.Scalar() != "true") {
      return Status::InvalidArgument(Where(view) + ": column " + column + " is " + it->second +
                                     ", the data contract expects " + type +
                                     " (or a type that widens to it); "
                                     "cast it in the model: CAST(... AS " +
                                     type + ") AS " + column);
    }
  }
  return Status::OK();
}

Status CheckKey(engine::Session* session, const Model& view, const StagingContract& contract,
                bool incremental) {
  if (contract.key.empty()) return Status::OK();
  std::string cols;
  for (const std::string& c : contract.key) cols += (cols.empty() ? "" : ", ") + QuoteIdent(c);
  std::string from = (incremental ? "delta." : "raw.") + QuoteIdent(view.name);
  ASSIGN_OR_RETURN(auto dup, session->Query("SELECT concat_ws(', ', " + cols + "), count(*) FROM " + from +
                                            " GROUP BY " + cols + " HAVING count(*) > 1 LIMIT 3"));
  if (dup.rows.empty()) return Status::OK();
  std::string sample;
  for (const auto& row : dup.rows) sample += (sample.empty() ? "" : ", ") + row[0] + " (" + row[1] + " rows)";
  return Status::InvalidArgument(
      Where(view) + ": column " + cols + " must be unique (the data contract's key), " +
      "but values repeat: " + sample +
      "; deduplicate in the model (e.g. row_number() over the key, keeping one row)");
}

/// "raw.a, raw.b": the raw views a staging model reads.
std::string RawViewsText(const Model& view) {
  std::string s;
  for (const std::string& v : view.sources) s += (s.empty() ? "raw." : ", raw.") + v;
  return s.empty() ? "no raw view" : s;
}

}  // namespace

Result<std::vector<std::string>> CheckStagingContracts(engine::Session* session,
                                                       const std::vector<Model>& views,
                                                       const StagingCheckOptions& options) {
  std::vector<std::string> empty;
  for (const StagingContract& contract : StagingContracts()) {
    const Model* view = nullptr;
    for (const Model& m : views) {
      if (m.name == contract.model) view = &m;
    }
    if (view == nullptr) continue;
    RETURN_NOT_OK(CheckColumns(session, *view, contract));
    RETURN_NOT_OK(CheckKey(session, *view, contract, options.incremental));
    ASSIGN_OR_RETURN(auto any, session->Query("SELECT 1 FROM raw." + QuoteIdent(view->name) + " LIMIT 1"));
    if (!any.rows.empty()) continue;
    if (!options.allow_empty) {
      return Status::InvalidArgument(
          Where(*view) + " has no rows, and the star schema needs them (it reads " + RawViewsText(*view) +
          "): import or ingest them first, or edit the model to " +
          "read your own datasets (custlake status lists them); --allow-empty builds " + "empty tables");
    }
    empty.push_back(view->name);
  }
  return empty;
}

}  // namespace custlake::warehouse
