-- model: mart_dashboard_spans
-- description: The web dashboard's customers by the filters' attributes, about one row per customer: each
--   customer's spans of consecutive months with the same segment, region and plan, made of
--   mart_dashboard_customers' runs (cut at quarter ends for incremental builds) joined where one follows
--   on the last. A span's months are exactly its runs' months, so a filter selects a customer here
--   exactly when it selects one of the customer's runs. `firsts` marks, for each filter pattern, one row
--   per customer, so the dashboard selects each customer once without DISTINCT when no date range is
--   given. The dashboard copies this table into memory once per warehouse version; built here, once per
--   version, instead of on the first request of each version. Rebuilt whole when its runs changed: a
--   customer's spans depend on all of its runs, so there is no partition to recompute alone.
-- materialized: table
-- grain: one row per (customer_id, segment, region, plan, first_month)
-- column customer_id: the operational customer id
-- column segment: dim_customer.segment during the span
-- column region: dim_customer.region during the span
-- column plan: dim_customer.plan during the span
-- column first_month: the span's first month_start
-- column last_month: the span's last month_start (every month between is in fact_customer_metrics)
-- column firsts: bit k set (k = 0..7; bit 0 of k: segment, bit 1: region, bit 2: plan) on the customer's
--   first row, by (segment, region, plan, first_month), among its rows alike in the dimensions pattern k
--   names (bit 0: the customer's first row of all)
-- check unique: customer_id, segment, region, plan, first_month
-- check not_null: customer_id, first_month, last_month, firsts
SELECT customer_id, segment, region, plan, first_month, last_month,
       f0 + f1 * 2 + f2 * 4 + f3 * 8 + f4 * 16 + f5 * 32 + f6 * 64 + f7 * 128 AS firsts
FROM (
  SELECT customer_id, segment, region, plan, first_month, last_month,
         CASE WHEN row_number() OVER (PARTITION BY customer_id ORDER BY segment, region, plan, first_month) = 1
              THEN 1 ELSE 0 END AS f0,
         CASE WHEN row_number() OVER (PARTITION BY customer_id, segment ORDER BY region, plan, first_month) = 1
              THEN 1 ELSE 0 END AS f1,
         CASE WHEN row_number() OVER (PARTITION BY customer_id, region ORDER BY segment, plan, first_month) = 1
              THEN 1 ELSE 0 END AS f2,
         CASE WHEN row_number() OVER (PARTITION BY customer_id, segment, region ORDER BY plan, first_month) = 1
              THEN 1 ELSE 0 END AS f3,
         CASE WHEN row_number() OVER (PARTITION BY customer_id, plan ORDER BY segment, region, first_month) = 1
              THEN 1 ELSE 0 END AS f4,
         CASE WHEN row_number() OVER (PARTITION BY customer_id, segment, plan ORDER BY region, first_month) = 1
              THEN 1 ELSE 0 END AS f5,
         CASE WHEN row_number() OVER (PARTITION BY customer_id, region, plan ORDER BY segment, first_month) = 1
              THEN 1 ELSE 0 END AS f6,
         CASE WHEN row_number() OVER (PARTITION BY customer_id, segment, region, plan ORDER BY first_month) = 1
              THEN 1 ELSE 0 END AS f7
  FROM (
    SELECT customer_id, segment, region, plan, min(first_month) AS first_month, max(last_month) AS last_month
    FROM (
      SELECT customer_id, segment, region, plan, first_month, last_month,
             sum(CASE WHEN before_last IS NULL OR first_month > {{ add_months(before_last, 1) }} THEN 1 ELSE 0 END)
               OVER (PARTITION BY customer_id, segment, region, plan ORDER BY first_month ROWS UNBOUNDED PRECEDING)
               AS island
      FROM (
        SELECT customer_id, segment, region, plan, first_month, last_month,
               max(last_month) OVER (PARTITION BY customer_id, segment, region, plan ORDER BY first_month
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_last
        FROM mart_dashboard_customers
      ) runs
    ) islands
    GROUP BY customer_id, segment, region, plan, island
  ) spans
) ranked
