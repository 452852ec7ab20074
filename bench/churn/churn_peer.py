#!/usr/bin/env python3
"""The peer of bench/churn: custlake's churn features (models/churn/features.sql) written in pandas
over the warehouse's tables (CSV exports made by run.sh), and the same XGBoost model (the xgboost
package: the same parameters, early stopping on the validation cutoff) trained on them.

    churn_peer.py DIR TRAIN_CUTOFFS VALIDATION_CUTOFF HORIZON_DAYS

TRAIN_CUTOFFS is comma separated (YYYY-MM-DD). Prints one JSON line: rows, positives, features,
best_iteration and the validation ROC AUC. Timestamps come as epoch milliseconds (UTC), so the
feature code does no time-zone parsing; days are UTC days, as custlake's sessions use.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb

DAY_MS = 86_400_000
FEATURES = [
    "tenure_days", "contract_months", "segment_smb", "segment_enterprise", "monthly_fee", "fee_vs_segment",
    "last_charge", "revenue_30d", "revenue_90d", "revenue_trend_90d", "usage_events_30d", "usage_events_prev_30d",
    "usage_events_60_90d", "usage_events_90d", "usage_trend_30d", "usage_trend_90d", "usage_trend_180d",
    "usage_hours_30d", "active_days_30d", "active_days_90d", "active_days_180d", "active_days_prev_30d",
    "active_days_60_90d", "activity_trend_30d", "activity_trend_90d", "activity_vs_segment", "days_since_last_use",
    "purchases_180d", "purchase_amount_180d", "days_since_last_purchase", "refunds_90d", "tickets_30d",
    "tickets_90d", "unresolved_tickets", "last_satisfaction", "avg_satisfaction", "offers_received_30d",
    "offers_received_90d", "offers_redeemed_90d", "days_since_offer_redeemed", "retention_offers_30d",
    "retention_offers_90d", "cancellation_tickets_90d", "engagement_month_0", "engagement_month_1",
    "engagement_month_2", "low_engagement", "engagement_decline",
]


# activity.csv (about 100 rows a customer: 100 M at 1 M customers) is read in chunks with narrow dtypes
# and kept as three compact frames: the usage summed by customer and day (what every usage feature
# reads, as models/churn/features.sql's usage_days), the transactions and the offer events. Nothing of
# 100 M rows is ever held, and no datetime column is made: days are integer arithmetic on the epoch
# milliseconds, months a lookup by day.
CHUNK_ROWS = 4_000_000
ACTIVITY_DTYPES = {"customer_id": "int32", "activity_type": "category", "transaction_kind": "category",
                   "amount": "float64", "duration_s": "float64", "occurred_ms": "int64", "offer_key": "float64"}


class Data:
    """The peer's tables: usage_days (customer_id, day, events, duration_s), transactions (customer_id,
    day, occurred_ms, transaction_kind, cents), offer_events (customer_id, day, sent, is_retention),
    customers, tickets, and month_of (a day's month, year * 12 + month - 1, by day - first_day)."""

    def month(self, days):
        return self.month_of[np.asarray(days) - self.first_day]


def month_lookup(first_day, last_day):
    """year * 12 + month - 1 of each day from first_day to last_day (a few hundred datetimes, not 100 M)."""
    days = pd.to_datetime(np.arange(first_day, last_day + 1), unit="D")
    return (days.year * 12 + days.month - 1).to_numpy(dtype=np.int32)


def cents(amounts):
    """DECIMAL(18,2) amounts as whole cents: their sums are exact, as the warehouse's DECIMAL sums are."""
    if np.isnan(amounts).any():
        raise ValueError("activity.csv: a transaction without an amount")
    return np.rint(amounts * 100).astype(np.int64)


def read_activity(path, offers):
    usage, transactions, offer_events = [], [], []
    retention = offers.set_index("offer_key")["is_retention"]
    for chunk in pd.read_csv(path, dtype=ACTIVITY_DTYPES, usecols=list(ACTIVITY_DTYPES), chunksize=CHUNK_ROWS):
        day = (chunk["occurred_ms"].to_numpy() // DAY_MS).astype(np.int32)
        if len(day) and not (0 <= day.min() and day.max() < 1 << 20):
            raise ValueError(f"{path}: a day outside 1970-01-01 .. 4840 (occurred_ms {chunk['occurred_ms'].min()} "
                             f"to {chunk['occurred_ms'].max()}): the usage key packs days into 20 bits")
        kind = chunk["activity_type"]
        u = (kind == "usage").to_numpy()
        # One row per customer and day with usage; the key packs both into one int64 (days < 2^20).
        key = chunk["customer_id"].to_numpy()[u].astype(np.int64) << 20 | day[u]
        usage.append(pd.DataFrame({"key": key, "events": np.ones(len(key), np.int32),
                                   "duration_s": chunk["duration_s"].to_numpy()[u]})
                     .groupby("key", sort=False).sum())
        t = (kind == "transaction").to_numpy()
        transactions.append(pd.DataFrame({
            "customer_id": chunk["customer_id"].to_numpy()[t], "day": day[t],
            "occurred_ms": chunk["occurred_ms"].to_numpy()[t], "transaction_kind": chunk["transaction_kind"][t].values,
            "cents": cents(chunk["amount"].to_numpy()[t])}))
        o = kind.isin(["offer_sent", "offer_redeemed"]).to_numpy()
        offer_events.append(pd.DataFrame({
            "customer_id": chunk["customer_id"].to_numpy()[o], "day": day[o],
            "sent": (kind[o] == "offer_sent").to_numpy(),
            "is_retention": chunk["offer_key"][o].map(retention).fillna(False).astype(bool).to_numpy()}))
        del chunk, day, kind, key
    usage = pd.concat(usage).groupby(level=0, sort=False).sum()  # a customer-day split across chunks
    key = usage.index.to_numpy()
    usage_days = pd.DataFrame({"customer_id": (key >> 20).astype(np.int32), "day": (key & 0xFFFFF).astype(np.int32),
                               "events": usage["events"].to_numpy(), "duration_s": usage["duration_s"].to_numpy()})
    del usage, key
    kinds = pd.api.types.union_categoricals([t.pop("transaction_kind") for t in transactions], ignore_order=True)
    transactions = pd.concat(transactions, ignore_index=True)
    transactions["transaction_kind"] = kinds
    return usage_days, transactions, pd.concat(offer_events, ignore_index=True)


def load(folder):
    offers = pd.read_csv(f"{folder}/offers.csv", dtype={"offer_key": "float64", "campaign": "object"})
    offers["is_retention"] = offers["campaign"].fillna("").str.lower().str.contains("retention")
    data = Data()
    data.usage_days, data.transactions, data.offer_events = read_activity(f"{folder}/activity.csv", offers)
    days = pd.concat([data.usage_days["day"], data.transactions["day"], data.offer_events["day"]])
    data.first_day = int(days.min()) if len(days) else 0
    data.month_of = month_lookup(data.first_day, int(days.max()) if len(days) else 0)
    customers = pd.read_csv(f"{folder}/customers.csv", dtype={
        "customer_id": "int32", "is_current": "bool", "signup_day": "float64", "churn_day": "float64",
        "segment": "category", "contract": "category", "monthly_fee": "float64", "valid_from_ms": "float64",
        "valid_to_ms": "float64"})
    data.customers = customers
    data.tickets = pd.read_csv(f"{folder}/tickets.csv", dtype={
        "customer_id": "int32", "opened_ms": "float64", "closed_ms": "float64", "satisfaction": "float64",
        "category": "category"})
    return data


def count_where(mask, keys):
    return mask.groupby(keys).sum()


def month_bounds(month):
    """First and last day (days since 1970) of a month numbered year * 12 + month - 1."""
    first = pd.Timestamp(year=month // 12, month=month % 12 + 1, day=1)
    last = first + pd.offsets.MonthEnd(0)
    return first.value // (DAY_MS * 1_000_000), last.value // (DAY_MS * 1_000_000)


def engagement(usage_days, pop, segment, cutoff_day, cutoff_month, first_day):
    """engagement_month_0..2: ln((active days + 2) / (exposure days x segment daily rate + 2))."""
    active, exposure = {}, {}
    for k in range(3):
        first, last = month_bounds(cutoff_month - k)
        start = np.maximum(np.maximum(first, pop["signup_day"]), first_day)
        n = (min(last, cutoff_day) - start + 1).clip(lower=0)
        exposure[k] = n.where(n > 0)
        in_month = usage_days[usage_days["months_ago"] == k]
        active[k] = in_month.groupby("customer_id").size().reindex(pop.index).fillna(0)
    seg = segment.reindex(pop.index).astype("object")
    known = seg.notna()
    total_active = sum(active[k] for k in range(3))
    total_days = sum(exposure[k].fillna(0) for k in range(3))
    rate = total_active[known].groupby(seg[known]).sum() / total_days[known].groupby(seg[known]).sum().replace(0, np.nan)
    r = seg.map(rate).astype("float64")
    return {k: np.log((active[k] + 2.0) / (exposure[k] * r + 2.0)) for k in range(3)}


def usage_at(data, cutoff_day, cutoff_month, pop, segment):
    """The usage features from the customer-days of the 365 days up to the cutoff."""
    ud = data.usage_days
    ud = ud[(ud["day"] <= cutoff_day) & (ud["day"] > cutoff_day - 365)]
    g, d, events = ud["customer_id"], cutoff_day - ud["day"], ud["events"]
    usage = pd.DataFrame({
        "usage_events_30d": events.where(d < 30, 0).groupby(g).sum(),
        "usage_events_prev_30d": events.where((d >= 30) & (d < 60), 0).groupby(g).sum(),
        "usage_events_60_90d": events.where((d >= 60) & (d < 90), 0).groupby(g).sum(),
        "usage_events_90d": events.where(d < 90, 0).groupby(g).sum(),
        "usage_events_prev_90d": events.where((d >= 90) & (d < 180), 0).groupby(g).sum(),
        "usage_hours_30d": ud["duration_s"].where(d < 30, 0).fillna(0).groupby(g).sum() / 3600.0,
        "days_since_last_use": d.groupby(g).min(),
        "active_days_30d": count_where(d < 30, g),
        "active_days_90d": count_where(d < 90, g),
        "active_days_180d": count_where(d < 180, g),
        "active_days_prev_30d": count_where((d >= 30) & (d < 60), g),
        "active_days_60_90d": count_where((d >= 60) & (d < 90), g),
    })
    first_day = ud["day"].min()
    months_ago = cutoff_month - data.month(ud["day"].to_numpy())
    eng = engagement(pd.DataFrame({"customer_id": g.to_numpy(), "months_ago": months_ago}), pop, segment, cutoff_day,
                     cutoff_month, first_day)
    return usage, eng, first_day


def money_at(data, cutoff_day):
    t = data.transactions
    t = t[(t["day"] <= cutoff_day) & (t["day"] > cutoff_day - 365)]
    g, d, amount, kind = t["customer_id"], cutoff_day - t["day"], t["cents"], t["transaction_kind"]
    subs = t[kind == "subscription"].sort_values("occurred_ms", kind="stable")
    purchases = kind == "purchase"
    money = pd.DataFrame({  # cents summed exactly (as float64: whole numbers below 2^53), then as money
        "revenue_30d": amount.where(d < 30).groupby(g).sum() / 100.0,
        "revenue_90d": amount.where(d < 90).groupby(g).sum() / 100.0,
        "revenue_prev_90d": amount.where((d >= 90) & (d < 180)).groupby(g).sum() / 100.0,
        "purchases_180d": count_where(purchases & (d < 180), g),
        "purchase_amount_180d": amount.where(purchases & (d < 180)).groupby(g).sum() / 100.0,
        "refunds_90d": count_where((kind == "refund") & (d < 90), g),
        "days_since_last_purchase": d.where(purchases).groupby(g).min(),
    })
    money["last_charge"] = subs.groupby("customer_id")["cents"].last() / 100.0
    return money


def offers_at(data, cutoff_day):
    o = data.offer_events
    o = o[(o["day"] <= cutoff_day) & (o["day"] > cutoff_day - 365)]
    g, d, sent, retention = o["customer_id"], cutoff_day - o["day"], o["sent"], o["is_retention"]
    redeemed = ~sent
    return pd.DataFrame({
        "offers_received_30d": count_where(sent & (d < 30), g),
        "offers_received_90d": count_where(sent & (d < 90), g),
        "offers_redeemed_90d": count_where(redeemed & (d < 90), g),
        "days_since_offer_redeemed": d.where(redeemed).groupby(g).min(),
        "retention_offers_30d": count_where(sent & (d < 30) & retention, g),
        "retention_offers_90d": count_where(sent & (d < 90) & retention, g),
    })


def tickets_at(data, end_ms):
    tickets = data.tickets
    k = tickets[tickets["opened_ms"] < end_ms]
    g, closed, sat = k["customer_id"], k["closed_ms"], k["satisfaction"]
    closed_before = closed < end_ms
    rated = k[closed_before & sat.notna()].sort_values("closed_ms", kind="stable")
    ticket = pd.DataFrame({
        "tickets_30d": count_where(k["opened_ms"] >= end_ms - 30 * DAY_MS, g),
        "tickets_90d": count_where(k["opened_ms"] >= end_ms - 90 * DAY_MS, g),
        "unresolved_tickets": count_where(closed.isna() | (closed >= end_ms), g),
        "cancellation_tickets_90d": count_where((k["opened_ms"] >= end_ms - 90 * DAY_MS) &
                                                (k["category"] == "cancellation"), g),
        "avg_satisfaction": sat.where(closed_before & (closed >= end_ms - 180 * DAY_MS)).groupby(g).mean(),
    })
    ticket["last_satisfaction"] = rated.groupby("customer_id")["satisfaction"].last()
    return ticket


def features_at(data, cutoff, horizon):
    customers = data.customers
    cutoff_day = int(pd.Timestamp(cutoff).value // (DAY_MS * 1_000_000))
    end_ms = (cutoff_day + 1) * DAY_MS
    current = customers[customers["is_current"]]
    pop = current[(current["signup_day"] <= cutoff_day) &
                  (current["churn_day"].isna() | (current["churn_day"] > cutoff_day))]
    pop = pop[["customer_id", "signup_day", "churn_day"]].set_index("customer_id").sort_index()
    attrs = customers[(customers["valid_from_ms"] <= end_ms) & (customers["valid_to_ms"] > end_ms)]
    attrs = attrs[["customer_id", "segment", "contract", "monthly_fee"]].set_index("customer_id")
    attrs_pop = attrs[attrs.index.isin(pop.index)]
    median_fee = attrs_pop.groupby("segment", observed=True)["monthly_fee"].median()

    cutoff_month = pd.Timestamp(cutoff).year * 12 + pd.Timestamp(cutoff).month - 1
    usage, eng, first_day = usage_at(data, cutoff_day, cutoff_month, pop, attrs["segment"])
    f = pop.join(attrs).join(usage).join(money_at(data, cutoff_day)).join(offers_at(data, cutoff_day))
    f = f.join(tickets_at(data, end_ms))
    segment = f["segment"].astype("object")
    out = pd.DataFrame(index=f.index)
    label = (f["churn_day"] <= cutoff_day + horizon).astype(np.float32)
    zero = lambda c: f[c].fillna(0).astype("float64")
    out["tenure_days"] = cutoff_day - f["signup_day"]
    out["contract_months"] = f["contract"].astype("object").map({"annual": 12.0, "two_year": 24.0}).fillna(1.0)
    out["segment_smb"] = (segment == "smb").astype(float)
    out["segment_enterprise"] = (segment == "enterprise").astype(float)
    out["monthly_fee"] = f["monthly_fee"]
    out["fee_vs_segment"] = f["monthly_fee"] / segment.map(median_fee).astype("float64").replace(0, np.nan)
    out["last_charge"] = f["last_charge"]
    out["revenue_30d"] = zero("revenue_30d")
    out["revenue_90d"] = zero("revenue_90d")
    out["revenue_trend_90d"] = zero("revenue_90d") - zero("revenue_prev_90d")
    for c in ("usage_events_30d", "usage_events_prev_30d", "usage_events_60_90d", "usage_events_90d"):
        out[c] = zero(c)
    out["usage_trend_30d"] = np.log((zero("usage_events_30d") + 1.0) / (zero("usage_events_prev_30d") + 1.0))
    out["usage_trend_90d"] = np.log((zero("usage_events_30d") + 1.0) / (zero("usage_events_60_90d") + 1.0))
    out["usage_trend_180d"] = np.log((zero("usage_events_90d") + 1.0) / (zero("usage_events_prev_90d") + 1.0))
    out["usage_hours_30d"] = zero("usage_hours_30d")
    for c in ("active_days_30d", "active_days_90d", "active_days_180d", "active_days_prev_30d", "active_days_60_90d"):
        out[c] = zero(c)
    out["activity_trend_30d"] = np.log((zero("active_days_30d") + 1.0) / (zero("active_days_prev_30d") + 1.0))
    out["activity_trend_90d"] = np.log((zero("active_days_30d") + 1.0) / (zero("active_days_60_90d") + 1.0))
    mean_active = out["active_days_30d"][segment.notna()].groupby(segment[segment.notna()]).mean()
    out["activity_vs_segment"] = (out["active_days_30d"] + 0.5) / (segment.map(mean_active).astype("float64") + 0.5)
    out["days_since_last_use"] = f["days_since_last_use"].fillna(365)
    out["purchases_180d"] = zero("purchases_180d")
    out["purchase_amount_180d"] = zero("purchase_amount_180d")
    out["days_since_last_purchase"] = f["days_since_last_purchase"].fillna(365)
    out["refunds_90d"] = zero("refunds_90d")
    for c in ("tickets_30d", "tickets_90d", "unresolved_tickets"):
        out[c] = zero(c)
    out["last_satisfaction"] = f["last_satisfaction"]
    out["avg_satisfaction"] = f["avg_satisfaction"]
    for c in ("offers_received_30d", "offers_received_90d", "offers_redeemed_90d"):
        out[c] = zero(c)
    out["days_since_offer_redeemed"] = f["days_since_offer_redeemed"].fillna(365)
    out["retention_offers_30d"] = zero("retention_offers_30d")
    out["retention_offers_90d"] = zero("retention_offers_90d")
    out["cancellation_tickets_90d"] = zero("cancellation_tickets_90d")
    for k in range(3):
        out[f"engagement_month_{k}"] = eng[k]
    out["low_engagement"] = (-eng[0]).clip(lower=0).fillna(0)
    out["engagement_decline"] = (eng[2] - eng[0]).clip(lower=0).fillna(0)
    if first_day > cutoff_day - 179:  # the usage data begins less than 180 days before the cutoff
        out["usage_trend_180d"] = np.nan
        out["active_days_180d"] = np.nan
    return out[FEATURES].astype(np.float32), label




def roc_auc(y, p):
    ranks = pd.Series(p).rank(method="average").to_numpy()
    pos = y == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def main():
    folder, train_cutoffs, validation_cutoff, horizon = sys.argv[1], sys.argv[2].split(","), sys.argv[3], int(sys.argv[4])
    steps, last = [], [time.perf_counter(), time.process_time()]

    def done(step):  # wall and CPU seconds of each step, as custlake's "timings"
        wall, cpu = time.perf_counter(), time.process_time()
        steps.append({"step": step, "wall_s": round(wall - last[0], 3), "cpu_s": round(cpu - last[1], 3)})
        last[:] = [wall, cpu]

    data = load(folder)
    done("load")
    parts = [features_at(data, c, horizon) for c in train_cutoffs]
    x_train = pd.concat([p[0] for p in parts])
    y_train = pd.concat([p[1] for p in parts])
    x_valid, y_valid = features_at(data, validation_cutoff, horizon)
    done("features")
    params = {"objective": "binary:logistic", "eval_metric": "logloss", "tree_method": "hist", "eta": 0.05,
              "max_depth": 3, "min_child_weight": 5, "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 1,
              "seed": 42}
    dtrain = xgb.DMatrix(x_train.to_numpy(), label=y_train.to_numpy(), missing=np.nan)
    dvalid = xgb.DMatrix(x_valid.to_numpy(), label=y_valid.to_numpy(), missing=np.nan)
    booster = xgb.train(params, dtrain, num_boost_round=1000, evals=[(dvalid, "valid")], early_stopping_rounds=50,
                        verbose_eval=False)
    done("xgboost")
    p = booster.predict(dvalid, iteration_range=(0, booster.best_iteration + 1))
    print(json.dumps({"train_rows": len(y_train), "train_positives": int(y_train.sum()),
                      "validation_rows": len(y_valid), "validation_positives": int(y_valid.sum()),
                      "features": len(FEATURES), "best_iteration": booster.best_iteration,
                      "roc_auc": roc_auc(y_valid.to_numpy(), p), "timings": steps}))


if __name__ == "__main__":
    main()
