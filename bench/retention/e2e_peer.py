#!/usr/bin/env python3
"""The end-to-end peer of bench/retention: the retention learner's rows built in pandas from the warehouse's
tables, then the same DR-learner as peer.py, so it is timed from the warehouse as custlake's
`retention export-dataset` + `retention train --input` are.

    e2e_peer.py DIR TRAIN_SEND_DATES VALIDATION_SEND_DATES

DIR holds the CSV exports of bench/churn/run.sh (activity.csv, customers.csv, tickets.csv, offers.csv:
the warehouse's fact_customer_activity, dim_customer, dim_support_ticket and dim_offer); the send dates
(comma separated, YYYY-MM-DD, each a month's first day M) are the ones custlake's export chose. For each
send date, as docs/retention.md defines the experiment: the rows and the 48 churn features at the cutoff
M - 1 day (bench/churn/churn_peer.py's features_at, the pandas version of models/churn/features.sql),
treated = the customer was sent an offer in [M, M + 1 month) (`offer_sent` facts), outcome = churned
within 90 days after the cutoff. Then peer.py's train_dr_learner on the training rows and its Qini
coefficient on the validation rows. Prints one JSON line as peer.py does.
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "churn"))
sys.path.insert(0, HERE)
from churn_peer import DAY_MS, features_at, load  # noqa: E402
from peer import predict_uplift, qini_and_auuc, train_dr_learner  # noqa: E402

HORIZON_DAYS = 90


def rows_at(data, send_date):
    """The experiment of one send month: features at the day before, treated, churned, customer ids."""
    send = pd.Timestamp(send_date)
    cutoff = (send - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    x, y = features_at(data, cutoff, HORIZON_DAYS)
    offers = data.offer_events  # months begin at whole UTC days
    start_day = send.value // 1_000_000 // DAY_MS
    end_day = (send + pd.offsets.MonthBegin(1)).value // 1_000_000 // DAY_MS
    sent = offers[offers["sent"] & (offers["day"] >= start_day) & (offers["day"] < end_day)]["customer_id"].unique()
    t = x.index.isin(sent).astype(np.float64)
    return x.to_numpy(dtype=np.float32), t, y.to_numpy(dtype=np.float64), x.index.to_numpy(dtype=np.int64)


def stack(data, dates):
    parts = [rows_at(data, d) for d in dates]
    return [np.concatenate([p[i] for p in parts]) for i in range(4)]


def main():
    folder, train_dates, validation_dates = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
    start = time.perf_counter()
    data = load(folder)
    x, t, y, ids = stack(data, train_dates)
    xv, tv, yv, _ = stack(data, validation_dates)
    features_s = time.perf_counter() - start
    t0 = time.perf_counter()
    uplift, p_event, shift, info = train_dr_learner(x, t, y, ids.astype(np.uint64))
    train_s = time.perf_counter() - t0
    predicted = predict_uplift(uplift, p_event, shift, xv)
    qini, auuc = qini_and_auuc(predicted, tv, yv)
    print(json.dumps({"rows": int(len(y) + len(yv)), "train_rows": int(len(y)), "validation_rows": int(len(yv)),
                      "features": int(x.shape[1]), "treated_train_rows": int(t.sum()), **info,
                      "qini_coefficient": qini, "auuc": auuc,
                      "timings": {"features_seconds": features_s, "train_seconds": train_s,
                                  "total_seconds": time.perf_counter() - start}}))


if __name__ == "__main__":
    main()
