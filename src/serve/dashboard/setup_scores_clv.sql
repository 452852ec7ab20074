-- Run once per lake generation when the dashboard's database opens (DashboardSandbox, before the
-- lockdown): raw.clv_scores' 12-month CLV held in memory and keyed by customer_id as a BIGINT, so the
-- dashboard joins integers in memory instead of decoding the Parquet file's text `customer` and
-- casting every customer id to text on each request. Only rows whose `customer` is an integer's
-- canonical text: exactly those `v.customer = CAST(c.customer_id AS VARCHAR)` can match, so joining
-- this table on customer_id gives the same rows (duplicates included) as joining raw.clv_scores so.
CREATE TABLE dashboard.clv_scores AS
SELECT TRY_CAST(customer AS BIGINT) AS customer_id, clv_12m, p_alive, expected_purchases_12m
FROM raw.clv_scores
WHERE CAST(TRY_CAST(customer AS BIGINT) AS VARCHAR) = customer
ORDER BY customer_id
