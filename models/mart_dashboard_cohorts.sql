-- model: mart_dashboard_cohorts
-- description: The web dashboard's cohort retention, summed from fact_customer_metrics: customer-months by
--   month, the segment, region and plan of the customer version valid at the end of the month, signup
--   cohort and tenure. A customer has one row per month, so within a (cohort, tenure) the sums count
--   distinct customers. Incremental builds recompute the months fact_customer_metrics recomputed
--   (delta.fact_customer_metrics: its rows from that month on).
-- materialized: recompute_from
-- partition_by: month_start
-- recompute_from: SELECT min(month_start) FROM delta.fact_customer_metrics
-- grain: one row per (month_start, segment, region, plan, cohort, tenure_months)
-- column month_start: first day of the month (fact_customer_metrics.month_start)
-- column segment: dim_customer.segment of the version valid at the end of the month
-- column region: dim_customer.region of that version
-- column plan: dim_customer.plan of that version
-- column cohort: first day of the signup month (that version's signup_date)
-- column tenure_months: whole months from the signup month (fact_customer_metrics.tenure_months)
-- column customer_months: customer-months summed in the row
-- column retained: customer-months with is_subscriber and not churned
-- check unique: month_start, segment, region, plan, cohort, tenure_months
-- check not_null: month_start, customer_months
SELECT m.month_start,
       d.segment,
       d.region,
       d.plan,
       {{ trunc_date(month, d.signup_date) }} AS cohort,
       m.tenure_months,
       count(*) AS customer_months,
       CAST(sum(CASE WHEN m.is_subscriber AND NOT m.churned THEN 1 ELSE 0 END) AS BIGINT) AS retained
FROM fact_customer_metrics m
JOIN dim_customer d ON d.customer_key = m.customer_key
GROUP BY m.month_start, d.segment, d.region, d.plan, {{ trunc_date(month, d.signup_date) }}, m.tenure_months
