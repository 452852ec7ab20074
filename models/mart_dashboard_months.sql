-- model: mart_dashboard_months
-- description: The web dashboard's aggregate of fact_customer_metrics: the customer-months summed at the
--   grain its filters and charts need (month, the segment, region and plan of the customer version valid
--   at the end of the month, tickets opened), so a dashboard answer reads thousands of rows instead of
--   every customer-month (the cohort heatmap reads mart_dashboard_cohorts). Each customer has one row per
--   month, so within a month the sums count distinct customers. Incremental builds recompute the months
--   fact_customer_metrics recomputed (delta.fact_customer_metrics: its rows from that month on).
-- materialized: recompute_from
-- partition_by: month_start
-- recompute_from: SELECT min(month_start) FROM delta.fact_customer_metrics
-- grain: one row per (month_start, segment, region, plan, tickets)
-- column month_start: first day of the month (fact_customer_metrics.month_start)
-- column segment: dim_customer.segment of the version valid at the end of the month
-- column region: dim_customer.region of that version
-- column plan: dim_customer.plan of that version
-- column tickets: support tickets opened in the month, 5 standing for 5 or more
-- column customer_months: customer-months summed in the row
-- column subscribers: customer-months with is_subscriber
-- column churned: customer-months with churned
-- column retained: customer-months with is_subscriber and not churned
-- column revenue: summed revenue (DECIMAL)
-- column subscriber_usage_events: usage events of the subscribers' months
-- column months_with_usage: customer-months with at least one usage event
-- check unique: month_start, segment, region, plan, tickets
-- check not_null: month_start, customer_months, revenue
SELECT m.month_start,
       d.segment,
       d.region,
       d.plan,
       CASE WHEN m.tickets >= 5 THEN 5 ELSE m.tickets END AS tickets,
       count(*) AS customer_months,
       CAST(sum(CASE WHEN m.is_subscriber THEN 1 ELSE 0 END) AS BIGINT) AS subscribers,
       CAST(sum(CASE WHEN m.churned THEN 1 ELSE 0 END) AS BIGINT) AS churned,
       CAST(sum(CASE WHEN m.is_subscriber AND NOT m.churned THEN 1 ELSE 0 END) AS BIGINT) AS retained,
       sum(m.revenue) AS revenue,
       CAST(sum(CASE WHEN m.is_subscriber THEN m.usage_events ELSE 0 END) AS BIGINT) AS subscriber_usage_events,
       CAST(sum(CASE WHEN m.usage_events > 0 THEN 1 ELSE 0 END) AS BIGINT) AS months_with_usage
FROM fact_customer_metrics m
JOIN dim_customer d ON d.customer_key = m.customer_key
GROUP BY m.month_start, d.segment, d.region, d.plan, CASE WHEN m.tickets >= 5 THEN 5 ELSE m.tickets END
