-- Cohort retention: customers grouped by signup month; the share of each cohort still subscribed
-- (and not churning) so many months after signup. A customer has one month per (cohort, tenure), so
-- mart_dashboard_cohorts' sums count customers (cohort_retention_from_facts.sql counts them distinct).
WITH months AS ({{filtered_cohorts}}),
sizes AS (SELECT cohort, CAST(sum(customer_months) AS BIGINT) AS size FROM months WHERE tenure_months = 0 GROUP BY cohort)
SELECT strftime(m.cohort, '%Y-%m') AS cohort, m.tenure_months AS month_offset,
       CAST(sum(m.retained) AS BIGINT) / s.size AS retention
FROM months m JOIN sizes s ON s.cohort = m.cohort
GROUP BY m.cohort, m.tenure_months, s.size
ORDER BY m.cohort, m.tenure_months
