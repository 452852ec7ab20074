-- model: fact_customer_metrics
-- description: One row per customer per month, from the month of signup to the month of churn (or the
--   newest month with activity), plus any other month with activity: revenue, transactions, usage,
--   active days, tickets, satisfaction, offers, tenure and the churned flag. customer_key is the
--   customer version valid at the end of the month. The analytics' columns (churn_probability,
--   churn_reasons, p_alive, expected_purchases, clv, value_at_risk) stay NULL: the scores are published
--   after the build and joined to the customers in the view fact_customer_scores. Incremental builds recompute the months from the earliest month touched by new
--   data (and always the newest month): the months of new facts, and for each new customer version
--   the month it takes effect; the old and new churn months when the churn date moved; the signup
--   month when the grid does not start there yet (a new customer, or a moved signup date).
-- materialized: recompute_from
-- partition_by: month_start
-- recompute_from: WITH changed AS (
--       SELECT customer_id, min(CAST(updated_at AS DATE)) AS first_change FROM delta.stg_customers GROUP BY customer_id),
--     previous AS (
--       SELECT customer_id, min(month_start) AS first_month, min(CASE WHEN churned THEN month_start END) AS churn_month
--       FROM fact_customer_metrics WHERE customer_id IN (SELECT customer_id FROM changed) GROUP BY customer_id),
--     customer_months AS (
--       SELECT least(
--           CAST(date_trunc('month', c.first_change) AS DATE),
--           CASE WHEN p.churn_month IS DISTINCT FROM CAST(date_trunc('month', d.churn_date) AS DATE)
--                THEN least(coalesce(p.churn_month, DATE '9999-12-31'),
--                           coalesce(CAST(date_trunc('month', d.churn_date) AS DATE), DATE '9999-12-31')) END,
--           CASE WHEN p.first_month IS DISTINCT FROM CAST(date_trunc('month', d.signup_date) AS DATE)
--                THEN least(coalesce(p.first_month, DATE '9999-12-31'), CAST(date_trunc('month', d.signup_date) AS DATE)) END
--         ) AS month_start
--       FROM changed c
--       LEFT JOIN dim_customer d ON d.customer_id = c.customer_id AND d.is_current
--       LEFT JOIN previous p ON p.customer_id = c.customer_id)
--   SELECT least(
--     (SELECT min(month_start) FROM delta.fact_customer_activity),
--     (SELECT min(month_start) FROM customer_months),
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
-- column churn_probability: NULL; the churn scores are in fact_customer_scores
-- column churn_reasons: NULL; the churn reasons are in fact_customer_scores
-- column p_alive: NULL; P(alive) is in fact_customer_scores
-- column expected_purchases: NULL; expected_purchases_12m is in fact_customer_scores
-- column clv: NULL; clv_12m is in fact_customer_scores
-- column value_at_risk: NULL; value_at_risk is in fact_customer_scores
-- check unique: customer_id, month_start
-- check not_null: customer_id, month_start, customer_key, date_key, revenue
-- check relationship: customer_key -> dim_customer.customer_key
-- check relationship: date_key -> dim_date.date_key
-- check reconcile_revenue_to_the_cent: SELECT r.amount AS raw_revenue, m.amount AS metrics_revenue FROM
--   (SELECT coalesce(sum(amount), 0) AS amount FROM stg_transactions) r,
--   (SELECT coalesce(sum(revenue), 0) AS amount FROM fact_customer_metrics) m WHERE r.amount <> m.amount
-- check reconcile_usage_events: SELECT f.n AS fact_events, m.n AS metrics_events FROM
--   (SELECT count(*) AS n FROM fact_customer_activity WHERE activity_type = 'usage') f,
--   (SELECT coalesce(sum(usage_events), 0) AS n FROM fact_customer_metrics) m WHERE f.n <> m.n
-- check reconcile_transactions: SELECT r.n, m.n FROM (SELECT count(*) AS n FROM stg_transactions) r,
--   (SELECT coalesce(sum(transactions), 0) AS n FROM fact_customer_metrics) m WHERE r.n <> m.n
-- check churn_once: SELECT customer_id, count(*) FROM fact_customer_metrics WHERE churned GROUP BY customer_id HAVING count(*) > 1
WITH current_customer AS (
  SELECT customer_id, signup_date, churn_date FROM dim_customer WHERE is_current
),
as_of AS (
  SELECT max(month_start) AS last_month FROM fact_customer_activity
),
months AS (
  SELECT DISTINCT month_start FROM dim_date
),
activity AS (
  SELECT customer_id, month_start,
         sum(CASE WHEN activity_type = 'transaction' THEN amount END) AS revenue,
         count(CASE WHEN activity_type = 'transaction' THEN 1 END) AS transactions,
         count(CASE WHEN transaction_kind = 'purchase' THEN 1 END) AS purchases,
         count(CASE WHEN transaction_kind = 'refund' THEN 1 END) AS refunds,
         count(CASE WHEN activity_type = 'usage' THEN 1 END) AS usage_events,
         sum(CASE WHEN activity_type = 'usage' THEN duration_s END) AS usage_duration_s,
         sum(CASE WHEN activity_type = 'usage' THEN bytes END) AS usage_bytes,
         count(DISTINCT CASE WHEN activity_type = 'usage' THEN date_key END) AS active_days,
         count(CASE WHEN activity_type = 'ticket' THEN 1 END) AS tickets,
         count(CASE WHEN activity_type = 'offer_sent' THEN 1 END) AS offers_sent,
         count(CASE WHEN activity_type = 'offer_redeemed' THEN 1 END) AS offers_redeemed
  FROM fact_customer_activity
  GROUP BY customer_id, month_start
),
satisfaction AS (
  SELECT customer_id, {{ trunc_date(month, utc(opened_at)) }} AS month_start, avg(satisfaction) AS avg_satisfaction
  FROM dim_support_ticket
  GROUP BY customer_id, {{ trunc_date(month, utc(opened_at)) }}
),
spans AS (
  -- Each customer's subscription months: the signup month to the churn month (or the newest month).
  SELECT c.customer_id, {{ trunc_date(month, c.signup_date) }} AS first_month,
         least(coalesce({{ trunc_date(month, c.churn_date) }}, a.last_month), a.last_month) AS last_month
  FROM current_customer c CROSS JOIN as_of a
),
grid AS (
  SELECT s.customer_id, m.month_start
  FROM spans s
  JOIN months m ON m.month_start >= s.first_month AND m.month_start <= s.last_month
  UNION
  SELECT customer_id, month_start FROM activity
)
SELECT g.customer_id, g.month_start, d.customer_key,
       {{ date_key(g.month_start) }} AS date_key,
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
       CAST((year(g.month_start) - year(c.signup_date)) * 12 + month(g.month_start) - month(c.signup_date) AS INTEGER)
         AS tenure_months,
       (c.signup_date < {{ add_months(g.month_start, 1) }} AND (c.churn_date IS NULL OR c.churn_date >= g.month_start))
         AS is_subscriber,
       coalesce(c.churn_date >= g.month_start AND c.churn_date < {{ add_months(g.month_start, 1) }}, false) AS churned,
       CAST(NULL AS DOUBLE) AS churn_probability,
       {{ null_string_array() }} AS churn_reasons,
       CAST(NULL AS DOUBLE) AS p_alive,
       CAST(NULL AS DOUBLE) AS expected_purchases,
       CAST(NULL AS DECIMAL(18,2)) AS clv,
       CAST(NULL AS DECIMAL(18,2)) AS value_at_risk
FROM grid g
LEFT JOIN current_customer c ON c.customer_id = g.customer_id
LEFT JOIN activity a ON a.customer_id = g.customer_id AND a.month_start = g.month_start
LEFT JOIN satisfaction s ON s.customer_id = g.customer_id AND s.month_start = g.month_start
LEFT JOIN dim_customer d ON d.customer_id = g.customer_id
  AND d.valid_from < CAST({{ add_months(g.month_start, 1) }} AS {{ type_timestamp() }})
  AND d.valid_to >= CAST({{ add_months(g.month_start, 1) }} AS {{ type_timestamp() }})
