-- model: dim_customer
-- description: The customer dimension as a slowly changing dimension of type 2. Every change the
--   lastmodified import kept (a distinct updated_at of a customer) is one version, valid over the
--   half-open interval [valid_from, valid_to). The first version is valid from 1900-01-01 so that
--   every fact finds the version valid at its moment; the current version is valid to 9999-12-31.
--   Rebuilt whole at every build from all versions in stg_customers; surrogate keys are a hash
--   of (customer_id, version_updated_at), so they are the same after any rebuild.
-- materialized: table
-- grain: one row per customer version
-- column customer_key: surrogate key, md5 of customer_id and version_updated_at (60 bits, stable across rebuilds)
-- column customer_id: the operational customer id (SIC customers.customer_id)
-- column version: 1 for the first known version, then 2, 3...
-- column valid_from: the version applies from this instant (inclusive)
-- column valid_to: the version applies until this instant (exclusive); 9999-12-31 for the current one
-- column is_current: true for the customer's latest version
-- column version_updated_at: updated_at of the source row that made this version
-- column first_name: first name
-- column last_name: last name
-- column email: e-mail address
-- column gender: gender as recorded
-- column birth_date: date of birth
-- column city: city (changes over time)
-- column region: region
-- column country: ISO country code
-- column segment: consumer, smb or enterprise
-- column plan: subscription plan (changes over time)
-- column contract: monthly, annual or two_year
-- column monthly_fee: monthly fee of the plan (DECIMAL, changes over time)
-- column signup_date: the day the customer signed up
-- column status: active or churned, as of this version
-- column churn_date: the day the customer churned, null while active (as of this version)
-- column created_at: when the customer row was created in SIC
-- check unique: customer_key
-- check unique: customer_id, version
-- check not_null: customer_key, customer_id, valid_from, valid_to, is_current
-- check no_overlap: customer_id, valid_from, valid_to
-- check one_current_version: SELECT customer_id, count(*) FILTER (WHERE is_current) AS current_versions
--   FROM dim_customer GROUP BY customer_id HAVING count(*) FILTER (WHERE is_current) <> 1
-- check covers_all_raw_customers: SELECT DISTINCT r.customer_id FROM stg_customers r
--   WHERE r.customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dim_customer d WHERE d.customer_id = r.customer_id)
WITH stamped AS (
  SELECT *, coalesce(updated_at, created_at, CAST(signup_date AS {{ type_timestamp() }})) AS changed_at
  FROM stg_customers
  WHERE customer_id IS NOT NULL
),
versions AS (
  -- One row per (customer, updated_at): the newest batch's copy.
  SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY customer_id, changed_at ORDER BY {{ ident(_batch_id) }} DESC) AS copy_rank
    FROM stamped
  ) s
  WHERE copy_rank = 1
),
ordered AS (
  SELECT *,
         row_number() OVER (PARTITION BY customer_id ORDER BY changed_at) AS version,
         lead(changed_at) OVER (PARTITION BY customer_id ORDER BY changed_at) AS next_changed_at
  FROM versions
)
SELECT {{ hash_key(to_text(customer_id) || '|' || to_text(epoch_us(changed_at))) }} AS customer_key,
       customer_id,
       CAST(version AS INTEGER) AS version,
       CASE WHEN version = 1 THEN {{ timestamp_literal('1900-01-01 00:00:00') }} ELSE changed_at END AS valid_from,
       coalesce(next_changed_at, {{ timestamp_literal('9999-12-31 00:00:00') }}) AS valid_to,
       next_changed_at IS NULL AS is_current,
       changed_at AS version_updated_at,
       first_name, last_name, email, gender, birth_date, city, region, country, segment, plan, contract,
       CAST(monthly_fee AS DECIMAL(18,2)) AS monthly_fee,
       signup_date, status, churn_date, created_at
FROM ordered
ORDER BY customer_id, version
