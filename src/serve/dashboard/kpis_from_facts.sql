-- The five KPIs over the filtered customer-months. Active customers: subscribers of the newest month
-- in range who did not churn in it; monthly churn rate: churned / subscriber-months; revenue: summed;
-- average CLV and value at risk (CLV x churn probability): over the customers in range with scores.
WITH months AS ({{filtered_months}}),
customers AS (SELECT DISTINCT customer_id FROM months)
SELECT
  (SELECT count(DISTINCT customer_id) FROM months
   WHERE is_subscriber AND NOT churned AND month_start = (SELECT max(month_start) FROM months)) AS active_customers,
  (SELECT count(*) FILTER (WHERE churned) / nullif(count(*) FILTER (WHERE is_subscriber), 0) FROM months)
    AS monthly_churn_rate,
  (SELECT coalesce(sum(revenue), 0) FROM months) AS revenue,
  (SELECT avg(v.clv_12m) FROM customers c JOIN raw.clv_scores v ON v.customer = CAST(c.customer_id AS VARCHAR))
    AS avg_clv,
  (SELECT sum(v.clv_12m * s.churn_probability) FROM customers c
   JOIN raw.churn_scores s ON s.customer_id = c.customer_id
   JOIN raw.clv_scores v ON v.customer = CAST(c.customer_id AS VARCHAR)) AS value_at_risk
