-- Churn rate by month and segment: customers who churned in the month / subscribers of the month.
WITH months AS ({{filtered_months}})
SELECT strftime(month_start, '%Y-%m') AS month, segment,
       count(*) FILTER (WHERE churned) / nullif(count(*) FILTER (WHERE is_subscriber), 0) AS churn_rate,
       count(*) FILTER (WHERE is_subscriber) AS customers
FROM months
GROUP BY month_start, segment
ORDER BY month_start, segment
