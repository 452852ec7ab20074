-- The customers behind "average CLV": each customer in range with the CLV model's scores.
WITH months AS ({{filtered_months}}),
customers AS (SELECT DISTINCT customer_id FROM months)
SELECT c.customer_id, v.p_alive, v.expected_purchases_12m, v.clv_12m,
       'raw.clv_scores' AS _source_table, v.customer AS _source_key
FROM customers c JOIN raw.clv_scores v ON v.customer = CAST(c.customer_id AS VARCHAR)
ORDER BY v.clv_12m DESC, c.customer_id
