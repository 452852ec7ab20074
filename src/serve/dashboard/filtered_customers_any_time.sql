-- filtered_customers.sql for a request without a date range ($4 and $5 NULL; DashboardSqlFor picks it):
-- the same customers, each once, from the in-memory dashboard.customer_attributes
-- (setup_customer_attributes.sql), its rows matching the filters with the filter pattern's bit set.
SELECT customer_id
FROM dashboard.customer_attributes
WHERE CAST($4 AS DATE) IS NULL AND CAST($5 AS DATE) IS NULL  -- always, when DashboardSqlFor picks this file
  AND (CAST($1 AS VARCHAR) IS NULL OR segment = CAST($1 AS VARCHAR))
  AND (CAST($2 AS VARCHAR) IS NULL OR region = CAST($2 AS VARCHAR))
  AND (CAST($3 AS VARCHAR) IS NULL OR plan = CAST($3 AS VARCHAR))
  AND ((firsts >> ((CAST($1 AS VARCHAR) IS NOT NULL)::INTEGER + (CAST($2 AS VARCHAR) IS NOT NULL)::INTEGER * 2
                  + (CAST($3 AS VARCHAR) IS NOT NULL)::INTEGER * 4)) & 1) = 1
