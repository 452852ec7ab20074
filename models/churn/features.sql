-- model: churn_features
-- description: One row per cutoff and customer active at the end of the cutoff day (signed up on or
--   before it, not churned by it), with the churn model's features computed only from what was known
--   then, and the label: churned within the horizon after the cutoff. Reads the current warehouse
--   version. All the cutoffs in one pass over the facts of each share of the customers: the activity
--   facts are summed by customer and day, and each day joined to the cutoffs whose 365-day window holds
--   it (as days_ago). Attributes come from the dim_customer version valid at the end of the cutoff day
--   (SCD2), activity from fact_customer_activity rows that occurred before it, tickets as they stood
--   then (a ticket closed after the cutoff was still open). The current dim_customer version gives only
--   the label and who was alive at the cutoff (its churn_date).
-- steps: the statements below run in order in one session. Each `CREATE TABLE` makes a scratch table
--   that the later ones read (dropped when the features are in); the one that uses {{ customers }} runs
--   once per share of the customers (a range of customer_id, several at a time, each adding its rows),
--   so only the running shares' per-customer aggregates are in memory; the last statement returns the
--   rows. Features relative to a customer's segment are computed last, over
--   every customer's rows.
-- parameters: {{ cutoffs }} (a list of DATE literals), {{ horizon_days }} (INTEGER), {{ customers }} (a
--   condition on customer_id choosing a share of the customers); `custlake churn` fills them. A
--   cutoff's rows are the same whichever other cutoffs share the pass.
-- grain: one row per cutoff and customer_id, in no particular order (`custlake churn` orders each
--   cutoff's rows by customer_id itself: a sort of the whole result in DuckDB held every row in memory)
-- column customer_id: the operational customer id
-- column cutoff: the cutoff (DATE) the row's features and label are for
-- column label: 1 if the customer churned within horizon_days after the cutoff, else 0
-- feature tenure_days: days from signup to the cutoff
-- feature contract_months: contract length in months (monthly 1, annual 12, two_year 24)
-- feature segment_smb: 1 for the smb segment
-- feature segment_enterprise: 1 for the enterprise segment
-- feature monthly_fee: the plan's monthly fee
-- feature fee_vs_segment: monthly fee against the median fee of the customer's segment (the plan's level)
-- feature last_charge: the last subscription charge before the cutoff
-- feature revenue_30d: revenue in the last 30 days (refunds negative)
-- feature revenue_90d: revenue in the last 90 days
-- feature revenue_trend_90d: revenue of the last 90 days minus the 90 days before
-- feature usage_events_30d: usage events in the last 30 days
-- feature usage_events_prev_30d: usage events 30 to 60 days before the cutoff
-- feature usage_events_60_90d: usage events 60 to 90 days before the cutoff
-- feature usage_events_90d: usage events in the last 90 days
-- feature usage_trend_30d: ln((events last 30 days + 1) / (events of the 30 days before + 1))
-- feature usage_trend_90d: ln((events last 30 days + 1) / (events 60 to 90 days before + 1))
-- feature usage_trend_180d: ln((events last 90 days + 1) / (events of the 90 days before + 1)); missing
--   when the usage data begins less than 180 days before the cutoff (a short history is not a trend)
-- feature usage_hours_30d: hours of usage in the last 30 days
-- feature active_days_30d: days with usage in the last 30 days
-- feature active_days_90d: days with usage in the last 90 days
-- feature active_days_180d: days with usage in the last 180 days (the customer's usual level); missing
--   when the usage data begins less than 180 days before the cutoff
-- feature active_days_prev_30d: days with usage 30 to 60 days before the cutoff
-- feature active_days_60_90d: days with usage 60 to 90 days before the cutoff
-- feature activity_trend_30d: ln((active days of the last 30 + 1) / (active days of the 30 before + 1))
-- feature activity_trend_90d: ln((active days of the last 30 + 1) / (active days 60 to 90 days before + 1))
-- feature activity_vs_segment: active days of the last 30 against the mean of the customer's segment
-- feature days_since_last_use: recency: days since the last usage event (the window's length if none)
-- feature purchases_180d: frequency: purchases in the last 180 days
-- feature purchase_amount_180d: monetary: purchase amount in the last 180 days
-- feature days_since_last_purchase: days since the last purchase (365 if none within a year)
-- feature refunds_90d: refunds in the last 90 days
-- feature tickets_30d: support tickets opened in the last 30 days
-- feature tickets_90d: support tickets opened in the last 90 days
-- feature unresolved_tickets: tickets opened before the cutoff and not closed by it
-- feature last_satisfaction: rating (1-5) of the last rated ticket closed before the cutoff (missing if none)
-- feature avg_satisfaction: mean rating of the tickets closed in the last 180 days (missing if none)
-- feature offers_received_30d: offers sent in the last 30 days
-- feature offers_received_90d: offers sent in the last 90 days
-- feature offers_redeemed_90d: offers redeemed in the last 90 days
-- feature days_since_offer_redeemed: days since the last redeemed offer (365 if none within a year)
-- feature retention_offers_30d: offers of a retention campaign (dim_offer.campaign mentions retention) sent
--   in the last 30 days: the retention team judged the customer at risk
-- feature retention_offers_90d: offers of a retention campaign sent in the last 90 days
-- feature cancellation_tickets_90d: tickets of the category cancellation opened in the last 90 days
-- feature engagement_month_0: engagement in the cutoff's calendar month (up to the cutoff):
--   ln((active days + 2) / (days a customer in it x the segment's daily activity rate + 2)); 0 is the
--   segment's usual level (missing before the usage data begins)
-- feature engagement_month_1: the same for the calendar month before
-- feature engagement_month_2: the same for the month before that
-- feature low_engagement: how far the cutoff month's engagement is below the usual level,
--   max(0, -engagement_month_0)
-- feature engagement_decline: the drop over two months, max(0, engagement_month_2 - engagement_month_0)

-- Each cutoff with its day numbers and calendar months.
CREATE TABLE cutoffs AS
SELECT cutoff,
       CAST(cutoff + INTERVAL 1 DAY AS TIMESTAMPTZ) AS cutoff_end,
       -- The starts of the tickets' windows (computed here once, not per ticket).
       CAST(cutoff + INTERVAL 1 DAY AS TIMESTAMPTZ) - INTERVAL 30 DAY AS start_30d,
       CAST(cutoff + INTERVAL 1 DAY AS TIMESTAMPTZ) - INTERVAL 90 DAY AS start_90d,
       CAST(cutoff + INTERVAL 1 DAY AS TIMESTAMPTZ) - INTERVAL 180 DAY AS start_180d,
       -- The cutoff's day as whole UTC days since 1970 (the facts' days below are numbered alike).
       CAST(epoch_us(CAST(cutoff + INTERVAL 1 DAY AS TIMESTAMPTZ)) // 86400000000 - 1 AS INTEGER) AS cutoff_day,
       CAST({{ horizon_days }} AS INTEGER) AS horizon_days,
       CAST(date_trunc('month', cutoff) + INTERVAL 1 MONTH AS DATE) AS month_after,
       CAST(date_trunc('month', cutoff) AS DATE) AS cutoff_month,
       CAST(date_trunc('month', cutoff) - INTERVAL 1 MONTH AS DATE) AS month_before,
       CAST(date_trunc('month', cutoff) - INTERVAL 2 MONTH AS DATE) AS two_months_before
FROM (SELECT DISTINCT CAST(unnest({{ cutoffs }}) AS DATE) AS cutoff);

-- Each cutoff with the 365 days it looks back on: days_ago 0 is the cutoff day itself. Joining a fact's
-- day to these (an equality) gives it to exactly the cutoffs it is before, within a year. The first days
-- of the cutoff's calendar month and of the two before, numbered as the days are.
CREATE TABLE window_days AS
SELECT p.cutoff, p.cutoff_day - CAST(k.days_ago AS INTEGER) AS day, CAST(k.days_ago AS INTEGER) AS days_ago,
       CAST(date_diff('day', DATE '1970-01-01', p.cutoff_month) AS INTEGER) AS month_0_day,
       CAST(date_diff('day', DATE '1970-01-01', p.month_before) AS INTEGER) AS month_1_day,
       CAST(date_diff('day', DATE '1970-01-01', p.two_months_before) AS INTEGER) AS month_2_day
FROM cutoffs p CROSS JOIN range(365) AS k(days_ago);

-- The first day of usage data before each cutoff, over every customer: months before it are unknown,
-- not idle. (NULL when there is no usage.)
CREATE TABLE usage_start AS
WITH usage_dates AS (
  SELECT DISTINCT CAST(epoch_us(occurred_at) // 86400000000 AS INTEGER) AS day
  FROM fact_customer_activity
  WHERE activity_type = 'usage'
    AND occurred_at < (SELECT max(cutoff_end) FROM cutoffs)
    AND occurred_at >= (SELECT min(cutoff_end) FROM cutoffs) - INTERVAL 365 DAY
)
SELECT p.cutoff, p.cutoff - CAST(max(u.days_ago) AS INTEGER) AS first_day
FROM cutoffs p
LEFT JOIN (SELECT w.cutoff, w.days_ago FROM window_days w JOIN usage_dates d USING (day)) u USING (cutoff)
GROUP BY p.cutoff;

-- Each customer of a share at each cutoff, one row: its attributes, its usage, money, offers and
-- tickets, and the days of each of the last three calendar months (the cutoff's month up to the cutoff)
-- in which it was a customer and usage data exists (NULL when none).
CREATE TABLE customer_rows AS
WITH population AS (
  SELECT p.cutoff, c.customer_id, c.signup_date, c.churn_date
  FROM dim_customer c JOIN cutoffs p ON c.signup_date <= p.cutoff AND (c.churn_date IS NULL OR c.churn_date > p.cutoff)
  WHERE c.is_current AND {{ customers }}
),
attributes AS (
  -- The version valid at the end of the cutoff day.
  SELECT p.cutoff, d.customer_id, d.segment, d.contract, CAST(d.monthly_fee AS DOUBLE) AS monthly_fee
  FROM dim_customer d JOIN cutoffs p ON d.valid_from <= p.cutoff_end AND d.valid_to > p.cutoff_end
  WHERE {{ customers }}
),
recent_activity AS NOT MATERIALIZED (
  -- The share's activity facts of the 365 days before the latest cutoff, read once for every cutoff
  -- (streamed into the aggregates below, not held in memory), with their whole UTC day since 1970.
  SELECT f.customer_id, f.activity_type, f.transaction_kind, f.amount, f.duration_s, f.occurred_at, f.offer_key,
         CAST(epoch_us(f.occurred_at) // 86400000000 AS INTEGER) AS day
  FROM fact_customer_activity f
  WHERE f.occurred_at < (SELECT max(cutoff_end) FROM cutoffs)
    AND f.occurred_at >= (SELECT min(cutoff_end) FROM cutoffs) - INTERVAL 365 DAY
    AND {{ customers }}
),
usage_days AS (
  -- One row per customer and day with usage (once for all cutoffs): active days are then counted
  -- without DISTINCT. Counts and seconds as DOUBLE: whole numbers, so their sums are exact (and in
  -- any order), and cheaper than BIGINT's 128-bit sums.
  SELECT customer_id, day, CAST(count(*) AS DOUBLE) AS events, sum(CAST(duration_s AS DOUBLE)) AS duration_s
  FROM recent_activity WHERE activity_type = 'usage'
  GROUP BY customer_id, day
),
usage AS (
  SELECT w.cutoff, u.customer_id,
         CAST(sum(u.events) FILTER (WHERE w.days_ago < 30) AS BIGINT) AS usage_events_30d,
         CAST(sum(u.events) FILTER (WHERE w.days_ago >= 30 AND w.days_ago < 60) AS BIGINT) AS usage_events_prev_30d,
         CAST(sum(u.events) FILTER (WHERE w.days_ago >= 60 AND w.days_ago < 90) AS BIGINT) AS usage_events_60_90d,
         CAST(sum(u.events) FILTER (WHERE w.days_ago >= 90 AND w.days_ago < 180) AS BIGINT) AS usage_events_prev_90d,
         coalesce(sum(u.duration_s) FILTER (WHERE w.days_ago < 30), 0) / 3600.0 AS usage_hours_30d,
         count(*) FILTER (WHERE w.days_ago < 30) AS active_days_30d,
         count(*) FILTER (WHERE w.days_ago >= 30 AND w.days_ago < 60) AS active_days_prev_30d,
         count(*) FILTER (WHERE w.days_ago >= 60 AND w.days_ago < 90) AS active_days_60_90d,
         count(*) FILTER (WHERE w.days_ago >= 90 AND w.days_ago < 180) AS active_days_90_180d,
         count(*) FILTER (WHERE u.day >= w.month_0_day) AS active_days_month_0,
         count(*) FILTER (WHERE u.day >= w.month_1_day AND u.day < w.month_0_day) AS active_days_month_1,
         count(*) FILTER (WHERE u.day >= w.month_2_day AND u.day < w.month_1_day) AS active_days_month_2,
         min(w.days_ago) AS days_since_last_use
  FROM usage_days u JOIN window_days w ON w.day = u.day
  GROUP BY w.cutoff, u.customer_id
),
customers AS (
  SELECT c.cutoff, c.customer_id, c.signup_date, c.churn_date, us.first_day,
         a.segment, a.contract, a.monthly_fee, u.* EXCLUDE (cutoff, customer_id, active_days_90_180d),
         -- The longer windows are sums of the disjoint ones (fewer aggregates over the usage days).
         coalesce(u.usage_events_30d, 0) + coalesce(u.usage_events_prev_30d, 0) + coalesce(u.usage_events_60_90d, 0)
           AS usage_events_90d,
         u.active_days_30d + u.active_days_prev_30d + u.active_days_60_90d AS active_days_90d,
         u.active_days_30d + u.active_days_prev_30d + u.active_days_60_90d + u.active_days_90_180d AS active_days_180d,
         nullif(greatest(0, date_diff('day', greatest(p.cutoff_month, c.signup_date, us.first_day),
                                      least(p.month_after - 1, p.cutoff)) + 1), 0) AS days_month_0,
         nullif(greatest(0, date_diff('day', greatest(p.month_before, c.signup_date, us.first_day),
                                      least(p.cutoff_month - 1, p.cutoff)) + 1), 0) AS days_month_1,
         nullif(greatest(0, date_diff('day', greatest(p.two_months_before, c.signup_date, us.first_day),
                                      least(p.month_before - 1, p.cutoff)) + 1), 0) AS days_month_2
  FROM population c
  JOIN cutoffs p USING (cutoff)
  JOIN usage_start us USING (cutoff)
  LEFT JOIN attributes a USING (cutoff, customer_id)
  LEFT JOIN usage u USING (cutoff, customer_id)
),
transactions AS NOT MATERIALIZED (
  -- Each transaction once, before the fan-out: its amount in whole cents as a DOUBLE (exact, so the sums
  -- below are exact and the same in any order, and cheaper than DECIMAL's 128-bit sums) and its kind as flags.
  SELECT customer_id, day, occurred_at, amount, CAST(amount * 100 AS DOUBLE) AS cents,
         transaction_kind = 'subscription' AS is_subscription, transaction_kind = 'purchase' AS is_purchase,
         transaction_kind = 'refund' AS is_refund
  FROM recent_activity WHERE activity_type = 'transaction'
),
money AS (
  SELECT w.cutoff, f.customer_id,
         coalesce(sum(f.cents) FILTER (WHERE w.days_ago < 30), 0) / 100 AS revenue_30d,
         coalesce(sum(f.cents) FILTER (WHERE w.days_ago < 90), 0) / 100 AS revenue_90d,
         coalesce(sum(f.cents) FILTER (WHERE w.days_ago >= 90 AND w.days_ago < 180), 0) / 100 AS revenue_prev_90d,
         arg_max(f.amount, f.occurred_at) FILTER (WHERE f.is_subscription) AS last_charge,
         count(*) FILTER (WHERE f.is_purchase AND w.days_ago < 180) AS purchases_180d,
         coalesce(sum(f.cents) FILTER (WHERE f.is_purchase AND w.days_ago < 180), 0) / 100 AS purchase_amount_180d,
         min(w.days_ago) FILTER (WHERE f.is_purchase) AS days_since_last_purchase,
         count(*) FILTER (WHERE f.is_refund AND w.days_ago < 90) AS refunds_90d
  FROM transactions f JOIN window_days w ON w.day = f.day
  GROUP BY w.cutoff, f.customer_id
),
offers AS (
  SELECT w.cutoff, f.customer_id,
         count(*) FILTER (WHERE f.activity_type = 'offer_sent' AND w.days_ago < 30) AS offers_received_30d,
         count(*) FILTER (WHERE f.activity_type = 'offer_sent' AND w.days_ago < 90) AS offers_received_90d,
         count(*) FILTER (WHERE f.activity_type = 'offer_redeemed' AND w.days_ago < 90) AS offers_redeemed_90d,
         min(w.days_ago) FILTER (WHERE f.activity_type = 'offer_redeemed') AS days_since_offer_redeemed,
         count(*) FILTER (WHERE f.activity_type = 'offer_sent' AND w.days_ago < 30 AND d.is_retention) AS retention_offers_30d,
         count(*) FILTER (WHERE f.activity_type = 'offer_sent' AND w.days_ago < 90 AND d.is_retention) AS retention_offers_90d
  FROM recent_activity f
  JOIN window_days w ON w.day = f.day
  LEFT JOIN (SELECT offer_key, lower(campaign) LIKE '%retention%' AS is_retention FROM dim_offer) d USING (offer_key)
  WHERE f.activity_type IN ('offer_sent', 'offer_redeemed')
  GROUP BY w.cutoff, f.customer_id
),
tickets AS (
  SELECT p.cutoff, t.customer_id,
         count(*) FILTER (WHERE t.opened_at >= p.start_30d) AS tickets_30d,
         count(*) FILTER (WHERE t.opened_at >= p.start_90d) AS tickets_90d,
         count(*) FILTER (WHERE t.closed_at IS NULL OR t.closed_at >= p.cutoff_end) AS unresolved_tickets,
         count(*) FILTER (WHERE t.opened_at >= p.start_90d AND t.category = 'cancellation')
           AS cancellation_tickets_90d,
         arg_max(t.satisfaction, t.closed_at)
           FILTER (WHERE t.closed_at < p.cutoff_end AND t.satisfaction IS NOT NULL) AS last_satisfaction,
         avg(t.satisfaction)
           FILTER (WHERE t.closed_at < p.cutoff_end AND t.closed_at >= p.start_180d)
           AS avg_satisfaction
  FROM dim_support_ticket t JOIN cutoffs p ON t.opened_at < p.cutoff_end
  WHERE {{ customers }}
  GROUP BY p.cutoff, t.customer_id
)
SELECT c.*, m.* EXCLUDE (cutoff, customer_id), o.* EXCLUDE (cutoff, customer_id), t.* EXCLUDE (cutoff, customer_id)
FROM customers c
LEFT JOIN money m ON m.cutoff = c.cutoff AND m.customer_id = c.customer_id
LEFT JOIN offers o ON o.cutoff = c.cutoff AND o.customer_id = c.customer_id
LEFT JOIN tickets t ON t.cutoff = c.cutoff AND t.customer_id = c.customer_id;

-- The features, over every customer's rows.
WITH segments AS (
  -- Each segment at each cutoff (its customers then): the median fee (the plans' level), the mean
  -- active days of the last 30, and the daily activity rate over the three calendar months.
  SELECT cutoff, segment, median(monthly_fee) AS median_fee,
         avg(coalesce(active_days_30d, 0)) AS mean_active_days,
         sum(coalesce(active_days_month_0, 0) + coalesce(active_days_month_1, 0) + coalesce(active_days_month_2, 0))
           / nullif(sum(coalesce(days_month_0, 0) + coalesce(days_month_1, 0) + coalesce(days_month_2, 0)), 0)
           AS daily_rate
  FROM customer_rows
  GROUP BY cutoff, segment
)
SELECT c.customer_id,
       c.cutoff,
       CASE WHEN c.churn_date <= p.cutoff + p.horizon_days THEN 1 ELSE 0 END AS label,
       CAST(date_diff('day', c.signup_date, p.cutoff) AS DOUBLE) AS tenure_days,
       CAST(CASE c.contract WHEN 'annual' THEN 12 WHEN 'two_year' THEN 24 ELSE 1 END AS DOUBLE) AS contract_months,
       CAST(CASE WHEN c.segment = 'smb' THEN 1 ELSE 0 END AS DOUBLE) AS segment_smb,
       CAST(CASE WHEN c.segment = 'enterprise' THEN 1 ELSE 0 END AS DOUBLE) AS segment_enterprise,
       c.monthly_fee,
       c.monthly_fee / nullif(s.median_fee, 0) AS fee_vs_segment,
       CAST(c.last_charge AS DOUBLE) AS last_charge,
       coalesce(c.revenue_30d, 0) AS revenue_30d,
       coalesce(c.revenue_90d, 0) AS revenue_90d,
       coalesce(c.revenue_90d, 0) - coalesce(c.revenue_prev_90d, 0) AS revenue_trend_90d,
       CAST(coalesce(c.usage_events_30d, 0) AS DOUBLE) AS usage_events_30d,
       CAST(coalesce(c.usage_events_prev_30d, 0) AS DOUBLE) AS usage_events_prev_30d,
       CAST(coalesce(c.usage_events_60_90d, 0) AS DOUBLE) AS usage_events_60_90d,
       CAST(coalesce(c.usage_events_90d, 0) AS DOUBLE) AS usage_events_90d,
       ln((coalesce(c.usage_events_30d, 0) + 1.0) / (coalesce(c.usage_events_prev_30d, 0) + 1.0)) AS usage_trend_30d,
       ln((coalesce(c.usage_events_30d, 0) + 1.0) / (coalesce(c.usage_events_60_90d, 0) + 1.0)) AS usage_trend_90d,
       CASE WHEN c.first_day <= p.cutoff - 179 THEN
         ln((coalesce(c.usage_events_90d, 0) + 1.0) / (coalesce(c.usage_events_prev_90d, 0) + 1.0)) END AS usage_trend_180d,
       CAST(coalesce(c.usage_hours_30d, 0) AS DOUBLE) AS usage_hours_30d,
       CAST(coalesce(c.active_days_30d, 0) AS DOUBLE) AS active_days_30d,
       CAST(coalesce(c.active_days_90d, 0) AS DOUBLE) AS active_days_90d,
       CASE WHEN c.first_day <= p.cutoff - 179 THEN CAST(coalesce(c.active_days_180d, 0) AS DOUBLE) END
         AS active_days_180d,
       CAST(coalesce(c.active_days_prev_30d, 0) AS DOUBLE) AS active_days_prev_30d,
       CAST(coalesce(c.active_days_60_90d, 0) AS DOUBLE) AS active_days_60_90d,
       ln((coalesce(c.active_days_30d, 0) + 1.0) / (coalesce(c.active_days_prev_30d, 0) + 1.0)) AS activity_trend_30d,
       ln((coalesce(c.active_days_30d, 0) + 1.0) / (coalesce(c.active_days_60_90d, 0) + 1.0)) AS activity_trend_90d,
       (coalesce(c.active_days_30d, 0) + 0.5) / (s.mean_active_days + 0.5) AS activity_vs_segment,
       CAST(coalesce(c.days_since_last_use, 365) AS DOUBLE) AS days_since_last_use,
       CAST(coalesce(c.purchases_180d, 0) AS DOUBLE) AS purchases_180d,
       coalesce(c.purchase_amount_180d, 0) AS purchase_amount_180d,
       CAST(coalesce(c.days_since_last_purchase, 365) AS DOUBLE) AS days_since_last_purchase,
       CAST(coalesce(c.refunds_90d, 0) AS DOUBLE) AS refunds_90d,
       CAST(coalesce(c.tickets_30d, 0) AS DOUBLE) AS tickets_30d,
       CAST(coalesce(c.tickets_90d, 0) AS DOUBLE) AS tickets_90d,
       CAST(coalesce(c.unresolved_tickets, 0) AS DOUBLE) AS unresolved_tickets,
       CAST(c.last_satisfaction AS DOUBLE) AS last_satisfaction,
       CAST(c.avg_satisfaction AS DOUBLE) AS avg_satisfaction,
       CAST(coalesce(c.offers_received_30d, 0) AS DOUBLE) AS offers_received_30d,
       CAST(coalesce(c.offers_received_90d, 0) AS DOUBLE) AS offers_received_90d,
       CAST(coalesce(c.offers_redeemed_90d, 0) AS DOUBLE) AS offers_redeemed_90d,
       CAST(coalesce(c.days_since_offer_redeemed, 365) AS DOUBLE) AS days_since_offer_redeemed,
       CAST(coalesce(c.retention_offers_30d, 0) AS DOUBLE) AS retention_offers_30d,
       CAST(coalesce(c.retention_offers_90d, 0) AS DOUBLE) AS retention_offers_90d,
       CAST(coalesce(c.cancellation_tickets_90d, 0) AS DOUBLE) AS cancellation_tickets_90d,
       ln((coalesce(c.active_days_month_0, 0) + 2.0) / (c.days_month_0 * s.daily_rate + 2.0)) AS engagement_month_0,
       ln((coalesce(c.active_days_month_1, 0) + 2.0) / (c.days_month_1 * s.daily_rate + 2.0)) AS engagement_month_1,
       ln((coalesce(c.active_days_month_2, 0) + 2.0) / (c.days_month_2 * s.daily_rate + 2.0)) AS engagement_month_2,
       greatest(0, -engagement_month_0) AS low_engagement,
       greatest(0, engagement_month_2 - engagement_month_0) AS engagement_decline
FROM customer_rows c
JOIN cutoffs p ON p.cutoff = c.cutoff
LEFT JOIN segments s ON s.cutoff = c.cutoff AND s.segment = c.segment
