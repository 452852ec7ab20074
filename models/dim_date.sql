-- model: dim_date
-- description: One row per calendar day from the first customer signup (or first activity) to the
--   last activity day, with calendar attributes. Rebuilt whole at every build (small).
-- materialized: table
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
WITH bounds AS (
  SELECT least((SELECT min(signup_date) FROM raw.sic_customers),
               (SELECT min(ts)::DATE FROM raw.sic_transactions),
               (SELECT min(ts)::DATE FROM raw.usage),
               (SELECT min(sent_at)::DATE FROM raw.sic_offer_assignments),
               (SELECT min(opened_at)::DATE FROM raw.tickets)) AS first_day,
         greatest((SELECT max(ts)::DATE FROM raw.sic_transactions),
                  (SELECT max(ts)::DATE FROM raw.usage),
                  (SELECT max(coalesce(responded_at, sent_at))::DATE FROM raw.sic_offer_assignments),
                  (SELECT max(coalesce(closed_at, opened_at))::DATE FROM raw.tickets),
                  (SELECT max(coalesce(churn_date, signup_date)) FROM raw.sic_customers)) AS last_day
),
days AS (
  SELECT CAST(d AS DATE) AS date
  FROM bounds, range(CAST(date_trunc('year', first_day) AS TIMESTAMP),
                     CAST(last_day AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 DAY) AS t(d)
)
SELECT CAST(strftime(date, '%Y%m%d') AS INTEGER) AS date_key,
       date,
       CAST(year(date) AS INTEGER) AS year,
       CAST(quarter(date) AS INTEGER) AS quarter,
       CAST(month(date) AS INTEGER) AS month,
       CAST(date_trunc('month', date) AS DATE) AS month_start,
       monthname(date) AS month_name,
       CAST(day(date) AS INTEGER) AS day_of_month,
       CAST(isodow(date) AS INTEGER) AS day_of_week,
       dayname(date) AS day_name,
       isodow(date) >= 6 AS is_weekend,
       CAST(weekofyear(date) AS INTEGER) AS iso_week
FROM days
ORDER BY date
