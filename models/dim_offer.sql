-- model: dim_offer
-- description: Campaigns and their offers, one row per offer of stg_offers (a full import each
--   time, so the dimension is rebuilt whole). offer_key is the operational offer_id.
-- materialized: table
-- grain: one row per offer
-- column offer_key: key facts use; equals offer_id
-- column offer_id: SIC offers.offer_id
-- column name: offer name
-- column campaign: the campaign the offer belongs to
-- column channel: email, sms, push or call
-- column offer_type: discount, upgrade, ... as recorded
-- column discount_pct: discount in percent (DECIMAL)
-- column start_date: first day the offer runs
-- column end_date: last day the offer runs
-- column target_segment: the customer segment it targets
-- column duration_days: end_date - start_date + 1
-- check unique: offer_key
-- check not_null: offer_key, offer_id
SELECT offer_id AS offer_key, offer_id, name, campaign, channel, offer_type,
       CAST(discount_pct AS DECIMAL(9,2)) AS discount_pct, start_date, end_date, target_segment,
       CAST({{ days_between(start_date, end_date) }} + 1 AS INTEGER) AS duration_days
FROM (
  SELECT *, row_number() OVER (PARTITION BY offer_id ORDER BY {{ ident(_batch_id) }} DESC) AS copy_rank
  FROM stg_offers
  WHERE offer_id IS NOT NULL
) o
WHERE copy_rank = 1
ORDER BY offer_id
