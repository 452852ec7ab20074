-- The transactions behind "revenue", each with the source table and key it was imported from.
WITH months AS ({{filtered_months}})
SELECT a.customer_id, a.occurred_at, a.transaction_kind, a.payment_method, a.amount,
       a.source_dataset AS _source_table, a.source_id AS _source_key, a.source_batch_id AS _source_batch
FROM fact_customer_activity a
JOIN months m ON m.customer_id = a.customer_id AND m.month_start = a.month_start
WHERE a.activity_type = 'transaction'
ORDER BY a.occurred_at, a.source_id
