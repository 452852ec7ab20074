-- model: fact_customer_scores
-- description: One row per customer (the current dim_customer version) with the analytics' latest
--   scores: the churn model's probability and reasons (`custlake churn score`, raw.churn_scores), the
--   CLV model's P(alive), 12-month expected purchases and CLV (`custlake clv fit`, raw.clv_scores) and
--   value_at_risk = clv_12m x churn_probability, the retention list. A view every reader (custlake
--   query, the PostgreSQL endpoint, the web UI) gets over the published warehouse version and the
--   published scores, so it always shows the latest of each, consistent within one session, and
--   never needs a rebuild: its columns are NULL for a customer not scored (churned before the churn
--   cutoff, no purchase for CLV) and for every customer before the scores exist. The *_warehouse_version
--   columns say which warehouse version each score was computed from (the view's own is warehouse_version).
-- grain: one row per customer_id
-- column customer_id: the operational customer id
-- column customer_key: the customer's current dim_customer version
-- column segment: consumer, smb or enterprise (current version)
-- column plan: subscription plan (current version)
-- column status: active or churned (current version)
-- column warehouse_version: the warehouse version this view reads dim_customer from
-- column churn_probability: probability of churning within the churn model's horizon after churn_cutoff (NULL: not scored)
-- column risk_decile: 1 = the highest tenth of churn_probability among the scored customers
-- column top_reason: the churn model's first reason, in words ("usage down 60 % in 30 days")
-- column churn_reasons: the top reasons joined with '; '
-- column churn_cutoff: the day the churn scores are as of
-- column churn_model_version: the churn model version that scored the customer
-- column churn_warehouse_version: the warehouse version the churn scores were computed from
-- column p_alive: P(alive) from the CLV count model (BG/NBD unless clv fit --model says otherwise)
-- column expected_purchases_12m: expected purchases in the next 12 months
-- column p_no_purchase_12m: probability of no purchase in the next 12 months
-- column expected_spend: Gamma-Gamma expected spend per purchase
-- column clv_12m: discounted 12-month customer lifetime value (currency of the transactions)
-- column clv_model: the CLV count model (bgnbd, pnbd, mbgnbd)
-- column clv_scored_at: when the CLV scores were published (UTC)
-- column clv_warehouse_version: the warehouse version the CLV scores were computed from
-- column value_at_risk: clv_12m x churn_probability: the expected 12-month value the customer's churn risk puts at stake
SELECT c.customer_id, c.customer_key, c.segment, c.plan, c.status,
       current_warehouse_version() AS warehouse_version,
       s.churn_probability, s.risk_decile, s.reason_1 AS top_reason, s.churn_reasons,
       s.cutoff AS churn_cutoff, s.model_version AS churn_model_version,
       s.warehouse_version AS churn_warehouse_version,
       v.p_alive, v.expected_purchases_12m, v.p_no_purchase_12m, v.expected_spend, v.clv_12m,
       v.model AS clv_model, v.scored_at AS clv_scored_at, v.warehouse_version AS clv_warehouse_version,
       v.clv_12m * s.churn_probability AS value_at_risk
FROM dim_customer c
LEFT JOIN raw.churn_scores s ON s.customer_id = c.customer_id
LEFT JOIN raw.clv_scores v ON v.customer_id = c.customer_id
WHERE c.is_current
