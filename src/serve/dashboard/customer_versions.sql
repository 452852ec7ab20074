-- One customer's SCD2 versions in the customer dimension, oldest first ($1 = customer_id).
SELECT * EXCLUDE (valid_from, valid_to, version_updated_at, created_at),
       CAST(valid_from AS VARCHAR) AS valid_from, CAST(valid_to AS VARCHAR) AS valid_to,
       CAST(version_updated_at AS VARCHAR) AS version_updated_at, CAST(created_at AS VARCHAR) AS created_at
FROM dim_customer WHERE customer_id = CAST($1 AS BIGINT) ORDER BY version
