-- The five KPIs over the filtered customer-months (the aggregates of mart_dashboard_months and the
-- customers of mart_dashboard_customers; kpis_from_facts.sql computes the same from the facts).
-- Active customers: subscribers of the newest month in range who did not churn in it; monthly churn
-- rate: churned / subscriber-months; revenue: summed; average CLV and value at risk (CLV x churn
-- probability): over the customers in range with scores.
-- Each input is read once: the mart's rows summed by month (a few dozen rows) and then over the months,
-- the customers' scores in one pass.
WITH by_month AS (SELECT month_start, sum(retained) AS retained, sum(churned) AS churned,
                         sum(subscribers) AS subscribers, sum(revenue) AS revenue
                  FROM ({{filtered_mart}}) m GROUP BY month_start),
customers AS ({{filtered_customers}}),
months_kpis AS (SELECT CAST(coalesce(arg_max(retained, month_start), 0) AS BIGINT) AS active_customers,
                       CAST(sum(churned) AS BIGINT) / nullif(CAST(sum(subscribers) AS BIGINT), 0) AS monthly_churn_rate,
                       coalesce(sum(revenue), 0) AS revenue
                FROM by_month),
-- The customers' CLV and churn probability in one pass (value at risk needs both, average CLV the first).
scored_kpis AS (SELECT avg(v.clv_12m) AS avg_clv, sum(v.clv_12m * s.churn_probability) AS value_at_risk
                FROM customers c
                JOIN raw.clv_scores v ON v.customer = CAST(c.customer_id AS VARCHAR)
                LEFT JOIN raw.churn_scores s ON s.customer_id = c.customer_id)
SELECT active_customers, monthly_churn_rate, revenue, avg_clv, value_at_risk
FROM months_kpis, scored_kpis
