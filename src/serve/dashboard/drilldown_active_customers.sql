-- The customers behind "active customers": subscribers of the newest month in range who did not churn
-- in it, with the source row they came from (the operational customers table and its key).
WITH months AS ({{filtered_months}})
SELECT customer_id, month_start, segment, region, plan, contract, tenure_months,
       'sic.customers' AS _source_table, CAST(customer_id AS VARCHAR) AS _source_key
FROM months
WHERE is_subscriber AND NOT churned AND month_start = (SELECT max(month_start) FROM months)
ORDER BY customer_id
