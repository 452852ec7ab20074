-- The values the dashboard's filters offer: every segment, region and plan a customer version has.
SELECT 'segment' AS filter, segment AS value FROM dim_customer WHERE segment IS NOT NULL GROUP BY segment
UNION ALL
SELECT 'region', region FROM dim_customer WHERE region IS NOT NULL GROUP BY region
UNION ALL
SELECT 'plan', plan FROM dim_customer WHERE plan IS NOT NULL GROUP BY plan
ORDER BY filter, value
