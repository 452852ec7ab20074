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


def load(folder):
    activity = pd.read_csv(f"{folder}/activity.csv", dtype={"transaction_kind": "category", "activity_type": "category"})
    activity["day"] = activity["occurred_ms"] // DAY_MS
    days = pd.to_datetime(activity["day"], unit="D")
    activity["month"] = days.dt.year * 12 + days.dt.month - 1
    customers = pd.read_csv(f"{folder}/customers.csv")
    for c in ("signup_day", "churn_day"):
        customers[c] = customers[c].astype("float64")
    tickets = pd.read_csv(f"{folder}/tickets.csv")
    offers = pd.read_csv(f"{folder}/offers.csv")
    offers["is_retention"] = offers["campaign"].fillna("").str.lower().str.contains("retention")
    return activity, customers, tickets, offers


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
    seg = segment.reindex(pop.index)
    known = seg.notna()
    total_active = sum(active[k] for k in range(3))
    total_days = sum(exposure[k].fillna(0) for k in range(3))
    rate = total_active[known].groupby(seg[known]).sum() / total_days[known].groupby(seg[known]).sum().replace(0, np.nan)
    r = seg.map(rate)
    return {k: np.log((active[k] + 2.0) / (exposure[k] * r + 2.0)) for k in range(3)}


