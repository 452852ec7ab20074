#include "query/reader_views.h"

#include <gtest/gtest.h>

#include <set>

namespace custlake::query {
namespace {

/// A session laid out as a LakeSession's: dim_customer in main (two versions
/// of customer 1, customer 3 churned), the raw schema holding what a test adds.
class ReaderViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    auto s = db_->Connect();
    ASSERT_TRUE(s.ok());
    session_ = std::move(s).value();
    Exec("CREATE SCHEMA raw");
    Exec("CREATE TABLE dim_customer AS SELECT * FROM (VALUES "
         "(10, 1, 'consumer', 'basic', 'active', false), (11, 1, 'consumer', 'plus', 'active', true), "
         "(20, 2, 'smb', 'business', 'active', true), (30, 3, 'enterprise', 'pro', 'churned', true)) "
         "t(customer_key, customer_id, segment, plan, status, is_current)");
  }
  void Exec(const std::string& sql) { ASSERT_TRUE(session_->Execute(sql).ok()) << sql; }
  engine::QueryResult Query(const std::string& sql) {
    auto r = session_->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : engine::QueryResult{};
  }

  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Session> session_;
};

TEST_F(ReaderViewsTest, BeforeAnyScoresEveryCustomerHasNullScores) {
  EXPECT_EQ(CreateReaderViews(session_.get(), 7), std::vector<std::string>{"fact_customer_scores"});
  auto r = Query("SELECT count(*), count(churn_probability), count(clv_12m), count(value_at_risk), "
                 "min(warehouse_version), max(customer_key) FROM fact_customer_scores");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0], (std::vector<std::string>{"3", "0", "0", "0", "7", "30"}));
}

TEST_F(ReaderViewsTest, JoinsTheScoresWithValueAtRisk) {
  // As churn score publishes them: active customers only.
  Exec("CREATE VIEW raw.churn_scores AS SELECT * FROM (VALUES "
       "(1, DATE '2025-12-31', 0.25, 2, 'monthly contract', 'monthly contract; 2 unresolved tickets', 4, 6), "
       "(2, DATE '2025-12-31', 0.5, 1, 'usage down 60 % in 30 days', 'usage down 60 % in 30 days', 4, 6)) "
       "t(customer_id, cutoff, churn_probability, risk_decile, reason_1, churn_reasons, model_version, "
       "warehouse_version)");
  // As clv fit publishes them on weekly data: the customer as text, the one-year figures named _52w.
  Exec("CREATE VIEW raw.clv_scores AS SELECT * FROM (VALUES "
       "('1', 3, 10.0, 20.0, 0.9, 4.0, 0.1, 25.0, 120.0, 'bgnbd', TIMESTAMP '2026-01-01 10:00:00', 7), "
       "('3', 0, 0.0, 30.0, 0.4, 0.5, 0.7, 20.0, 15.0, 'bgnbd', TIMESTAMP '2026-01-01 10:00:00', 7)) "
       "t(customer, x, t_x, T, p_alive, expected_purchases_52w, p_no_purchase_52w, expected_spend, clv_52w, "
       "model, scored_at, warehouse_version)");
  ASSERT_EQ(CreateReaderViews(session_.get(), 7).size(), 1u);
  auto r = Query("SELECT customer_id, churn_probability, top_reason, clv_12m, expected_purchases_12m, "
                 "value_at_risk, churn_warehouse_version, clv_warehouse_version, clv_model "
                 "FROM fact_customer_scores ORDER BY customer_id");
  ASSERT_EQ(r.rows.size(), 3u);
  // Both scores: value at risk = CLV x churn probability.
  EXPECT_EQ(r.rows[0], (std::vector<std::string>{"1", "0.25", "monthly contract", "120.0", "4.0", "30.0", "6", "7",
                                                 "bgnbd"}));
  EXPECT_TRUE(r.nulls[1][3]);  // customer 2: churn score, no CLV (no purchase)
  EXPECT_TRUE(r.nulls[1][5]);
  EXPECT_EQ(r.rows[1][1], "0.5");
  EXPECT_TRUE(r.nulls[2][1]);  // customer 3 churned: CLV, no churn score
  EXPECT_TRUE(r.nulls[2][5]);
  EXPECT_EQ(r.rows[2][3], "15.0");
}

TEST_F(ReaderViewsTest, AScoresDatasetMissingAColumnGivesNullsNotAnError) {
  Exec("CREATE VIEW raw.clv_scores AS SELECT '2' AS customer, 0.5 AS p_alive");  // an older publish
  ASSERT_EQ(CreateReaderViews(session_.get(), 1).size(), 1u);
  auto r = Query("SELECT p_alive, clv_12m, clv_warehouse_version FROM fact_customer_scores WHERE customer_id = 2");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "0.5");
  EXPECT_TRUE(r.nulls[0][1]);
  EXPECT_TRUE(r.nulls[0][2]);
}

TEST_F(ReaderViewsTest, EveryColumnIsDocumentedInTheHeader) {
  auto models = ReaderViewModels();
  ASSERT_TRUE(models.ok()) << models.status().ToString();
  ASSERT_EQ(models->size(), 1u);
  const warehouse::Model& m = models->front();
  EXPECT_EQ(m.name, "fact_customer_scores");
  EXPECT_EQ(std::set<std::string>(m.sources.begin(), m.sources.end()),
            (std::set<std::string>{"churn_scores", "clv_scores"}));
  ASSERT_EQ(CreateReaderViews(session_.get(), 1).size(), 1u);
  auto r = Query("SELECT * FROM fact_customer_scores LIMIT 0");
  std::vector<std::string> documented;
  for (const warehouse::ModelColumn& c : m.columns) documented.push_back(c.name);
  EXPECT_EQ(r.columns, documented);  // the same columns in the same order
}

}  // namespace
}  // namespace custlake::query
