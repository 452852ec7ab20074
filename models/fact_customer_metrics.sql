-- model: fact_customer_metrics
-- description: One row per customer per month, from the month of signup to the month of churn (or the
--   newest month with activity), plus any other month with activity: revenue, transactions, usage,
--   active days, tickets, satisfaction, offers, tenure and the churned flag. customer_key is the
--   customer version valid at the end of the month. The analytics' columns (churn_probability,
--   churn_reasons, p_alive, expected_purchases, clv, value_at_risk) are NULL until the churn and CLV
--   stages fill them. Incremental builds recompute the months from the earliest month touched by new
--   data (and always the newest month).
-- materialized: recompute_from
-- partition_by: month_start
-- recompute_from: SELECT least(
--     (SELECT min(month_start) FROM delta.fact_customer_activity),
--     (SELECT CAST(date_trunc('month', min(least(CAST(updated_at AS DATE), coalesce(churn_date, DATE '9999-12-31'), signup_date))) AS DATE) FROM delta.sic_customers),
--     (SELECT max(month_start) FROM fact_customer_metrics))
-- grain: one row per (customer_id, month_start)
-- column customer_id: the operational customer id
-- column month_start: first day of the month (dim_date.month_start); Parquet partition month=YYYY-MM
-- column customer_key: dim_customer version valid at the end of the month
-- column date_key: dim_date key of month_start
-- column revenue: sum of transaction amounts in the month, refunds negative (DECIMAL(18,2))
-- column transactions: number of transactions (all kinds)
-- column purchases: number of purchase transactions
-- column refunds: number of refund transactions
-- column usage_events: number of usage events
-- column usage_duration_s: seconds of usage
-- column usage_bytes: bytes transferred
-- column active_days: distinct days with at least one usage event
-- column tickets: support tickets opened
-- column avg_satisfaction: mean satisfaction (1-5) of the tickets opened in the month, null if none rated
-- column offers_sent: offers sent to the customer
-- column offers_redeemed: offers the customer redeemed
-- column tenure_months: whole months from the signup month to this month (0 in the signup month)
-- column is_subscriber: signed up by the end of the month and not churned before it began
-- column churned: the customer churned in this month
-- column churn_probability: filled by `custlake churn` (NULL until then)
-- column churn_reasons: the top reasons of the churn probability (filled by `custlake churn`)
-- column p_alive: P(alive) from BG/NBD (filled by `custlake clv`)
-- column expected_purchases: expected purchases over the CLV horizon (filled by `custlake clv`)
-- column clv: customer lifetime value (filled by `custlake clv`)
-- column value_at_risk: clv x churn_probability (filled by the analytics)
-- check unique: customer_id, month_start
-- check not_null: customer_id, month_start, customer_key, date_key, revenue
-- check relationship: customer_key -> dim_customer.customer_key
-- check relationship: date_key -> dim_date.date_key
-- check reconcile_revenue_to_the_cent: SELECT r.amount AS raw_revenue, m.amount AS metrics_revenue FROM
--   (SELECT coalesce(sum(amount), 0) AS amount FROM raw.sic_transactions) r,
--   (SELECT coalesce(sum(revenue), 0) AS amount FROM fact_customer_metrics) m WHERE r.amount <> m.amount
-- check reconcile_usage_events: SELECT r.n AS raw_events, m.n AS metrics_events FROM
--   (SELECT count(*) AS n FROM raw.usage) r, (SELECT coalesce(sum(usage_events), 0) AS n FROM fact_customer_metrics) m WHERE r.n <> m.n
-- check reconcile_transactions: SELECT r.n, m.n FROM (SELECT count(*) AS n FROM raw.sic_transactions) r,
--   (SELECT coalesce(sum(transactions), 0) AS n FROM fact_customer_metrics) m WHERE r.n <> m.n
-- check churn_once: SELECT customer_id, count(*) FROM fact_customer_metrics WHERE churned GROUP BY customer_id HAVING count(*) > 1
WITH current_customer AS (
  SELECT customer_id, signup_date, churn_date FROM dim_customer WHERE is_current
),
as_of AS (
  SELECT max(month_start) AS last_month FROM fact_customer_activity
),
activity AS (
  SELECT customer_id, month_start,
         sum(amount) FILTER (WHERE activity_type = 'transaction') AS revenue,
         count(*) FILTER (WHERE activity_type = 'transaction') AS transactions,
         count(*) FILTER (WHERE transaction_kind = 'purchase') AS purchases,
         count(*) FILTER (WHERE transaction_kind = 'refund') AS refunds,
         count(*) FILTER (WHERE activity_type = 'usage') AS usage_events,
         sum(duration_s) FILTER (WHERE activity_type = 'usage') AS usage_duration_s,
         sum(bytes) FILTER (WHERE activity_type = 'usage') AS usage_bytes,
         count(DISTINCT date_key) FILTER (WHERE activity_type = 'usage') AS active_days,
         count(*) FILTER (WHERE activity_type = 'ticket') AS tickets,
         count(*) FILTER (WHERE activity_type = 'offer_sent') AS offers_sent,
         count(*) FILTER (WHERE activity_type = 'offer_redeemed') AS offers_redeemed
  FROM fact_customer_activity
  GROUP BY customer_id, month_start
),
satisfaction AS (
  SELECT customer_id, CAST(date_trunc('month', opened_at AT TIME ZONE 'UTC') AS DATE) AS month_start,
         avg(satisfaction) AS avg_satisfaction
  FROM dim_support_ticket
  GROUP BY ALL
),
grid AS (
  SELECT c.customer_id, CAST(m AS DATE) AS month_start
  FROM current_customer c, as_of,
       range(CAST(date_trunc('month', c.signup_date) AS TIMESTAMP),
             CAST(least(coalesce(date_trunc('month', c.churn_date), as_of.last_month), as_of.last_month) AS TIMESTAMP) + INTERVAL 1 DAY,
             INTERVAL 1 MONTH) AS t(m)
  UNION
  SELECT customer_id, month_start FROM activity
)
SELECT g.customer_id, g.month_start, d.customer_key,
       CAST(strftime(g.month_start, '%Y%m%d') AS INTEGER) AS date_key,
       CAST(coalesce(a.revenue, 0) AS DECIMAL(18,2)) AS revenue,
       coalesce(a.transactions, 0) AS transactions,
       coalesce(a.purchases, 0) AS purchases,
       coalesce(a.refunds, 0) AS refunds,
       coalesce(a.usage_events, 0) AS usage_events,
       CAST(coalesce(a.usage_duration_s, 0) AS BIGINT) AS usage_duration_s,
       CAST(coalesce(a.usage_bytes, 0) AS BIGINT) AS usage_bytes,
       coalesce(a.active_days, 0) AS active_days,
       coalesce(a.tickets, 0) AS tickets,
       CAST(s.avg_satisfaction AS DOUBLE) AS avg_satisfaction,
       coalesce(a.offers_sent, 0) AS offers_sent,
       coalesce(a.offers_redeemed, 0) AS offers_redeemed,
       CAST(date_diff('month', date_trunc('month', c.signup_date), g.month_start) AS INTEGER) AS tenure_months,
       (c.signup_date < g.month_start + INTERVAL 1 MONTH AND (c.churn_date IS NULL OR c.churn_date >= g.month_start)) AS is_subscriber,
       coalesce(c.churn_date >= g.month_start AND c.churn_date < g.month_start + INTERVAL 1 MONTH, false) AS churned,
       CAST(NULL AS DOUBLE) AS churn_probability,
       CAST(NULL AS VARCHAR[]) AS churn_reasons,
       CAST(NULL AS DOUBLE) AS p_alive,
       CAST(NULL AS DOUBLE) AS expected_purchases,
       CAST(NULL AS DECIMAL(18,2)) AS clv,
       CAST(NULL AS DECIMAL(18,2)) AS value_at_risk
FROM grid g
LEFT JOIN current_customer c ON c.customer_id = g.customer_id
LEFT JOIN activity a ON a.customer_id = g.customer_id AND a.month_start = g.month_start
LEFT JOIN satisfaction s ON s.customer_id = g.customer_id AND s.month_start = g.month_start
LEFT JOIN dim_customer d ON d.customer_id = g.customer_id
  AND d.valid_from < CAST(g.month_start + INTERVAL 1 MONTH AS TIMESTAMPTZ)
  AND d.valid_to >= CAST(g.month_start + INTERVAL 1 MONTH AS TIMESTAMPTZ)
