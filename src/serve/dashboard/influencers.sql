-- What moves churn, as the key-influencers visual says it: for each value of a customer attribute
-- (contract, plan, segment, region), the churn rate of the subscriber-months with that value against
-- the rate of those without it. Only values seen on at least 20 subscriber-months and at least 1.2x.
WITH months AS (SELECT m.churned, d.contract, d.plan, d.segment, d.region
                FROM fact_customer_metrics m JOIN dim_customer d ON d.customer_key = m.customer_key
                WHERE m.is_subscriber),
attributes AS (
  SELECT 'contract' AS feature, contract AS value, churned FROM months UNION ALL
  SELECT 'plan', plan, churned FROM months UNION ALL
  SELECT 'segment', segment, churned FROM months UNION ALL
  SELECT 'region', region, churned FROM months),
totals AS (SELECT feature, count(*) AS n, count(*) FILTER (WHERE churned) AS churned FROM attributes GROUP BY feature),
groups AS (SELECT feature, value, count(*) AS n, count(*) FILTER (WHERE churned) AS churned
           FROM attributes WHERE value IS NOT NULL GROUP BY feature, value)
SELECT g.feature, g.value, g.n AS customers,
       (g.churned / g.n) / nullif((t.churned - g.churned) / nullif(t.n - g.n, 0), 0) AS ratio
FROM groups g JOIN totals t USING (feature)
WHERE g.n >= 20 AND t.n > g.n
  AND (g.churned / g.n) >= 1.2 * ((t.churned - g.churned) / (t.n - g.n))
ORDER BY ratio DESC NULLS FIRST, g.feature, g.value
LIMIT 20
