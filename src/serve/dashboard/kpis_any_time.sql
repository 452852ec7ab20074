-- kpis.sql for a request without a date range ($4 and $5 NULL; DashboardSqlFor picks it): the same five
-- KPIs, the average CLV and the value at risk summed from dashboard.customer_values (the customers'
-- scores pre-summed by attributes and filter-pattern bit when the dashboard's database opens:
-- setup_customer_values.sql) instead of joining each selected customer to its scores.
WITH months AS ({{filtered_mart}}),
scored AS (
  SELECT sum(clv_count) AS clv_count, sum(clv_sum) AS clv_sum, sum(value_at_risk) AS value_at_risk
  FROM dashboard.customer_values
  WHERE CAST($4 AS DATE) IS NULL AND CAST($5 AS DATE) IS NULL  -- always, when DashboardSqlFor picks this file
    AND (CAST($1 AS VARCHAR) IS NULL OR segment = CAST($1 AS VARCHAR))
    AND (CAST($2 AS VARCHAR) IS NULL OR region = CAST($2 AS VARCHAR))
    AND (CAST($3 AS VARCHAR) IS NULL OR plan = CAST($3 AS VARCHAR))
    AND ((firsts >> ((CAST($1 AS VARCHAR) IS NOT NULL)::INTEGER + (CAST($2 AS VARCHAR) IS NOT NULL)::INTEGER * 2
                    + (CAST($3 AS VARCHAR) IS NOT NULL)::INTEGER * 4)) & 1) = 1)
SELECT
  (SELECT CAST(coalesce(sum(retained), 0) AS BIGINT) FROM months
   WHERE month_start = (SELECT max(month_start) FROM months)) AS active_customers,
  (SELECT CAST(sum(churned) AS BIGINT) / nullif(CAST(sum(subscribers) AS BIGINT), 0) FROM months)
    AS monthly_churn_rate,
  (SELECT coalesce(sum(revenue), 0) FROM months) AS revenue,
  (SELECT clv_sum / nullif(clv_count, 0) FROM scored) AS avg_clv,
  (SELECT value_at_risk FROM scored) AS value_at_risk
