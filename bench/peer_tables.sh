# The warehouse tables the Python peers compute their features from, as CSV (untimed set-up shared by
# bench/churn/run.sh and bench/retention/run.sh). `custlake query --format csv` streams, so the
# activity facts of 1 M customers (100 M rows) export in flat memory.
# Usage: export_peer_tables OUT_DIR CUSTLAKE [ARGS...]   (e.g. export_peer_tables "$WORK" custlake -C "$P")
export_peer_tables() {
  local out=$1
  shift
  "$@" query --format csv --max-rows 0 "SELECT customer_id, activity_type, transaction_kind,
    CAST(amount AS DOUBLE) AS amount, duration_s, epoch_ms(occurred_at) AS occurred_ms, offer_key
    FROM fact_customer_activity" >"$out/activity.csv"
  "$@" query --format csv --max-rows 0 "SELECT customer_id, is_current,
    date_diff('day', DATE '1970-01-01', signup_date) AS signup_day,
    date_diff('day', DATE '1970-01-01', churn_date) AS churn_day, segment, contract,
    CAST(monthly_fee AS DOUBLE) AS monthly_fee, epoch_ms(valid_from) AS valid_from_ms, epoch_ms(valid_to) AS valid_to_ms
    FROM dim_customer" >"$out/customers.csv"
  "$@" query --format csv --max-rows 0 "SELECT customer_id, epoch_ms(opened_at) AS opened_ms,
    epoch_ms(closed_at) AS closed_ms, satisfaction, category FROM dim_support_ticket" >"$out/tickets.csv"
  "$@" query --format csv --max-rows 0 "SELECT offer_key, campaign FROM dim_offer" >"$out/offers.csv"
}
