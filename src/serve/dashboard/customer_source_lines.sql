-- The landing file and line the raw zone kept for one customer's usage events and tickets ($1 =
-- customer_id), by `_source_key` as customer_timeline.sql writes it; of a record delivered twice, the
-- copy in the file whose name sorts last, as the newest wins. Only the event_date partitions of the
-- activities the timeline shows are read: the server writes their days (UTC, as ingest partitions usage
-- by ts and tickets by opened_at, the instants the facts keep as occurred_at) as DATE literals where
-- {{usage_days}} and {{ticket_days}} stand (NULL for none), so DuckDB opens those days' files only
-- (hive partition pruning) instead of scanning every day's file for the customer.
SELECT 'usage' AS kind, 'event_id = ' || event_id AS _source_key,
       max(_source_file) AS _source_file, arg_max(_source_line, _source_file) AS _source_line
FROM raw.usage
WHERE event_date IN ({{usage_days}}) AND customer_id = CAST($1 AS BIGINT)
GROUP BY event_id
UNION ALL
SELECT 'ticket' AS kind, 'ticket_id = ' || CAST(ticket_id AS VARCHAR) AS _source_key,
       max(_source_file) AS _source_file, arg_max(_source_line, _source_file) AS _source_line
FROM raw.tickets
WHERE event_date IN ({{ticket_days}}) AND customer_id = CAST($1 AS BIGINT)
GROUP BY ticket_id
