"""psycopg2, SQLAlchemy and pandas.read_sql (Debian's, as Superset and pandas use them) against a
running `custlake serve --pg` on 127.0.0.1:PORT. Run by serve_e2e_test; exits
non-zero with the failing check on stderr."""
import sys

import psycopg2
import sqlalchemy as sa

PORT = int(sys.argv[1])


def check(condition, what):
    if not condition:
        sys.exit("FAILED: " + what)


def psycopg2_parameters_and_server_side_cursor():
    conn = psycopg2.connect(host="127.0.0.1", port=PORT, user="analyst", dbname="warehouse")
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM fact_customer_metrics WHERE revenue >= %s AND month_start >= %s",
                (0, "1900-01-01"))
    (with_params,) = cur.fetchone()
    cur.execute("SELECT count(*) FROM fact_customer_metrics WHERE revenue >= 0")
    check(with_params == cur.fetchone()[0] and with_params > 0, "a parameterised count matches the literal one")
    hostile = "x'); SELECT * FROM read_csv('/etc/passwd'); --"
    cur.execute("SELECT %s AS echo, %s::INTEGER * 2 AS twice, %s IS NULL AS null_param", (hostile, 21, None))
    check(cur.fetchone() == (hostile, 42, True), "parameters are values, never SQL")

    cur.execute("SELECT count(*) FROM dim_date")
    (days,) = cur.fetchone()
    named = conn.cursor(name="all_days")  # DECLARE ... CURSOR, then FETCH FORWARD itersize
    named.itersize = 100
    # (under the test server's --max-rows 1000, which a cursor's statement obeys too)
    named.execute("SELECT date_key, date FROM dim_date WHERE date_key > %s ORDER BY date_key LIMIT 750", (0,))
    rows = list(named)
    check(len(rows) == min(days, 750) and days > 100, f"the server-side cursor gives every row ({len(rows)})")
    check(rows == sorted(rows), "in order")
    named.close()
    conn.rollback()

    with conn.cursor() as copy_cur:
        import io
        out = io.StringIO()
        copy_cur.copy_expert("COPY (SELECT date_key, month_name FROM dim_date ORDER BY 1 LIMIT 2) TO STDOUT "
                             "WITH (FORMAT csv, HEADER)", out)
        lines = out.getvalue().splitlines()
        check(len(lines) == 3 and lines[0] == "date_key,month_name", f"COPY csv with a header: {lines}")
    conn.close()


def sqlalchemy_inspector_reads_the_star_schema():
    engine = sa.create_engine(f"postgresql+psycopg2://analyst@127.0.0.1:{PORT}/warehouse")
    inspector = sa.inspect(engine)
    tables = inspector.get_table_names()
    for table in ("dim_customer", "dim_date", "fact_customer_activity", "fact_customer_metrics"):
        check(table in tables, f"{table} in get_table_names(): {tables}")
    columns = {c["name"]: c for c in inspector.get_columns("fact_customer_metrics")}
    check(isinstance(columns["revenue"]["type"], sa.Numeric) and columns["revenue"]["type"].scale == 2,
          f"revenue is NUMERIC(.., 2): {columns['revenue']}")
    check(isinstance(columns["month_start"]["type"], sa.Date), "month_start is a DATE")
    check(not columns["customer_id"]["nullable"] and columns["churned"]["nullable"], "key columns are NOT NULL")
    check(bool(columns["customer_id"]["comment"]), "column comments come from the models")
    pk = inspector.get_pk_constraint("fact_customer_metrics")
    check(pk["constrained_columns"] == ["customer_id", "month_start"], f"primary key: {pk}")
    fks = {fk["referred_table"]: fk for fk in inspector.get_foreign_keys("fact_customer_metrics")}
    check(fks.get("dim_customer", {}).get("constrained_columns") == ["customer_key"] and
          fks["dim_customer"]["referred_columns"] == ["customer_key"], f"foreign keys: {fks}")
    check(fks.get("dim_date", {}).get("referred_columns") == ["date_key"], f"foreign keys: {fks}")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT month_start, sum(revenue) AS revenue FROM fact_customer_metrics "
                                    "WHERE month_start >= :since GROUP BY 1 ORDER BY 1"),
                            {"since": "1900-01-01"}).fetchall()
        check(len(rows) > 0 and all(r.revenue is not None for r in rows), "a dashboard query with a bound parameter")


def pandas_read_sql_of_a_dashboard_query():
    import pandas as pd
    engine = sa.create_engine(f"postgresql+psycopg2://analyst@127.0.0.1:{PORT}/warehouse")
    frame = pd.read_sql(sa.text("SELECT month_start, sum(revenue) AS revenue, count(*) AS customer_months "
                                "FROM fact_customer_metrics WHERE month_start >= :since GROUP BY 1 ORDER BY 1"),
                        engine, params={"since": "1900-01-01"})
    check(list(frame.columns) == ["month_start", "revenue", "customer_months"], f"columns: {list(frame.columns)}")
    check(len(frame) > 0 and frame["month_start"].is_monotonic_increasing, f"months in order: {frame}")
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM fact_customer_metrics")).scalar()
    check(int(frame["customer_months"].sum()) == total, f"the frame's rows add up to the table's {total}")


psycopg2_parameters_and_server_side_cursor()
sqlalchemy_inspector_reads_the_star_schema()
pandas_read_sql_of_a_dashboard_query()
print("ok")
