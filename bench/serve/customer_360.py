#!/usr/bin/env python3
"""Customer 360's timeline with the landing file and line: the single query that read raw.usage and
raw.tickets by customer_id in every day's file (before) against what the server runs now
(src/serve/dashboard/customer_timeline.sql, then customer_source_lines.sql with the days of the usage
events and tickets shown written in as DATE literals, as http_api_explore.cc does). Each side's time is
DuckDB's EXPLAIN ANALYZE total (the query alone, not the CLI's start); the sides alternate over ROUNDS.

  bench/serve/customer_360.py PROJECT CUSTLAKE_BIN CUSTOMER_ID... (environment: ROUNDS, default 4)
"""
import csv, io, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DASH = os.path.join(ROOT, "src/serve/dashboard")
BEFORE = """-- One customer's newest 500 activities: usage, transactions, tickets and offers ($1 = customer_id),
-- each traced to its source record: the lake batch that brought it in (the server fills `_source`
-- and `_source_table` from that batch's lineage, http_batch_sources.cc) and its id there; usage events
-- and tickets also to the landing file and line the raw zone kept (`_source_file`, `_source_line`;
-- of a record delivered twice, the copy in the file whose name sorts last, as the newest wins).
WITH usage_lines AS (
  SELECT event_id, max(_source_file) AS _source_file, arg_max(_source_line, _source_file) AS _source_line
  FROM raw.usage WHERE customer_id = CAST($1 AS BIGINT) GROUP BY event_id),
ticket_lines AS (
  SELECT ticket_id, max(_source_file) AS _source_file, arg_max(_source_line, _source_file) AS _source_line
  FROM raw.tickets WHERE customer_id = CAST($1 AS BIGINT) GROUP BY ticket_id)
SELECT CAST(a.occurred_at AS VARCHAR) AS date,
       CASE WHEN a.activity_type LIKE 'offer%' THEN 'offer' ELSE a.activity_type END AS kind,
       CASE a.activity_type
         WHEN 'usage' THEN concat_ws(' ', u.event_type, u.feature, 'on', u.device, '(' || a.duration_s || ' s)')
         WHEN 'transaction' THEN concat_ws(' ', a.transaction_kind, CAST(a.amount AS VARCHAR), a.payment_method)
         WHEN 'ticket' THEN concat_ws(' ', t.category, t.priority, 'priority via', t.channel, '(' || t.status || ')')
         WHEN 'offer_sent' THEN 'offer sent: ' || coalesce(o.name, '?')
         ELSE 'offer redeemed: ' || coalesce(o.name, '?') END AS detail,
       CAST(NULL AS VARCHAR) AS _source, CAST(NULL AS VARCHAR) AS _source_table,
       CASE a.activity_type WHEN 'usage' THEN 'event_id' WHEN 'transaction' THEN 'transaction_id'
                            WHEN 'ticket' THEN 'ticket_id' ELSE 'assignment_id' END || ' = ' || a.source_id AS _source_key,
       a.source_batch_id AS _source_batch,
       coalesce(ru._source_file, rt._source_file) AS _source_file,
       coalesce(ru._source_line, rt._source_line) AS _source_line
FROM fact_customer_activity a
LEFT JOIN dim_usage u ON u.usage_key = a.usage_key
LEFT JOIN dim_support_ticket t ON t.ticket_key = a.ticket_key
LEFT JOIN dim_offer o ON o.offer_key = a.offer_key
LEFT JOIN usage_lines ru ON a.activity_type = 'usage' AND ru.event_id = a.source_id
LEFT JOIN ticket_lines rt ON a.activity_type = 'ticket' AND CAST(rt.ticket_id AS VARCHAR) = a.source_id
WHERE a.customer_id = CAST($1 AS BIGINT)
ORDER BY a.occurred_at DESC, a.source_id
LIMIT 500
"""


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    project, custlake, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
    rounds = int(os.environ.get("ROUNDS", "4"))

    def query(sql):
        r = subprocess.run([custlake, "-C", project, "query", sql, "--format", "csv"], capture_output=True, text=True)
        if r.returncode:
            sys.exit(r.stderr)
        return r.stdout

    def strip(sql):
        return "\n".join(l for l in sql.splitlines() if not l.startswith("--"))

    def analyze(sql):
        out = query("EXPLAIN ANALYZE " + strip(sql))
        return float(re.search(r"Total Time: ([0-9.]+)s", out).group(1))

    timeline = open(os.path.join(DASH, "customer_timeline.sql")).read()
    lines = open(os.path.join(DASH, "customer_source_lines.sql")).read()
    print(f"load at start: {open('/proc/loadavg').read().strip()}")
    for rnd in range(rounds):
        for cid in ids:
            for side in (["before", "after"] if rnd % 2 == 0 else ["after", "before"]):
                if side == "before":
                    print(f"round {rnd} customer {cid} before: {analyze(BEFORE.replace('$1', cid)):.3f} s", flush=True)
                    continue
                t = timeline.replace("$1", cid)
                t1 = analyze(t)
                days = {"usage": set(), "ticket": set()}
                for row in csv.DictReader(io.StringIO(query(strip(t)))):
                    if row["kind"] in days:
                        days[row["kind"]].add(row["date"][:10])
                t2 = 0.0
                if days["usage"] or days["ticket"]:
                    sql = lines.replace("$1", cid)
                    for kind, found in days.items():
                        sql = sql.replace("{{%s_days}}" % kind, ", ".join(f"DATE '{d}'" for d in sorted(found)) or "NULL")
                    t2 = analyze(sql)
                print(f"round {rnd} customer {cid} after: {t1 + t2:.3f} s (timeline {t1:.3f} + lines {t2:.3f}; "
                      f"{len(days['usage'])} usage days, {len(days['ticket'])} ticket days)", flush=True)
    print(f"load at end: {open('/proc/loadavg').read().strip()}")


if __name__ == "__main__":
    main()
