-- model: dim_usage
-- description: The kinds of product usage: one row per distinct (event_type, feature, device) seen in
--   stg_usage. Missing values are the member '(unknown)'. Incremental builds add the new
--   combinations (merge on usage_key); keys are a hash of the three values, stable across rebuilds.
-- materialized: merge
-- unique_key: usage_key
-- grain: one row per (event_type, feature, device)
-- column usage_key: surrogate key, md5 of event_type|feature|device
-- column event_type: session_start, session_end, feature_use, ... ('(unknown)' when missing)
-- column feature: the product feature used ('(unknown)' when missing)
-- column device: desktop, mobile, tablet, ... ('(unknown)' when missing)
-- check unique: usage_key
-- check unique: event_type, feature, device
-- check not_null: usage_key, event_type, feature, device
SELECT DISTINCT
       {{ hash_key(coalesce(event_type, '(unknown)') || '|' || coalesce(feature, '(unknown)') || '|' ||
                   coalesce(device, '(unknown)')) }} AS usage_key,
       coalesce(event_type, '(unknown)') AS event_type,
       coalesce(feature, '(unknown)') AS feature,
       coalesce(device, '(unknown)') AS device
FROM stg_usage
ORDER BY event_type, feature, device
