-- Churn rate by month and segment: customers who churned in the month / subscribers of the month
-- (from mart_dashboard_months; churn_by_month_from_facts.sql computes the same from the facts).
WITH months AS ({{filtered_mart}})
SELECT strftime(month_start, '%Y-%m') AS month, segment,
       CAST(sum(churned) AS BIGINT) / nullif(CAST(sum(subscribers) AS BIGINT), 0) AS churn_rate,
       CAST(sum(subscribers) AS BIGINT) AS customers
FROM months
GROUP BY month_start, segment
ORDER BY month_start, segment
