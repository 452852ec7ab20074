-- model: mart_dashboard_customers
-- description: The web dashboard's customers by the filters' attributes: for each customer and calendar
--   quarter, each run of consecutive months of fact_customer_metrics in that quarter in which the version
--   valid at the end of the month had the same segment, region and plan. A customer has a month in
--   [from, to] under given attributes when one of its runs with them has first_month <= to and
--   last_month >= from, so the customers behind a filtered dashboard are read from a few rows per
--   customer (at most one per quarter while the attributes stay the same) instead of one per
--   customer-month. Runs end at a quarter's end so that incremental builds recompute only the quarters
--   from the one holding the first month fact_customer_metrics recomputed (delta.fact_customer_metrics).
-- materialized: recompute_from
-- partition_by: quarter_start
-- recompute_from: SELECT CAST(date_trunc('quarter', min(month_start)) AS DATE) FROM delta.fact_customer_metrics
-- grain: one row per (customer_id, segment, region, plan, first_month)
-- column quarter_start: first day of the calendar quarter holding the run
-- column customer_id: the operational customer id
-- column segment: dim_customer.segment during the run
-- column region: dim_customer.region during the run
-- column plan: dim_customer.plan during the run
-- column first_month: the run's first month_start
-- column last_month: the run's last month_start (every month between is in fact_customer_metrics)
-- column months: months in the run
-- check unique: customer_id, segment, region, plan, first_month
-- check not_null: quarter_start, customer_id, first_month, last_month
SELECT quarter_start, customer_id, segment, region, plan,
       min(month_start) AS first_month,
       max(month_start) AS last_month,
       count(*) AS months
FROM (
  SELECT quarter_start, customer_id, month_start, segment, region, plan,
         extract(year FROM month_start) * 12 + extract(month FROM month_start)
           - row_number() OVER (PARTITION BY quarter_start, customer_id, segment, region, plan ORDER BY month_start) AS run
  FROM (
    SELECT CASE WHEN extract(month FROM m.month_start) <= 3 THEN {{ trunc_date(year, m.month_start) }}
                WHEN extract(month FROM m.month_start) <= 6 THEN {{ add_months(trunc_date(year, m.month_start), 3) }}
                WHEN extract(month FROM m.month_start) <= 9 THEN {{ add_months(trunc_date(year, m.month_start), 6) }}
                ELSE {{ add_months(trunc_date(year, m.month_start), 9) }} END AS quarter_start,
           m.customer_id, m.month_start, d.segment, d.region, d.plan
    FROM fact_customer_metrics m
    JOIN dim_customer d ON d.customer_key = m.customer_key
  ) months
) runs
GROUP BY quarter_start, customer_id, segment, region, plan, run
