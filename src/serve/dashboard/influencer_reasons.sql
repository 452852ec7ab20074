-- The churn model's reasons (its largest SHAP contributions per scored customer), with the numbers
-- taken out so alike reasons group: how many customers have each as a top-3 reason, and their
-- mean churn probability.
WITH reasons AS (
  SELECT customer_id, churn_probability, unnest([reason_1, reason_2, reason_3]) AS reason FROM raw.churn_scores)
SELECT regexp_replace(reason, '[0-9]+(\.[0-9]+)?', 'N', 'g') AS reason, count(DISTINCT customer_id) AS customers,
       avg(churn_probability) AS mean_p_churn
FROM reasons WHERE reason IS NOT NULL
GROUP BY 1
ORDER BY customers DESC, reason
LIMIT 20