def features_at(data, cutoff, horizon):
    activity, customers, tickets, offers = data
    cutoff_day = int(pd.Timestamp(cutoff).value // (DAY_MS * 1_000_000))
    end_ms = (cutoff_day + 1) * DAY_MS
    current = customers[customers["is_current"]]
    pop = current[(current["signup_day"] <= cutoff_day) &
                  (current["churn_day"].isna() | (current["churn_day"] > cutoff_day))]
    pop = pop[["customer_id", "signup_day", "churn_day"]].set_index("customer_id").sort_index()
    attrs = customers[(customers["valid_from_ms"] <= end_ms) & (customers["valid_to_ms"] > end_ms)]
    attrs = attrs[["customer_id", "segment", "contract", "monthly_fee"]].set_index("customer_id")
    attrs_pop = attrs[attrs.index.isin(pop.index)]
    median_fee = attrs_pop.groupby("segment")["monthly_fee"].median()

    a = activity[(activity["occurred_ms"] < end_ms) & (activity["occurred_ms"] >= end_ms - 365 * DAY_MS)]
    ago = cutoff_day - a["day"]
    a = a.assign(ago=ago)

    u = a[a["activity_type"] == "usage"]
    g, d = u["customer_id"], u["ago"]
    usage = pd.DataFrame({
        "usage_events_30d": count_where(d < 30, g),
        "usage_events_prev_30d": count_where((d >= 30) & (d < 60), g),
        "usage_events_60_90d": count_where((d >= 60) & (d < 90), g),
        "usage_events_90d": count_where(d < 90, g),
        "usage_events_prev_90d": count_where((d >= 90) & (d < 180), g),
        "usage_hours_30d": u["duration_s"].where(d < 30, 0).fillna(0).groupby(g).sum() / 3600.0,
        "days_since_last_use": d.groupby(g).min(),
    })
    days = u[["customer_id", "day", "ago", "month"]].drop_duplicates(["customer_id", "day"])
    g, d = days["customer_id"], days["ago"]
    usage["active_days_30d"] = count_where(d < 30, g)
    usage["active_days_90d"] = count_where(d < 90, g)
    usage["active_days_180d"] = count_where(d < 180, g)
    usage["active_days_prev_30d"] = count_where((d >= 30) & (d < 60), g)
    usage["active_days_60_90d"] = count_where((d >= 60) & (d < 90), g)

    cutoff_month = pd.Timestamp(cutoff).year * 12 + pd.Timestamp(cutoff).month - 1
    first_day = u["day"].min()
    eng = engagement(days.assign(months_ago=cutoff_month - days["month"]), pop, attrs["segment"], cutoff_day,
                     cutoff_month, first_day)

    t = a[a["activity_type"] == "transaction"]
    g, d, amount, kind = t["customer_id"], t["ago"], t["amount"], t["transaction_kind"]
    subs = t[kind == "subscription"].sort_values("occurred_ms", kind="stable")
    purchases = t[kind == "purchase"]
    money = pd.DataFrame({
        "revenue_30d": amount.where(d < 30).groupby(g).sum(),
        "revenue_90d": amount.where(d < 90).groupby(g).sum(),
        "revenue_prev_90d": amount.where((d >= 90) & (d < 180)).groupby(g).sum(),
        "purchases_180d": count_where((kind == "purchase") & (d < 180), g),
        "purchase_amount_180d": amount.where((kind == "purchase") & (d < 180)).groupby(g).sum(),
        "refunds_90d": count_where((kind == "refund") & (d < 90), g),
    })
    money["last_charge"] = subs.groupby("customer_id")["amount"].last()
    money["days_since_last_purchase"] = purchases.groupby("customer_id")["ago"].min()

    o = a[a["activity_type"].isin(["offer_sent", "offer_redeemed"])]
    o = o.merge(offers[["offer_key", "is_retention"]], on="offer_key", how="left")
    g, d, sent = o["customer_id"], o["ago"], o["activity_type"] == "offer_sent"
    redeemed = o["activity_type"] == "offer_redeemed"
    retention = o["is_retention"].fillna(False).astype(bool)
    offer = pd.DataFrame({
        "offers_received_30d": count_where(sent & (d < 30), g),
        "offers_received_90d": count_where(sent & (d < 90), g),
        "offers_redeemed_90d": count_where(redeemed & (d < 90), g),
        "days_since_offer_redeemed": d.where(redeemed).groupby(g).min(),
        "retention_offers_30d": count_where(sent & (d < 30) & retention, g),
        "retention_offers_90d": count_where(sent & (d < 90) & retention, g),
    })

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

    f = pop.join(attrs).join(usage).join(money).join(offer).join(ticket)
    out = pd.DataFrame(index=f.index)
    label = (f["churn_day"] <= cutoff_day + horizon).astype(np.float32)
    zero = lambda c: f[c].fillna(0)
    out["tenure_days"] = cutoff_day - f["signup_day"]
    out["contract_months"] = f["contract"].map({"annual": 12.0, "two_year": 24.0}).fillna(1.0)
    out["segment_smb"] = (f["segment"] == "smb").astype(float)
    out["segment_enterprise"] = (f["segment"] == "enterprise").astype(float)
    out["monthly_fee"] = f["monthly_fee"]
    out["fee_vs_segment"] = f["monthly_fee"] / f["segment"].map(median_fee).replace(0, np.nan)
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
    mean_active = out["active_days_30d"][f["segment"].notna()].groupby(f["segment"]).mean()
    out["activity_vs_segment"] = (out["active_days_30d"] + 0.5) / (f["segment"].map(mean_active) + 0.5)
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
    data = load(folder)
    parts = [features_at(data, c, horizon) for c in train_cutoffs]
    x_train = pd.concat([p[0] for p in parts])
    y_train = pd.concat([p[1] for p in parts])
    x_valid, y_valid = features_at(data, validation_cutoff, horizon)
    params = {"objective": "binary:logistic", "eval_metric": "logloss", "tree_method": "hist", "eta": 0.05,
              "max_depth": 3, "min_child_weight": 5, "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 1,
              "seed": 42}
    dtrain = xgb.DMatrix(x_train.to_numpy(), label=y_train.to_numpy(), missing=np.nan)
    dvalid = xgb.DMatrix(x_valid.to_numpy(), label=y_valid.to_numpy(), missing=np.nan)
    booster = xgb.train(params, dtrain, num_boost_round=1000, evals=[(dvalid, "valid")], early_stopping_rounds=50,
                        verbose_eval=False)
    p = booster.predict(dvalid, iteration_range=(0, booster.best_iteration + 1))
    print(json.dumps({"train_rows": len(y_train), "train_positives": int(y_train.sum()),
                      "validation_rows": len(y_valid), "validation_positives": int(y_valid.sum()),
                      "features": len(FEATURES), "best_iteration": booster.best_iteration,
                      "roc_auc": roc_auc(y_valid.to_numpy(), p)}))


if __name__ == "__main__":
    main()
