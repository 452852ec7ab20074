-- The date range the dashboard covers: the first day of the first month and the last day of the newest.
SELECT CAST(min(month_start) AS VARCHAR) AS date_min,
       CAST(CAST(max(month_start) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS VARCHAR) AS date_max
FROM fact_customer_metrics
