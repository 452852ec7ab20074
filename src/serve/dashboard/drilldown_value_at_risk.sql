-- The customers behind "value at risk": CLV x churn probability per customer in range.
WITH months AS ({{filtered_months}}),
customers AS (SELECT DISTINCT customer_id FROM months)
SELECT c.customer_id, s.churn_probability, v.clv_12m, v.clv_12m * s.churn_probability AS value_at_risk,
       s.churn_reasons, 'raw.churn_scores' AS _source_table, CAST(s.customer_id AS VARCHAR) AS _source_key
FROM customers c
JOIN raw.churn_scores s ON s.customer_id = c.customer_id
JOIN raw.clv_scores v ON v.customer = CAST(c.customer_id AS VARCHAR)
ORDER BY value_at_risk DESC, c.customer_id
