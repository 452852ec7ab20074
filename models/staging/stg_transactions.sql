-- model: stg_transactions
-- description: Staging (the data contract's input): The transactions: one row per transaction (transaction_id unique). Reads raw.sic_transactions, the demo's
--   dataset. Edit it to map your own raw dataset: select, rename and cast into these columns (types may
--   widen, e.g. INTEGER for BIGINT), and pass _batch_id through from the raw view (incremental builds
--   read the new batches through it). docs/warehouse.md, "Your own data".
-- materialized: view
-- column transaction_id: the transaction id (BIGINT, unique)
-- column customer_id: the customer (BIGINT)
-- column ts: when (TIMESTAMPTZ)
-- column amount: money moved, refunds negative (DECIMAL(12,2) or narrower)
-- column currency: ISO currency code
-- column kind: subscription, purchase or refund
-- column payment_method: payment method
-- column offer_id: the offer used, NULL if none (BIGINT)
-- column updated_at: when the row last changed (TIMESTAMPTZ)
-- column _batch_id: the lake batch of the raw row (select it from the raw view as it is)
SELECT transaction_id,
       customer_id,
       ts,
       amount,
       currency,
       kind,
       payment_method,
       offer_id,
       updated_at,
       {{ ident(_batch_id) }}
FROM raw.sic_transactions
