-- model: dim_support_ticket
-- description: Support tickets, one row per ticket of stg_tickets, with resolution time, satisfaction
--   and what the nested messages say (count, first response). ticket_key is the ticket_id.
-- materialized: table
-- grain: one row per ticket
-- column ticket_key: key facts use; equals ticket_id
-- column ticket_id: the ticket's id in the support system
-- column customer_id: the customer who opened it
-- column opened_at: when it was opened
-- column closed_at: when it was closed (null while open)
-- column channel: chat, email, phone, ...
-- column category: billing, technical, ...
-- column priority: low, medium, high, ...
-- column status: open, closed, ...
-- column satisfaction: the customer's rating 1-5, null if not rated
-- column resolution_hours: hours from opened_at to closed_at (null while open)
-- column message_count: number of messages in the thread
-- column customer_message_count: messages whose author is the customer
-- column first_message_at: time of the first message (ISO text or epoch digits in the file, parsed)
-- column last_message_at: time of the last message (the latest, by time, not by text)
-- check unique: ticket_key
-- check not_null: ticket_key, customer_id, opened_at, message_count
-- check satisfaction_in_range: SELECT ticket_id, satisfaction FROM dim_support_ticket
--   WHERE satisfaction IS NOT NULL AND satisfaction NOT BETWEEN 1 AND 5
-- check closed_after_opened: SELECT ticket_id, opened_at, closed_at FROM dim_support_ticket WHERE closed_at < opened_at
WITH latest AS (
  -- One row per ticket: the newest batch's copy (a ticket re-delivered after an update).
  SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY ticket_id ORDER BY {{ ident(_batch_id) }} DESC, opened_at DESC) AS copy_rank
    FROM stg_tickets
    WHERE ticket_id IS NOT NULL
  ) t
  WHERE copy_rank = 1
),
messages AS (
  -- Message times arrive as ISO text or epoch digits (the landing files' mess): parsed, then min/max.
  SELECT l.ticket_id,
         count(*) AS message_count,
         count(CASE WHEN m.author = 'customer' THEN 1 END) AS customer_message_count,
         min({{ parse_timestamp(m.ts) }}) AS first_message_at,
         max({{ parse_timestamp(m.ts) }}) AS last_message_at
  FROM latest l {{ unnest_fields(l.messages, m, ts, author, body) }}
  GROUP BY l.ticket_id
)
SELECT l.ticket_id AS ticket_key, l.ticket_id, l.customer_id, l.opened_at, l.closed_at, l.channel, l.category,
       l.priority, l.status,
       CAST(l.satisfaction AS INTEGER) AS satisfaction,
       CAST(round({{ seconds_between(l.opened_at, l.closed_at) }} / 3600.0, 2) AS DECIMAL(12,2)) AS resolution_hours,
       CAST(coalesce(m.message_count, 0) AS INTEGER) AS message_count,
       CAST(coalesce(m.customer_message_count, 0) AS INTEGER) AS customer_message_count,
       CAST(m.first_message_at AS {{ type_timestamp() }}) AS first_message_at,
       CAST(m.last_message_at AS {{ type_timestamp() }}) AS last_message_at
FROM latest l
LEFT JOIN messages m ON m.ticket_id = l.ticket_id
ORDER BY l.ticket_id
