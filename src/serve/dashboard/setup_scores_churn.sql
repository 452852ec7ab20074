-- Run once per lake generation when the dashboard's database opens (DashboardSandbox, before the
-- lockdown): raw.churn_scores' columns the dashboard reads, held in memory (every row, in
-- customer_id order), so a request joins an in-memory table instead of decoding the Parquet file.
CREATE TABLE dashboard.churn_scores AS
SELECT customer_id, churn_probability, reason_1, reason_2, reason_3
FROM raw.churn_scores
ORDER BY customer_id
