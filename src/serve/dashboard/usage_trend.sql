-- Mean usage events per subscriber by month, from the first month that has any usage
-- (usage logs often start later than the customer table: months before are unknown, not zero).
-- From mart_dashboard_months; usage_trend_from_facts.sql computes the same from the facts.
WITH months AS ({{filtered_mart}})
SELECT strftime(month_start, '%Y-%m') AS month,
       CAST(sum(subscriber_usage_events) AS DOUBLE) / sum(subscribers) AS avg_usage
FROM months
WHERE month_start >= (SELECT min(month_start) FROM months WHERE months_with_usage > 0)
GROUP BY month_start
HAVING sum(subscribers) > 0
ORDER BY month_start
