-- model: mart_dashboard_customers
-- description: The web dashboard's customers by the filters' attributes: for each customer, each run of
--   consecutive months of fact_customer_metrics in which the version valid at the end of the month had
--   the same segment, region and plan. A customer has a month in [from, to] under given attributes when
--   one of its runs with them has first_month <= to and last_month >= from, so the customers behind a
--   filtered dashboard are read from about one row per customer instead of one per customer-month.
--   Rebuilt with every build.
-- materialized: table
-- grain: one row per (customer_id, segment, region, plan, first_month)
-- column customer_id: the operational customer id
-- column segment: dim_customer.segment during the run
-- column region: dim_customer.region during the run
-- column plan: dim_customer.plan during the run
-- column first_month: the run's first month_start
-- column last_month: the run's last month_start (every month between is in fact_customer_metrics)
-- column months: months in the run
-- check unique: customer_id, segment, region, plan, first_month
-- check not_null: customer_id, first_month, last_month
SELECT customer_id, segment, region, plan,
       min(month_start) AS first_month,
       max(month_start) AS last_month,
       count(*) AS months
FROM (
  SELECT m.customer_id, m.month_start, d.segment, d.region, d.plan,
         extract(year FROM m.month_start) * 12 + extract(month FROM m.month_start)
           - row_number() OVER (PARTITION BY m.customer_id, d.segment, d.region, d.plan ORDER BY m.month_start) AS run
  FROM fact_customer_metrics m
  JOIN dim_customer d ON d.customer_key = m.customer_key
) months
GROUP BY customer_id, segment, region, plan, run
