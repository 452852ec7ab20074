-- The customer-months behind "monthly churn rate": every customer who churned in a month in range.
WITH months AS ({{filtered_months}})
SELECT m.customer_id, m.month_start, m.segment, m.region, m.plan, m.contract, m.tenure_months, d.churn_date,
       'sic.customers' AS _source_table, CAST(m.customer_id AS VARCHAR) AS _source_key
FROM months m
JOIN dim_customer d ON d.customer_key = m.customer_key
WHERE m.churned
ORDER BY m.month_start, m.customer_id
