-- model: stg_offers
-- description: Staging (the data contract's input): The retention offers: one row per offer (offer_id unique). Reads raw.sic_offers, the demo's
--   dataset. Edit it to map your own raw dataset: select, rename and cast into these columns (types may
--   widen, e.g. INTEGER for BIGINT), and pass _batch_id through from the raw view (incremental builds
--   read the new batches through it). docs/warehouse.md, "Your own data".
-- materialized: view
-- column offer_id: the offer id (BIGINT, unique)
-- column name: offer name
-- column campaign: campaign
-- column channel: email, sms, push or call
-- column offer_type: discount, upgrade, ...
-- column discount_pct: discount in percent (DECIMAL(5,2) or narrower)
-- column start_date: first day (DATE)
-- column end_date: last day (DATE)
-- column target_segment: the segment it targets
-- column _batch_id: the lake batch of the raw row (select it from the raw view as it is)
SELECT offer_id,
       name,
       campaign,
       channel,
       offer_type,
       discount_pct,
       start_date,
       end_date,
       target_segment,
       {{ ident(_batch_id) }}
FROM raw.sic_offers
