-- The customers with at least one customer-month the dashboard's filters select (the files include it
-- where they write the filtered_customers marker): the same as SELECT DISTINCT customer_id FROM
-- filtered_months, read from mart_dashboard_customers' runs of months with unchanged attributes.
SELECT DISTINCT customer_id
FROM mart_dashboard_customers
WHERE (CAST($1 AS VARCHAR) IS NULL OR segment = CAST($1 AS VARCHAR))
  AND (CAST($2 AS VARCHAR) IS NULL OR region = CAST($2 AS VARCHAR))
  AND (CAST($3 AS VARCHAR) IS NULL OR plan = CAST($3 AS VARCHAR))
  AND (CAST($4 AS DATE) IS NULL OR last_month >= date_trunc('month', CAST($4 AS DATE)))
  AND (CAST($5 AS DATE) IS NULL OR first_month <= CAST($5 AS DATE))
