// retention_plan_fixture LAKE [BUDGET] [OFFER_COST]: publishes a retention plan into a demo lake the
// way `custlake retention plan` does (the raw datasets retention/plan and retention/plan_summary,
// each one Parquet file in a replacing batch, schemas in docs/serve.md), so the web UI's browser
// test can show a plan before the retention model's CLI exists. The figures are the fixture's own:
// each customer's uplift is a deterministic share of the churn model's probability (not a model),
// the CLV is the published 12-month CLV, and the plan takes the BUDGET best by uplift x CLV - cost.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "lake/lake.h"

namespace custlake {
namespace {

std::string PathList(const std::vector<std::string>& paths) {
  std::string list = "[";
  for (const std::string& p : paths) list += (list.size() > 1 ? ", " : "") + engine::QuoteLiteral(p);
  return list + "]";
}

/// The plan's rows as the `plan` table of `session`, from the published churn and CLV scores.
Status ComputePlan(engine::Session* session, lake::Lake* lake, int64_t budget, double offer_cost) {
  ASSIGN_OR_RETURN(auto churn, lake->CommittedPaths(lake::DatasetId::Raw("churn/scores")));
  ASSIGN_OR_RETURN(auto clv, lake->CommittedPaths(lake::DatasetId::Raw("clv_scores")));
  if (churn.empty() || clv.empty()) {
    return Status::NotFound("the lake has no churn or CLV scores: run custlake demo (12 months) first");
  }
  const std::string cost = std::to_string(offer_cost);
  return session->Execute(
      "CREATE TABLE plan AS WITH scored AS ("
      "  SELECT s.customer_id, s.cutoff, s.churn_probability AS p_churn, v.clv_12m AS clv,"
      "         s.churn_probability * (0.1 + 0.4 * ((s.customer_id * 7919) % 100) / 100.0) AS uplift"
      "  FROM read_parquet(" +
      PathList(churn) +
      ") s"
      "  JOIN read_parquet(" +
      PathList(clv) +
      ") v ON v.customer = CAST(s.customer_id AS VARCHAR)),"
      " ranked AS (SELECT *, uplift * clv - " +
      cost +
      " AS expected_saved_value,"
      "   row_number() OVER (ORDER BY uplift * clv DESC, customer_id) AS rank FROM scored)"
      " SELECT customer_id, CAST(rank AS INTEGER) AS rank, uplift, p_churn, clv, expected_saved_value,"
      "   CAST(" +
      cost +
      " AS DOUBLE) AS offer_cost, CAST(cutoff AS DATE) AS plan_date,"
      "   'web-fixture' AS model_version, (SELECT count(*) FROM scored) AS active_customers"
      " FROM ranked WHERE rank <= " +
      std::to_string(budget));
}

Status Publish(lake::Lake* lake, engine::Session* session, const std::string& dataset,
               const std::string& select) {
  lake::BatchOptions options;
  options.replace = true;
  options.lineage.source = "web test fixture (stands in for custlake retention plan)";
  ASSIGN_OR_RETURN(lake::BatchWriter batch, lake->BeginBatch(lake::DatasetId::Raw(dataset), options));
  ASSIGN_OR_RETURN(lake::StagedPart part, batch.NewPart());
  ASSIGN_OR_RETURN(auto count, session->Query("SELECT count(*) FROM (" + select + ")"));
  RETURN_NOT_OK(session->Execute("COPY (" + select + ") TO " + engine::QuoteLiteral(part.staging_path) +
                                 " (FORMAT parquet)"));
  RETURN_NOT_OK(batch.AddFile(part, std::stoll(count.rows.at(0).at(0))));
  return batch.Commit();
}

Status Run(const std::string& root, int64_t budget, double offer_cost) {
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(root));
  ASSIGN_OR_RETURN(auto db, engine::Database::Open({}));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  RETURN_NOT_OK(ComputePlan(session.get(), lake.get(), budget, offer_cost));
  RETURN_NOT_OK(Publish(lake.get(), session.get(), "retention/plan",
                        "SELECT customer_id, rank, uplift, p_churn, clv, expected_saved_value, offer_cost, "
                        "plan_date, model_version FROM plan ORDER BY rank"));
  const std::string budget_text = std::to_string(budget);
  return Publish(lake.get(), session.get(), "retention/plan_summary",
                 "SELECT max(plan_date) AS plan_date, CAST(" + budget_text +
                     " AS INTEGER) AS budget, "
                     "CAST(max(active_customers) AS BIGINT) AS active_customers, count(*) AS targeted, "
                     "max(offer_cost) AS offer_cost, sum(uplift) AS expected_saved_customers, "
                     "sum(expected_saved_value) AS expected_saved_value, "
                     "sum(expected_saved_value) - 1.645 * sqrt(sum(uplift * (1 - uplift) * clv * clv)) AS "
                     "saved_value_low, "
                     "sum(expected_saved_value) + 1.645 * sqrt(sum(uplift * (1 - uplift) * clv * clv)) AS "
                     "saved_value_high, "
                     "'web-fixture' AS model_version FROM plan");
}

}  // namespace
}  // namespace custlake

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::cerr << "usage: retention_plan_fixture LAKE_DIR [BUDGET=100] [OFFER_COST=5]\n";
    return 2;
  }
  const int64_t budget = argc > 2 ? std::atoll(argv[2]) : 100;
  const double cost = argc > 3 ? std::atof(argv[3]) : 5.0;
  const custlake::Status status = custlake::Run(argv[1], budget, cost);
  if (!status.ok()) {
    std::cerr << "retention_plan_fixture: " << status.message() << "\n";
    return 1;
  }
  std::cout << "published raw.retention_plan (" << budget << " customers) and raw.retention_plan_summary\n";
  return 0;
}
