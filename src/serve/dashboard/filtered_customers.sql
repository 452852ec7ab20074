-- The customers with at least one customer-month the dashboard's filters select (the files include it
-- where they write the filtered_customers marker): the same as SELECT DISTINCT customer_id FROM
-- filtered_months, read from the in-memory spans of months with unchanged attributes
-- (setup_customer_attributes.sql; filtered_customers_from_runs.sql reads the warehouse's
-- mart_dashboard_customers instead). A request without a date range runs
-- filtered_customers_any_time.sql (DashboardSqlFor).
SELECT DISTINCT customer_id
FROM dashboard.customer_attributes
WHERE (CAST($1 AS VARCHAR) IS NULL OR segment = CAST($1 AS VARCHAR))
  AND (CAST($2 AS VARCHAR) IS NULL OR region = CAST($2 AS VARCHAR))
  AND (CAST($3 AS VARCHAR) IS NULL OR plan = CAST($3 AS VARCHAR))
  AND (CAST($4 AS DATE) IS NULL OR last_month >= date_trunc('month', CAST($4 AS DATE)))
  AND (CAST($5 AS DATE) IS NULL OR first_month <= CAST($5 AS DATE))
