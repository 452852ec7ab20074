-- The retention list: customers in range by value at risk (12-month CLV x churn probability),
-- highest first, with the churn model's top reasons; $6 = how many.
-- The customers from mart_dashboard_customers; at_risk_from_facts.sql finds them in the facts. The
-- scores from the dashboard's database's in-memory copies (setup_scores_*.sql).
WITH customers AS ({{filtered_customers}})
SELECT d.customer_id, d.first_name || ' ' || d.last_name AS name, d.segment, d.plan,
       s.churn_probability AS p_churn, v.clv_12m AS clv, v.clv_12m * s.churn_probability AS value_at_risk,
       s.reason_1, s.reason_2, s.reason_3
FROM customers c
JOIN dim_customer d ON d.customer_id = c.customer_id AND d.is_current
JOIN dashboard.churn_scores s ON s.customer_id = c.customer_id
JOIN dashboard.clv_scores v ON v.customer_id = c.customer_id
ORDER BY value_at_risk DESC, d.customer_id
LIMIT CAST($6 AS INTEGER)
