-- Run once per lake generation when the dashboard's database opens (DashboardSandbox, before the
-- lockdown), after main.mart_dashboard_customers (an empty stand-in for a warehouse without it): each
-- customer's spans of consecutive months with the same segment, region and plan, in memory: the mart's
-- runs (cut at quarter ends for incremental builds) joined where one follows on the last. A span's
-- months are exactly its runs' months, so a filter selects a customer here exactly when it selects one
-- of the customer's runs (filtered_customers_from_runs.sql), from about one row per customer instead of
-- one per quarter. `firsts`: bit k says the row is the customer's first among its rows alike in the
-- dimensions that filter pattern k names (bit 0 of k: segment, bit 1: region, bit 2: plan), so a
-- request without a date range selects each customer once with no DISTINCT
-- (filtered_customers_any_time.sql).
CREATE TABLE dashboard.customer_attributes AS
WITH runs AS (
  SELECT customer_id, segment, region, plan, first_month, last_month,
         max(last_month) OVER (PARTITION BY customer_id, segment, region, plan ORDER BY first_month
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_last
  FROM main.mart_dashboard_customers),
islands AS (
  SELECT *, sum(CASE WHEN before_last IS NULL OR first_month > before_last + INTERVAL 1 MONTH THEN 1 ELSE 0 END)
              OVER (PARTITION BY customer_id, segment, region, plan ORDER BY first_month ROWS UNBOUNDED PRECEDING)
              AS island
  FROM runs),
spans AS (
  SELECT customer_id, segment, region, plan, min(first_month) AS first_month, max(last_month) AS last_month
  FROM islands
  GROUP BY customer_id, segment, region, plan, island),
ranked AS (
  SELECT *,
         row_number() OVER (PARTITION BY customer_id ORDER BY segment, region, plan, first_month) = 1 AS f0,
         row_number() OVER (PARTITION BY customer_id, segment ORDER BY region, plan, first_month) = 1 AS f1,
         row_number() OVER (PARTITION BY customer_id, region ORDER BY segment, plan, first_month) = 1 AS f2,
         row_number() OVER (PARTITION BY customer_id, segment, region ORDER BY plan, first_month) = 1 AS f3,
         row_number() OVER (PARTITION BY customer_id, plan ORDER BY segment, region, first_month) = 1 AS f4,
         row_number() OVER (PARTITION BY customer_id, segment, plan ORDER BY region, first_month) = 1 AS f5,
         row_number() OVER (PARTITION BY customer_id, region, plan ORDER BY segment, first_month) = 1 AS f6,
         row_number() OVER (PARTITION BY customer_id, segment, region, plan ORDER BY first_month) = 1 AS f7
  FROM spans)
SELECT customer_id, segment, region, plan, first_month, last_month,
       CAST(f0::INTEGER + f1::INTEGER * 2 + f2::INTEGER * 4 + f3::INTEGER * 8 + f4::INTEGER * 16
            + f5::INTEGER * 32 + f6::INTEGER * 64 + f7::INTEGER * 128 AS UTINYINT) AS firsts
FROM ranked
ORDER BY customer_id
