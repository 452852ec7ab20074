-- One customer's newest 500 activities: usage, transactions, tickets and offers ($1 = customer_id),
-- each traced to its source record: the lake batch that brought it in (the server fills `_source`
-- and `_source_table` from that batch's lineage, http_batch_sources.cc) and its id there. The server
-- fills `_source_file` and `_source_line` of usage events and tickets from customer_source_lines.sql
-- (null when the lake has no raw.usage and raw.tickets, as when a project's staging reads other datasets).
SELECT CAST(a.occurred_at AS VARCHAR) AS date,
       CASE WHEN a.activity_type LIKE 'offer%' THEN 'offer' ELSE a.activity_type END AS kind,
       CASE a.activity_type
         WHEN 'usage' THEN concat_ws(' ', u.event_type, u.feature, 'on', u.device, '(' || a.duration_s || ' s)')
         WHEN 'transaction' THEN concat_ws(' ', a.transaction_kind, CAST(a.amount AS VARCHAR), a.payment_method)
         WHEN 'ticket' THEN concat_ws(' ', t.category, t.priority, 'priority via', t.channel, '(' || t.status || ')')
         WHEN 'offer_sent' THEN 'offer sent: ' || coalesce(o.name, '?')
         ELSE 'offer redeemed: ' || coalesce(o.name, '?') END AS detail,
       CAST(NULL AS VARCHAR) AS _source, CAST(NULL AS VARCHAR) AS _source_table,
       CASE a.activity_type WHEN 'usage' THEN 'event_id' WHEN 'transaction' THEN 'transaction_id'
                            WHEN 'ticket' THEN 'ticket_id' ELSE 'assignment_id' END || ' = ' || a.source_id AS _source_key,
       a.source_batch_id AS _source_batch,
       CAST(NULL AS VARCHAR) AS _source_file, CAST(NULL AS BIGINT) AS _source_line
FROM fact_customer_activity a
LEFT JOIN dim_usage u ON u.usage_key = a.usage_key
LEFT JOIN dim_support_ticket t ON t.ticket_key = a.ticket_key
LEFT JOIN dim_offer o ON o.offer_key = a.offer_key
WHERE a.customer_id = CAST($1 AS BIGINT)
ORDER BY a.occurred_at DESC, a.source_id
LIMIT 500
