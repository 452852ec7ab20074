-- The retention list: customers in range by value at risk (12-month CLV x churn probability),
-- highest first, with the churn model's top reasons; $6 = how many.
WITH months AS ({{filtered_months}}),
customers AS (SELECT DISTINCT customer_id FROM months)
SELECT d.customer_id, d.first_name || ' ' || d.last_name AS name, d.segment, d.plan,
       s.churn_probability AS p_churn, v.clv_12m AS clv, v.clv_12m * s.churn_probability AS value_at_risk,
       s.reason_1, s.reason_2, s.reason_3
FROM customers c
JOIN dim_customer d ON d.customer_id = c.customer_id AND d.is_current
JOIN raw.churn_scores s ON s.customer_id = c.customer_id
JOIN raw.clv_scores v ON v.customer = CAST(c.customer_id AS VARCHAR)
ORDER BY value_at_risk DESC, d.customer_id
LIMIT CAST($6 AS INTEGER)
