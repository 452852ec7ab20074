-- Each customer's spans of consecutive months with the same segment, region and plan, computed from
-- main.mart_dashboard_customers' runs (cut at quarter ends) joined where one follows on the last, with
-- `firsts` (a bit per filter pattern: the customer's first row among its rows alike in the dimensions
-- pattern k names; bit 0 of k: segment, bit 1: region, bit 2: plan). The warehouse's
-- mart_dashboard_spans (models/mart_dashboard_spans.sql, built by `custlake build`) holds exactly these
-- rows; this file is its stand-in for a warehouse version built before that mart (DashboardSandbox:
-- then the dashboard's database computes it when it opens, as it did before the mart), and
-- ScoredApiTest.TheSpansMartHoldsExactlyWhatTheRunsGive compares the two.
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
       f0::INTEGER + f1::INTEGER * 2 + f2::INTEGER * 4 + f3::INTEGER * 8 + f4::INTEGER * 16
         + f5::INTEGER * 32 + f6::INTEGER * 64 + f7::INTEGER * 128 AS firsts
FROM ranked
