-- model: stg_customers
-- description: Staging (the data contract's input): The customers: one row per customer version (every updated_at an import kept). Reads raw.sic_customers, the demo's
--   dataset. Edit it to map your own raw dataset: select, rename and cast into these columns (types may
--   widen, e.g. INTEGER for BIGINT), and pass _batch_id through from the raw view (incremental builds
--   read the new batches through it). docs/warehouse.md, "Your own data".
-- materialized: view
-- column customer_id: the customer id (BIGINT)
-- column first_name: first name
-- column last_name: last name
-- column email: e-mail address
-- column gender: gender
-- column birth_date: date of birth (DATE)
-- column city: city
-- column region: region
-- column country: country code
-- column segment: consumer, smb or enterprise
-- column plan: subscription plan
-- column contract: monthly, annual or two_year
-- column monthly_fee: monthly fee (DECIMAL(10,2) or narrower)
-- column signup_date: signup day (DATE)
-- column status: active or churned
-- column churn_date: churn day (DATE), NULL while active
-- column created_at: when the row was created (TIMESTAMPTZ)
-- column updated_at: when the row last changed (TIMESTAMPTZ): each value is one SCD2 version
-- column _batch_id: the lake batch of the raw row (select it from the raw view as it is)
SELECT customer_id,
       first_name,
       last_name,
       email,
       gender,
       birth_date,
       city,
       region,
       country,
       segment,
       plan,
       contract,
       monthly_fee,
       signup_date,
       status,
       churn_date,
       created_at,
       updated_at,
       {{ ident(_batch_id) }}
FROM raw.sic_customers
