-- One customer's newest 500 activities: usage, transactions, tickets and offers ($1 = customer_id),
-- each traced to its source record: the lake batch that brought it in (the server fills `_source`
-- and `_source_table` from that batch's lineage, http_batch_sources.cc) and its id there; usage events
-- and tickets also to the landing file and line the raw zone kept (`_source_file`, `_source_line`;
-- of a record delivered twice, the copy in the file whose name sorts last, as the newest wins).
WITH usage_lines AS (
  SELECT event_id, max(_source_file) AS _source_file, arg_max(_source_line, _source_file) AS _source_line
  FROM raw.usage WHERE customer_id = CAST($1 AS BIGINT) GROUP BY event_id),
ticket_lines AS (
  SELECT ticket_id, max(_source_file) AS _source_file, arg_max(_source_line, _source_file) AS _source_line
  FROM raw.tickets WHERE customer_id = CAST($1 AS BIGINT) GROUP BY ticket_id)
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
       coalesce(ru._source_file, rt._source_file) AS _source_file,
       coalesce(ru._source_line, rt._source_line) AS _source_line
FROM fact_customer_activity a
LEFT JOIN dim_usage u ON u.usage_key = a.usage_key
LEFT JOIN dim_support_ticket t ON t.ticket_key = a.ticket_key
LEFT JOIN dim_offer o ON o.offer_key = a.offer_key
LEFT JOIN usage_lines ru ON a.activity_type = 'usage' AND ru.event_id = a.source_id
LEFT JOIN ticket_lines rt ON a.activity_type = 'ticket' AND CAST(rt.ticket_id AS VARCHAR) = a.source_id
WHERE a.customer_id = CAST($1 AS BIGINT)
ORDER BY a.occurred_at DESC, a.source_id
LIMIT 500
