-- Run once per lake generation when the dashboard's database opens (DashboardSandbox, before the
-- lockdown): each customer's spans of consecutive months with the same segment, region and plan, copied
-- into memory from the warehouse's mart_dashboard_spans (built once per version by `custlake build`;
-- for a version built before that mart, DashboardSandbox's stand-in view computes the same rows from
-- mart_dashboard_customers' runs: customer_spans_from_runs.sql). A span's months are exactly its runs'
-- months, so a filter selects a customer here exactly when it selects one of the customer's runs
-- (filtered_customers_from_runs.sql), from about one row per customer instead of one per quarter.
-- `firsts`: bit k says the row is the customer's first among its rows alike in the dimensions that
-- filter pattern k names (bit 0 of k: segment, bit 1: region, bit 2: plan), so a request without a date
-- range selects each customer once with no DISTINCT (filtered_customers_any_time.sql).
CREATE TABLE dashboard.customer_attributes AS
SELECT customer_id, segment, region, plan, first_month, last_month, CAST(firsts AS UTINYINT) AS firsts
FROM main.mart_dashboard_spans
ORDER BY customer_id
