-- The five KPIs over the filtered customer-months (the aggregates of mart_dashboard_months and the
-- customers of mart_dashboard_customers; kpis_from_facts.sql computes the same from the facts).
-- Active customers: subscribers of the newest month in range who did not churn in it; monthly churn
-- rate: churned / subscriber-months; revenue: summed; average CLV and value at risk (CLV x churn
-- probability): over the customers in range with scores.
WITH months AS ({{filtered_mart}}),
customers AS ({{filtered_customers}}),
-- The customers' CLV and churn probability in one pass (value at risk needs both, average CLV the first),
-- from the scores the dashboard's database holds in memory (setup_scores_*.sql).
scored AS (SELECT v.clv_12m, s.churn_probability FROM customers c
           JOIN dashboard.clv_scores v ON v.customer_id = c.customer_id
           LEFT JOIN dashboard.churn_scores s ON s.customer_id = c.customer_id)
SELECT
  (SELECT CAST(coalesce(sum(retained), 0) AS BIGINT) FROM months
   WHERE month_start = (SELECT max(month_start) FROM months)) AS active_customers,
  (SELECT CAST(sum(churned) AS BIGINT) / nullif(CAST(sum(subscribers) AS BIGINT), 0) FROM months)
    AS monthly_churn_rate,
  (SELECT coalesce(sum(revenue), 0) FROM months) AS revenue,
  (SELECT avg(clv_12m) FROM scored) AS avg_clv,
  (SELECT sum(clv_12m * churn_probability) FROM scored) AS value_at_risk
