-- Mean usage events per subscriber by month, from the first month that has any usage
-- (usage logs often start later than the customer table: months before are unknown, not zero).
WITH months AS ({{filtered_months}})
SELECT strftime(month_start, '%Y-%m') AS month, avg(usage_events) AS avg_usage
FROM months
WHERE is_subscriber
  AND month_start >= (SELECT min(month_start) FROM months WHERE usage_events > 0)
GROUP BY month_start
ORDER BY month_start
