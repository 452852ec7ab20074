-- Mean usage events per subscriber by month.
WITH months AS ({{filtered_months}})
SELECT strftime(month_start, '%Y-%m') AS month, avg(usage_events) AS avg_usage
FROM months
WHERE is_subscriber
GROUP BY month_start
ORDER BY month_start
