-- The rows of mart_dashboard_cohorts the dashboard's filters select (the files include it where they write
-- the filtered_cohorts marker): the same customer-months as filtered_months.sql, summed by cohort.
-- $1 segment, $2 region, $3 plan (of the customer version valid at the end of the month),
-- $4 from and $5 to (months whose first day falls in [from, to]); NULL = no filter.
SELECT *
FROM mart_dashboard_cohorts
WHERE (CAST($1 AS VARCHAR) IS NULL OR segment = CAST($1 AS VARCHAR))
  AND (CAST($2 AS VARCHAR) IS NULL OR region = CAST($2 AS VARCHAR))
  AND (CAST($3 AS VARCHAR) IS NULL OR plan = CAST($3 AS VARCHAR))
  AND (CAST($4 AS DATE) IS NULL OR month_start >= date_trunc('month', CAST($4 AS DATE)))
  AND (CAST($5 AS DATE) IS NULL OR month_start <= CAST($5 AS DATE))
