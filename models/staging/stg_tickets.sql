-- model: stg_tickets
-- description: Staging (the data contract's input): Support tickets: one row per ticket (ticket_id unique), messages nested. Reads raw.tickets, the demo's
--   dataset. Edit it to map your own raw dataset: select, rename and cast into these columns (types may
--   widen, e.g. INTEGER for BIGINT), and pass _batch_id through from the raw view (incremental builds
--   read the new batches through it). docs/warehouse.md, "Your own data".
-- materialized: view
-- column ticket_id: the ticket id (BIGINT, unique)
-- column customer_id: the customer (BIGINT)
-- column opened_at: opened (TIMESTAMPTZ)
-- column closed_at: closed (TIMESTAMPTZ), NULL while open
-- column channel: chat, email, phone, ...
-- column category: billing, technical, ...
-- column priority: low, medium, high, ...
-- column status: open, closed, ...
-- column satisfaction: rating 1-5 (BIGINT), NULL if none
-- column messages: the thread: a list of STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)
-- column _batch_id: the lake batch of the raw row (select it from the raw view as it is)
SELECT ticket_id,
       customer_id,
       opened_at,
       closed_at,
       channel,
       category,
       priority,
       status,
       satisfaction,
       messages,
       {{ ident(_batch_id) }}
FROM raw.tickets
