-- One customer's churn and CLV scores, when the analytics have published them ($1 = customer_id).
SELECT s.churn_probability AS p_churn, s.reason_1, s.reason_2, s.reason_3,
       v.p_alive, v.clv_12m, v.expected_purchases_12m
FROM (SELECT CAST($1 AS BIGINT) AS customer_id) c
LEFT JOIN raw.churn_scores s ON s.customer_id = c.customer_id
LEFT JOIN raw.clv_scores v ON v.customer = CAST(c.customer_id AS VARCHAR)
