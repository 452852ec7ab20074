-- filtered_customers.sql from the warehouse's mart_dashboard_customers' runs of months with unchanged
-- attributes (cut at quarter ends): what the dashboard ran before it held the customers' spans in
-- memory; the test TheCustomerAttributesSelectEachCustomerOnceAsTheRunsDo compares the two.
SELECT DISTINCT customer_id
FROM mart_dashboard_customers
WHERE (CAST($1 AS VARCHAR) IS NULL OR segment = CAST($1 AS VARCHAR))
  AND (CAST($2 AS VARCHAR) IS NULL OR region = CAST($2 AS VARCHAR))
  AND (CAST($3 AS VARCHAR) IS NULL OR plan = CAST($3 AS VARCHAR))
  AND (CAST($4 AS DATE) IS NULL OR last_month >= date_trunc('month', CAST($4 AS DATE)))
  AND (CAST($5 AS DATE) IS NULL OR first_month <= CAST($5 AS DATE))
