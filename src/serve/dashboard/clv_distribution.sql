-- The 12-month CLV of the customers in range, in ten buckets of equal width (the customers from
-- mart_dashboard_customers; clv_distribution_from_facts.sql finds them in the facts), their CLV from
-- the scores the dashboard's database holds in memory (setup_scores_clv.sql).
WITH customers AS ({{filtered_customers}}),
clv AS (SELECT v.clv_12m AS clv FROM customers c
        JOIN dashboard.clv_scores v ON v.customer_id = c.customer_id WHERE isfinite(v.clv_12m)),
bounds AS (SELECT min(clv) AS lo, greatest(max(clv) - min(clv), 1e-9) / 10 AS width FROM clv),
bucketed AS (SELECT least(floor((clv - lo) / width), 9) AS bucket, lo, width FROM clv, bounds)
SELECT lo + bucket * width AS bucket_low, lo + (bucket + 1) * width AS bucket_high, count(*) AS customers
FROM bucketed
GROUP BY bucket, lo, width
ORDER BY bucket
