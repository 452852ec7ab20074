-- model: stg_offer_assignments
-- description: Staging (the data contract's input): Offers sent to customers: one row per assignment version (an answer is a new updated_at). Reads raw.sic_offer_assignments, the demo's
--   dataset. Edit it to map your own raw dataset: select, rename and cast into these columns (types may
--   widen, e.g. INTEGER for BIGINT), and pass _batch_id through from the raw view (incremental builds
--   read the new batches through it). docs/warehouse.md, "Your own data".
-- materialized: view
-- column assignment_id: the assignment id (BIGINT)
-- column offer_id: the offer (BIGINT)
-- column customer_id: the customer (BIGINT)
-- column sent_at: when it was sent (TIMESTAMPTZ)
-- column responded_at: when the customer answered (TIMESTAMPTZ), NULL if not
-- column redeemed: the customer redeemed it (BOOLEAN)
-- column updated_at: when the row last changed (TIMESTAMPTZ)
-- column _batch_id: the lake batch of the raw row (select it from the raw view as it is)
SELECT assignment_id,
       offer_id,
       customer_id,
       sent_at,
       responded_at,
       redeemed,
       updated_at,
       {{ ident(_batch_id) }}
FROM raw.sic_offer_assignments
