-- model: dim_support_ticket
-- description: Support tickets, one row per ticket of raw/tickets, with resolution time, satisfaction
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
-- column first_message_at: time of the first message
-- column last_message_at: time of the last message
-- check unique: ticket_key
-- check not_null: ticket_key, customer_id, opened_at, message_count
-- check satisfaction_in_range: SELECT ticket_id, satisfaction FROM dim_support_ticket
--   WHERE satisfaction IS NOT NULL AND satisfaction NOT BETWEEN 1 AND 5
-- check closed_after_opened: SELECT ticket_id, opened_at, closed_at FROM dim_support_ticket WHERE closed_at < opened_at
SELECT ticket_id AS ticket_key, ticket_id, customer_id, opened_at, closed_at, channel, category, priority, status,
       CAST(satisfaction AS INTEGER) AS satisfaction,
       CAST(round(date_diff('second', opened_at, closed_at) / 3600.0, 2) AS DECIMAL(12,2)) AS resolution_hours,
       CAST(coalesce(len(messages), 0) AS INTEGER) AS message_count,
       CAST(coalesce(len(list_filter(messages, m -> m.author = 'customer')), 0) AS INTEGER) AS customer_message_count,
       TRY_CAST(list_min(list_transform(messages, m -> m.ts)) AS TIMESTAMPTZ) AS first_message_at,
       TRY_CAST(list_max(list_transform(messages, m -> m.ts)) AS TIMESTAMPTZ) AS last_message_at
FROM raw.tickets
WHERE ticket_id IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY ticket_id ORDER BY _batch_id DESC, opened_at DESC) = 1
ORDER BY ticket_id
