-- The transactions behind "revenue", each traced to its source record: the lake batch that brought
-- it in, and from that batch's lineage (filled in by the server, http_batch_sources.cc) the source
-- database and table it was imported from; the key is the transaction's id in that table.
WITH months AS ({{filtered_months}})
SELECT a.customer_id, a.occurred_at, a.transaction_kind, a.payment_method, a.amount,
       CAST(NULL AS VARCHAR) AS _source, CAST(NULL AS VARCHAR) AS _source_table,
       'transaction_id = ' || a.source_id AS _source_key, a.source_batch_id AS _source_batch
FROM fact_customer_activity a
JOIN months m ON m.customer_id = a.customer_id AND m.month_start = a.month_start
WHERE a.activity_type = 'transaction'
ORDER BY a.occurred_at, a.source_id
