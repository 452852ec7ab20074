-- Cohort retention: customers grouped by signup month; the share of each cohort still subscribed
-- (and not churning) so many months after signup.
WITH months AS ({{filtered_months}}),
sizes AS (SELECT cohort, count(DISTINCT customer_id) AS size FROM months WHERE tenure_months = 0 GROUP BY cohort)
SELECT strftime(m.cohort, '%Y-%m') AS cohort, m.tenure_months AS month_offset,
       count(DISTINCT m.customer_id) FILTER (WHERE m.is_subscriber AND NOT m.churned) / s.size AS retention
FROM months m JOIN sizes s ON s.cohort = m.cohort
GROUP BY m.cohort, m.tenure_months, s.size
ORDER BY m.cohort, m.tenure_months
