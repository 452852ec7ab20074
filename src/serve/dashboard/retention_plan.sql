-- The published retention plan's customers (raw.retention_plan), best first, with the customer's
-- current name and segment from dim_customer; $1 = how many.
SELECT p.rank, p.customer_id, d.first_name || ' ' || d.last_name AS name, d.segment,
       p.uplift, p.p_churn, p.clv, p.expected_saved_value, p.offer_cost
FROM raw.retention_plan p
LEFT JOIN dim_customer d ON d.customer_id = p.customer_id AND d.is_current
ORDER BY p.rank, p.customer_id
LIMIT CAST($1 AS INTEGER)
