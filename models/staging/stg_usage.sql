-- model: stg_usage
-- description: Staging (the data contract's input): Product usage events: one row per event (event_id unique). Reads raw.usage, the demo's
--   dataset. Edit it to map your own raw dataset: select, rename and cast into these columns (types may
--   widen, e.g. INTEGER for BIGINT), and pass _batch_id through from the raw view (incremental builds
--   read the new batches through it). docs/warehouse.md, "Your own data".
-- materialized: view
-- column event_id: the event id (VARCHAR, unique)
-- column customer_id: the customer (BIGINT)
-- column ts: when (TIMESTAMPTZ)
-- column event_type: session_start, feature_use, ...
-- column feature: product feature
-- column device: desktop, mobile, ...
-- column duration_s: seconds of usage (BIGINT)
-- column bytes: bytes transferred (BIGINT)
-- column app_version: app version
-- column _batch_id: the lake batch of the raw row (select it from the raw view as it is)
SELECT event_id,
       customer_id,
       ts,
       event_type,
       feature,
       device,
       duration_s,
       bytes,
       app_version,
       {{ ident(_batch_id) }}
FROM raw.usage
