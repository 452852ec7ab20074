-- The customer-months the dashboard's filters select (the other files include it where they write the filtered_months marker):
-- $1 segment, $2 region, $3 plan (of the customer version valid at the end of the month),
-- $4 from and $5 to (months whose first day falls in [from, to]); NULL = no filter.
SELECT m.*, d.segment, d.region, d.plan, d.contract, date_trunc('month', d.signup_date) AS cohort
FROM fact_customer_metrics m
JOIN dim_customer d ON d.customer_key = m.customer_key
WHERE (CAST($1 AS VARCHAR) IS NULL OR d.segment = CAST($1 AS VARCHAR))
  AND (CAST($2 AS VARCHAR) IS NULL OR d.region = CAST($2 AS VARCHAR))
  AND (CAST($3 AS VARCHAR) IS NULL OR d.plan = CAST($3 AS VARCHAR))
  AND (CAST($4 AS DATE) IS NULL OR m.month_start >= date_trunc('month', CAST($4 AS DATE)))
  AND (CAST($5 AS DATE) IS NULL OR m.month_start <= CAST($5 AS DATE))
