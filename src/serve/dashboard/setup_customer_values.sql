-- Run once per lake generation when the dashboard's database opens (DashboardSandbox, before the
-- lockdown), after the scores and dashboard.customer_attributes: the KPIs' CLV figures summed by the
-- filters' attributes and the per-pattern bits, for requests without a date range
-- (kpis_any_time.sql, picked by DashboardSqlFor). Such a request takes the customers' rows of
-- dashboard.customer_attributes that match its filters and have its pattern's bit set
-- (filtered_customers_any_time.sql); a group of this table either matches whole or not at all, so
-- summing the matching groups gives the sums over those customers, from a few thousand rows instead of
-- joining a million customers to their scores. The same joins as kpis.sql's `scored` (duplicates
-- included): clv_count is count(clv_12m) there, clv_sum sum(clv_12m), value_at_risk
-- sum(clv_12m * churn_probability). Rows with no bit set are never selected and are left out.
CREATE TABLE dashboard.customer_values AS
SELECT a.segment, a.region, a.plan, a.firsts,
       count(v.clv_12m) AS clv_count,
       sum(v.clv_12m) AS clv_sum,
       sum(v.clv_12m * s.churn_probability) AS value_at_risk
FROM dashboard.customer_attributes a
JOIN dashboard.clv_scores v ON v.customer_id = a.customer_id
LEFT JOIN dashboard.churn_scores s ON s.customer_id = a.customer_id
WHERE a.firsts <> 0
GROUP BY a.segment, a.region, a.plan, a.firsts
ORDER BY a.segment, a.region, a.plan, a.firsts
