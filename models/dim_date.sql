-- model: dim_date
-- description: One row per calendar day of every year from the first customer signup (or first activity)
--   to the last activity day, January 1 to December 31, with calendar attributes (whole years, as BI tools
--   expect of a date dimension). Rebuilt whole when its range changes (small); usage bounds come from
--   fact_customer_activity, the other sources' from raw. Incremental builds keep the table when every new
--   row's dates lie within it (unchanged_when): the range is whole years, so new days on or after its first
--   day and on or before its last give the same range, and only a new year rebuilds it.
-- materialized: table
-- unchanged_when: WITH d AS (SELECT min({{ ident(date) }}) AS first_day, max({{ ident(date) }}) AS last_day FROM dim_date),
--   n AS (
--     SELECT min(signup_date) AS first_day, max(coalesce(churn_date, signup_date)) AS last_day FROM changed.stg_customers
--     UNION ALL SELECT CAST(min(ts) AS DATE), CAST(max(ts) AS DATE) FROM changed.stg_transactions
--     UNION ALL SELECT CAST(min(occurred_at) AS DATE), CAST(max(occurred_at) AS DATE)
--               FROM changed.fact_customer_activity WHERE activity_type = 'usage'
--     UNION ALL SELECT CAST(min(sent_at) AS DATE), CAST(max(coalesce(responded_at, sent_at)) AS DATE)
--               FROM changed.stg_offer_assignments
--     UNION ALL SELECT CAST(min(opened_at) AS DATE), CAST(max(coalesce(closed_at, opened_at)) AS DATE) FROM changed.stg_tickets
--   )
--   SELECT d.last_day IS NOT NULL AND coalesce(bool_and((n.first_day IS NULL OR n.first_day >= d.first_day) AND
--                                                       (n.last_day IS NULL OR n.last_day <= d.last_day)), true)
--   FROM d CROSS JOIN n GROUP BY d.last_day
-- grain: one row per day
-- column date_key: INTEGER yyyymmdd, the key facts use (20250131)
-- column date: the day (DATE)
-- column year: calendar year
-- column quarter: calendar quarter 1-4
-- column month: month number 1-12
-- column month_start: first day of the month (DATE), the month key of fact_customer_metrics
-- column month_name: January..December
-- column day_of_month: 1-31
-- column day_of_week: ISO day of week, 1 = Monday .. 7 = Sunday
-- column day_name: Monday..Sunday
-- column is_weekend: Saturday or Sunday
-- column iso_week: ISO week number
-- check unique: date_key
-- check not_null: date_key, date, month_start
WITH customers AS (
  SELECT min(signup_date) AS first_day, max(coalesce(churn_date, signup_date)) AS last_day FROM stg_customers
),
transactions AS (
  SELECT CAST(min(ts) AS DATE) AS first_day, CAST(max(ts) AS DATE) AS last_day FROM stg_transactions
),
usage_events AS (
  -- Usage from the facts (one row per raw event, reconciled): cheaper than re-reading raw/usage.
  SELECT CAST(min(occurred_at) AS DATE) AS first_day, CAST(max(occurred_at) AS DATE) AS last_day
  FROM fact_customer_activity WHERE activity_type = 'usage'
),
offers AS (
  SELECT CAST(min(sent_at) AS DATE) AS first_day, CAST(max(coalesce(responded_at, sent_at)) AS DATE) AS last_day
  FROM stg_offer_assignments
),
tickets AS (
  SELECT CAST(min(opened_at) AS DATE) AS first_day, CAST(max(coalesce(closed_at, opened_at)) AS DATE) AS last_day
  FROM stg_tickets
),
bounds AS (
  -- least/greatest over the sources that have rows (engines differ on NULL arguments).
  SELECT {{ trunc_date(year, least(coalesce(c.first_day, DATE '9999-12-31'), coalesce(t.first_day, DATE '9999-12-31'),
                                   coalesce(u.first_day, DATE '9999-12-31'), coalesce(o.first_day, DATE '9999-12-31'),
                                   coalesce(k.first_day, DATE '9999-12-31'))) }} AS first_day,
         greatest(coalesce(c.last_day, DATE '0001-01-01'), coalesce(t.last_day, DATE '0001-01-01'),
                  coalesce(u.last_day, DATE '0001-01-01'), coalesce(o.last_day, DATE '0001-01-01'),
                  coalesce(k.last_day, DATE '0001-01-01')) AS last_day
  FROM customers c CROSS JOIN transactions t CROSS JOIN usage_events u CROSS JOIN offers o CROSS JOIN tickets k
),
known_bounds AS (
  -- through December 31 of the last day's year: the spine runs to the next January 1, dropped below.
  SELECT first_day, {{ add_months(trunc_date(year, last_day), 12) }} AS next_year
  FROM bounds WHERE last_day > DATE '0001-01-01'
),
days AS (
  {{ date_spine(known_bounds, first_day, next_year) }}
)
SELECT {{ date_key(ident(date)) }} AS date_key,
       {{ ident(date) }},
       CAST(year({{ ident(date) }}) AS INTEGER) AS year,
       CAST(quarter({{ ident(date) }}) AS INTEGER) AS quarter,
       CAST(month({{ ident(date) }}) AS INTEGER) AS month,
       {{ trunc_date(month, ident(date)) }} AS month_start,
       {{ month_name(ident(date)) }} AS month_name,
       CAST(day({{ ident(date) }}) AS INTEGER) AS day_of_month,
       CAST({{ iso_day_of_week(ident(date)) }} AS INTEGER) AS day_of_week,
       {{ day_name(ident(date)) }} AS day_name,
       {{ iso_day_of_week(ident(date)) }} >= 6 AS is_weekend,
       CAST({{ iso_week(ident(date)) }} AS INTEGER) AS iso_week
FROM days
WHERE {{ ident(date) }} < (SELECT next_year FROM known_bounds)
ORDER BY {{ ident(date) }}
