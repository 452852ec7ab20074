-- The published retention plan's summary (raw.retention_plan_summary, one row written by
-- `custlake retention plan`): budget, customers targeted, expected saved value and its 90 % interval.
SELECT plan_date, budget, active_customers, targeted, offer_cost, expected_saved_customers,
       expected_saved_value, saved_value_low, saved_value_high, model_version
FROM raw.retention_plan_summary
ORDER BY plan_date DESC
LIMIT 1
