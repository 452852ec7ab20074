-- Churn rate by the number of support tickets opened in the month (5 stands for 5 or more), from
-- mart_dashboard_months (tickets_vs_churn_from_facts.sql computes the same from the facts).
WITH months AS ({{filtered_mart}})
SELECT tickets,
       CAST(sum(churned) AS BIGINT) / nullif(CAST(sum(subscribers) AS BIGINT), 0) AS churn_rate,
       CAST(sum(subscribers) AS BIGINT) AS customers
FROM months
GROUP BY tickets
ORDER BY tickets
