-- model: fact_customer_activity
-- description: One row per customer action or interaction: a usage event, a transaction (subscription,
--   purchase or refund), a support ticket opened, an offer sent and an offer redeemed. Each row is keyed
--   to the customer version valid at occurred_at (point in time against the SCD2 dim_customer), to the
--   day, and to the usage kind, offer or ticket it concerns. Incremental builds append the rows of raw
--   batches committed since the last build (late events land in their own month); sources that are
--   re-imported whole replace their rows. Offer rows come from the latest version of each assignment
--   (a lastmodified import keeps one per answer): a new version replaces the rows of the older one.
-- materialized: append
-- replace_key: source_dataset
-- partition_by: month_start
-- post_incremental_partitions: SELECT DISTINCT month_start FROM fact_customer_activity
--   WHERE customer_id IN (SELECT customer_id FROM delta.stg_customers)
--   OR (activity_type IN ('offer_sent', 'offer_redeemed')
--       AND source_id IN (SELECT CAST(assignment_id AS VARCHAR) FROM delta.stg_offer_assignments))
-- post_incremental_rows: activity_type IN ('offer_sent', 'offer_redeemed')
--   AND source_id IN (SELECT CAST(assignment_id AS VARCHAR) FROM delta.stg_offer_assignments)
-- post_incremental_rows: customer_id IN (SELECT customer_id FROM delta.stg_customers)
--   AND EXISTS (SELECT 1 FROM dim_customer d WHERE d.customer_id = fact_customer_activity.customer_id
--     AND fact_customer_activity.occurred_at >= d.valid_from AND fact_customer_activity.occurred_at < d.valid_to
--     AND d.customer_key IS DISTINCT FROM fact_customer_activity.customer_key)
-- grain: one row per (activity_type, source_id)
-- column activity_type: usage, transaction, ticket, offer_sent or offer_redeemed
-- column source_id: the source's id: event_id, transaction_id, ticket_id or assignment_id (text)
-- column customer_id: the operational customer id
-- column customer_key: dim_customer version valid at occurred_at
-- column date_key: dim_date key of the day (UTC) of occurred_at
-- column month_start: first day of the month of occurred_at; Parquet partition month=YYYY-MM
-- column occurred_at: when it happened (UTC)
-- column usage_key: dim_usage key (usage events only)
-- column offer_key: dim_offer key (offers, and transactions that used an offer)
-- column ticket_key: dim_support_ticket key (tickets only)
-- column transaction_kind: subscription, purchase or refund (transactions only)
-- column payment_method: payment method (transactions only)
-- column amount: money moved, refunds negative (DECIMAL(18,2), transactions only, else 0)
-- column duration_s: seconds of usage (usage only, else 0)
-- column bytes: bytes transferred (usage only, else 0)
-- column app_version: app version of a usage event
-- column source_dataset: the staging model the row comes from (stg_usage, stg_transactions, stg_tickets, stg_offer_assignments)
-- column source_batch_id: the lake batch that committed the source row (lineage)
-- check unique: activity_type, source_id
-- check not_null: activity_type, source_id, customer_id, customer_key, date_key, month_start, occurred_at
-- check relationship: customer_key -> dim_customer.customer_key
-- check relationship: date_key -> dim_date.date_key
-- check relationship: usage_key -> dim_usage.usage_key
-- check relationship: offer_key -> dim_offer.offer_key
-- check relationship: ticket_key -> dim_support_ticket.ticket_key
-- check point_in_time: SELECT f.activity_type, f.source_id, f.customer_id, f.occurred_at FROM changed.fact_customer_activity f
--   JOIN dim_customer d ON d.customer_key = f.customer_key
--   WHERE d.customer_id <> f.customer_id OR f.occurred_at < d.valid_from OR f.occurred_at >= d.valid_to
-- check reconcile_usage_events: SELECT r.n AS raw_events, f.n AS fact_events FROM
--   (SELECT count(*) AS n FROM changed.stg_usage) r, (SELECT count(*) AS n FROM changed.fact_customer_activity WHERE activity_type = 'usage') f
--   WHERE r.n <> f.n
-- check reconcile_transactions_to_the_cent: SELECT r.n AS raw_rows, f.n AS fact_rows, r.amount AS raw_amount, f.amount AS fact_amount FROM
--   (SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount FROM changed.stg_transactions) r,
--   (SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount FROM changed.fact_customer_activity WHERE activity_type = 'transaction') f
--   WHERE r.n <> f.n OR r.amount <> f.amount
-- check reconcile_tickets: SELECT r.n AS raw_tickets, f.n AS fact_tickets FROM
--   (SELECT count(DISTINCT ticket_id) AS n FROM stg_tickets) r, (SELECT count(*) AS n FROM fact_customer_activity WHERE activity_type = 'ticket') f
--   WHERE r.n <> f.n
-- check reconcile_offers: SELECT r.sent, f.sent, r.redeemed, f.redeemed FROM
--   (SELECT count(*) AS sent, count(*) FILTER (WHERE redeemed) AS redeemed FROM
--      (SELECT redeemed, row_number() OVER (PARTITION BY assignment_id ORDER BY updated_at DESC, {{ ident(_batch_id) }} DESC) AS latest
--       FROM stg_offer_assignments) v WHERE latest = 1) r,
--   (SELECT count(*) FILTER (WHERE activity_type = 'offer_sent') AS sent, count(*) FILTER (WHERE activity_type = 'offer_redeemed') AS redeemed FROM fact_customer_activity) f
--   WHERE r.sent <> f.sent OR r.redeemed <> f.redeemed
-- check freshness: occurred_at within 2 days where activity_type = 'usage'
-- check freshness_usage: SELECT (SELECT max(ts) FROM changed.stg_usage) AS raw_newest,
--   (SELECT max(occurred_at) FROM changed.fact_customer_activity WHERE activity_type = 'usage') AS fact_newest
--   WHERE raw_newest IS DISTINCT FROM fact_newest
WITH offer_assignments AS (
  SELECT assignment_id, offer_id, customer_id, sent_at, responded_at, redeemed, batch_id
  FROM (
    SELECT assignment_id, offer_id, customer_id, sent_at, responded_at, redeemed, {{ ident(_batch_id) }} AS batch_id,
           row_number() OVER (PARTITION BY assignment_id ORDER BY updated_at DESC, {{ ident(_batch_id) }} DESC) AS latest
    FROM stg_offer_assignments
  ) v
  WHERE latest = 1
),
activity AS (
  SELECT 'usage' AS activity_type, event_id AS source_id, customer_id, ts AS occurred_at,
         {{ hash_key(coalesce(event_type, '(unknown)') || '|' || coalesce(feature, '(unknown)') || '|' ||
                     coalesce(device, '(unknown)')) }} AS usage_key,
         CAST(NULL AS BIGINT) AS offer_key, CAST(NULL AS BIGINT) AS ticket_key,
         CAST(NULL AS {{ type_string() }}) AS transaction_kind, CAST(NULL AS {{ type_string() }}) AS payment_method,
         CAST(0 AS DECIMAL(18,2)) AS amount, coalesce(duration_s, 0) AS duration_s, coalesce(bytes, 0) AS bytes,
         app_version, 'stg_usage' AS source_dataset, {{ ident(_batch_id) }} AS source_batch_id
  FROM stg_usage
  UNION ALL
  SELECT 'transaction', {{ to_text(transaction_id) }}, customer_id, ts, NULL, offer_id, NULL, kind, payment_method,
         CAST(amount AS DECIMAL(18,2)), 0, 0, NULL, 'stg_transactions', {{ ident(_batch_id) }}
  FROM stg_transactions
  UNION ALL
  SELECT 'ticket', {{ to_text(ticket_id) }}, customer_id, opened_at, NULL, NULL, ticket_id, NULL, NULL,
         0, 0, 0, NULL, 'stg_tickets', {{ ident(_batch_id) }}
  FROM stg_tickets
  UNION ALL
  SELECT 'offer_sent', {{ to_text(assignment_id) }}, customer_id, sent_at, NULL, offer_id, NULL, NULL, NULL,
         0, 0, 0, NULL, 'stg_offer_assignments', batch_id
  FROM offer_assignments
  UNION ALL
  SELECT 'offer_redeemed', {{ to_text(assignment_id) }}, customer_id, coalesce(responded_at, sent_at), NULL, offer_id,
         NULL, NULL, NULL, 0, 0, 0, NULL, 'stg_offer_assignments', batch_id
  FROM offer_assignments
  WHERE redeemed
)
SELECT a.activity_type, a.source_id, a.customer_id, d.customer_key,
       {{ date_key(utc(a.occurred_at)) }} AS date_key,
       {{ trunc_date(month, utc(a.occurred_at)) }} AS month_start,
       a.occurred_at, a.usage_key, a.offer_key, a.ticket_key, a.transaction_kind, a.payment_method,
       a.amount, CAST(a.duration_s AS BIGINT) AS duration_s, CAST(a.bytes AS BIGINT) AS bytes, a.app_version,
       a.source_dataset, CAST(a.source_batch_id AS BIGINT) AS source_batch_id
FROM activity a
LEFT JOIN dim_customer d
  ON d.customer_id = a.customer_id AND a.occurred_at >= d.valid_from AND a.occurred_at < d.valid_to
-- @post_incremental
-- Assignments with a new version (an answer): the rows of the older version give way to the new ones.
DELETE FROM fact_customer_activity
WHERE activity_type IN ('offer_sent', 'offer_redeemed')
  AND source_id IN (SELECT CAST(assignment_id AS VARCHAR) FROM delta.stg_offer_assignments)
  AND source_batch_id NOT IN (SELECT _batch_id FROM delta.stg_offer_assignments);
-- Customers with new versions: re-key their facts to the version valid at each fact's moment, so an
-- incremental build equals a full one even when a version arrives after facts it covers.
UPDATE fact_customer_activity AS f SET customer_key = d.customer_key
FROM dim_customer AS d
WHERE f.customer_id IN (SELECT customer_id FROM delta.stg_customers)
  AND d.customer_id = f.customer_id AND f.occurred_at >= d.valid_from AND f.occurred_at < d.valid_to
  AND f.customer_key IS DISTINCT FROM d.customer_key
