-- Run once per lake generation when the dashboard's database opens (DashboardSandbox, before the
-- lockdown), after main.mart_dashboard_customers (an empty stand-in for a warehouse without it): each
-- customer's distinct (segment, region, plan) over all its runs of months, in memory, with `firsts`,
-- whose bit k says the row is the customer's first among its rows alike in the dimensions that filter
-- pattern k names (bit 0 of k: segment, bit 1: region, bit 2: plan). The customers a request without a
-- date range selects (filtered_customers_any_time.sql) are then its matching rows with its pattern's
-- bit set: each customer once, with no DISTINCT over the runs. (A date range needs the runs' months:
-- filtered_customers.sql.)
CREATE TABLE dashboard.customer_attributes AS
WITH combos AS (SELECT DISTINCT customer_id, segment, region, plan FROM main.mart_dashboard_customers),
ranked AS (
  SELECT customer_id, segment, region, plan,
         row_number() OVER (PARTITION BY customer_id ORDER BY segment, region, plan) = 1 AS f0,
         row_number() OVER (PARTITION BY customer_id, segment ORDER BY region, plan) = 1 AS f1,
         row_number() OVER (PARTITION BY customer_id, region ORDER BY segment, plan) = 1 AS f2,
         row_number() OVER (PARTITION BY customer_id, segment, region ORDER BY plan) = 1 AS f3,
         row_number() OVER (PARTITION BY customer_id, plan ORDER BY segment, region) = 1 AS f4,
         row_number() OVER (PARTITION BY customer_id, segment, plan ORDER BY region) = 1 AS f5,
         row_number() OVER (PARTITION BY customer_id, region, plan ORDER BY segment) = 1 AS f6
  FROM combos)
SELECT customer_id, segment, region, plan,
       CAST(f0::INTEGER + f1::INTEGER * 2 + f2::INTEGER * 4 + f3::INTEGER * 8 + f4::INTEGER * 16
            + f5::INTEGER * 32 + f6::INTEGER * 64 + 128 AS UTINYINT) AS firsts
FROM ranked
ORDER BY customer_id
