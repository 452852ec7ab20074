#!/usr/bin/env python3
"""The peer of bench/retention: custlake's uplift meta-learner (src/retention/learner.h, a DR-learner over
XGBoost) in Python with pandas and the xgboost package, on the dataset `custlake retention export-dataset`
writes (columns customer_id, send_date, period, treated, churned, then numeric features).

    peer.py FILE.csv [--split-column period] [--id customer_id] [--treatment treated] [--outcome churned]

The same steps and parameters as custlake's learner (branch s/rmodel at d2222d6, 6 Dec 10:11 UTC):
  1. cross-fitting, 2 folds by a hash of the id (one customer's rows stay together): on the other fold,
     the propensity e(x) = P(treated | x) and mu0(x) = P(churned | x) on control rows, XGBoost
     classifiers ("nuisance": hist, eta 0.1, depth 4, min_child_weight 5, subsample 0.8, colsample 0.8,
     lambda 1, seed 42, at most 400 rounds, early stopping after 30 on the log loss of one id in ten),
     and mu1(x) as a shift of mu0: a logistic booster on the treated rows with e(x) >= 0.2 (the overlap;
     all treated rows if fewer than 200) started from mu0's log-odds (base margin; "shift": eta 0.05,
     depth 2, min_child_weight 50, as custlake's learner since 6 Dec 11:40 UTC);
  2. propensities clipped to [0.05, 0.95]; the doubly robust pseudo-outcome of the uplift (the reduction
     of the churn probability) psi = mu0 - mu1 + (1 - t)(y - mu0)/(1 - e) - t (y - mu1)/e;
  3. on the rows with out-of-fold e >= 0.2 (all if fewer than 200), a squared-error booster of psi
     started from the plug-in mu0 - mu1 (base margin; "uplift": eta 0.05, depth 3, min_child_weight 100,
     early stopping on the RMSE of one id in ten): the uplift model;
  4. refitted on all training rows: mu0 on the control rows, e on every row, and the shift on the
     treated rows in e's overlap (custlake keeps them for plans, the churn-risk policy and evaluation
     weights; its generic mode, which keeps no model, skips the refits of mu0 and e since 6 Dec 19:00 UTC
     and predicts with the folds' means: this peer keeps the learner as it was);
then the uplift of each validation row = uplift model started from mu0(x) - mu1(x), and its Qini
coefficient and AUUC with custlake's definitions (src/retention/uplift_metrics.h: success = not
churned, ties ranked as one group, unweighted as generic mode reports them) on the validation rows
(period = 'validation'; without --split-column a seeded 70/30 split by id).
Fold and split hashes: custlake's splitmix64 (HashKey) of the integer id, as custlake's generic mode
groups an integer id; on the same file both sides draw the same folds and splits. Prints one JSON line
with rows, rounds, qini_coefficient, auuc and timings.
"""
import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb

FOLD_SALT, STOP_SALT = 0x51ED2701, 0x7A3C9E11
M64 = (1 << 64) - 1
COMMON = {"tree_method": "hist", "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 1, "seed": 42, "verbosity": 0}
CLASSIFIER = {"objective": "binary:logistic", "eval_metric": "logloss"}
NUISANCE = {**COMMON, **CLASSIFIER, "eta": 0.1, "max_depth": 4, "min_child_weight": 5}
SHIFT = {**COMMON, **CLASSIFIER, "eta": 0.05, "max_depth": 2, "min_child_weight": 50}
UPLIFT = {**COMMON, "objective": "reg:squarederror", "eval_metric": "rmse", "eta": 0.05, "max_depth": 3,
          "min_child_weight": 100}
MAX_ROUNDS, EARLY_STOP, CLIP, FOLDS, TRIM, MIN_OVERLAP = 400, 30, 0.05, 2, 0.2, 200


def hash_key(keys, salt):
    """custlake's HashKey (splitmix64 of key + salt * golden + golden), vectorised over uint64."""
    golden = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        z = keys.astype(np.uint64) + np.uint64((salt * 0x9E3779B97F4A7C15) & M64) + golden
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def log_odds(p):
    q = np.clip(p.astype(np.float64), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q)).astype(np.float32)


class Model:
    """A booster keeping the rounds up to its best validation round."""

    def __init__(self, booster):
        self.booster, self.rounds = booster, booster.best_iteration + 1

    def predict(self, x, margin=None):
        d = xgb.DMatrix(x, missing=np.nan)
        if margin is not None:
            d.set_base_margin(margin)
        return self.booster.predict(d, iteration_range=(0, self.rounds))


def fit(x, target, groups, index, params, what, margin=None):
    """A booster on the rows `index`, early stopping on one group in ten; `margin` (one per row of `index`):
    base margins to start from."""
    stop = (hash_key(groups[index], STOP_SALT) % np.uint64(10)) == 0
    fit_rows, stop_rows = index[~stop], index[stop]
    if len(fit_rows) == 0 or len(stop_rows) == 0:
        sys.exit(f"peer.py: too few rows to fit the {what} ({len(index)} rows)")
    if margin is None and params["objective"] == "binary:logistic":
        positives = target[fit_rows].sum()
        if positives in (0, len(fit_rows)):
            sys.exit(f"peer.py: too few rows to fit the {what} ({len(fit_rows)} rows, {positives:.0f} positive)")
    sets = []
    for rows, part in ((fit_rows, ~stop), (stop_rows, stop)):
        d = xgb.DMatrix(x[rows], label=target[rows], missing=np.nan)
        if margin is not None:
            d.set_base_margin(margin[part])
        sets.append(d)
    booster = xgb.train(params, sets[0], MAX_ROUNDS, evals=[(sets[1], "valid")], early_stopping_rounds=EARLY_STOP,
                        verbose_eval=False)
    return Model(booster)


class Shifted:
    """mu1 = a logistic booster started from mu0's log-odds."""

    def __init__(self, mu0, booster):
        self.mu0, self.booster, self.rounds = mu0, booster, booster.rounds

    def predict(self, x):
        return self.booster.predict(x, log_odds(self.mu0.predict(x)))


def fit_shift(x, y, groups, index, mu0, what):
    """mu1: a logistic booster of the event on the treated rows `index`, started from mu0's log-odds."""
    return Shifted(mu0, fit(x, y, groups, index, SHIFT, what, margin=log_odds(mu0.predict(x[index]))))


def overlap(x, index, propensity):
    """The rows of `index` with propensity >= TRIM (all of them if fewer than MIN_OVERLAP remain)."""
    kept = index[propensity.predict(x[index]) >= TRIM]
    return index if len(kept) < MIN_OVERLAP else kept


def train_dr_learner(x, t, y, groups):
    n = len(y)
    e, mu0, mu1 = np.zeros(n), np.zeros(n), np.zeros(n)
    fold = (hash_key(groups, FOLD_SALT) % np.uint64(FOLDS)).astype(np.int64)
    everything = np.arange(n)
    for k in range(FOLDS):
        held, rest = everything[fold == k], everything[fold != k]
        where = f" (cross-fitting fold {k + 1} of {FOLDS})"
        propensity = fit(x, t, groups, rest, NUISANCE, "propensity model" + where)
        control = fit(x, y, groups, rest[t[rest] < 0.5], NUISANCE, "control outcome model" + where)
        treated_rows = overlap(x, rest[t[rest] > 0.5], propensity)
        treated = fit_shift(x, y, groups, treated_rows, control, "treated outcome model" + where)
        xh = x[held]
        e[held], mu0[held], mu1[held] = propensity.predict(xh), control.predict(xh), treated.predict(xh)
    clipped = np.clip(e, CLIP, 1 - CLIP)
    psi = (mu0 - mu1 + (1 - t) * (y - mu0) / (1 - clipped) - t * (y - mu1) / clipped).astype(np.float32)
    plug_in = mu0.astype(np.float32) - mu1.astype(np.float32)  # out of fold, the uplift model's start
    in_overlap = e >= TRIM
    stage = everything[in_overlap] if in_overlap.sum() >= MIN_OVERLAP else everything
    uplift = fit(x, psi, groups, stage, UPLIFT, "uplift model", margin=plug_in[stage])
    p_event = fit(x, y, groups, everything[t < 0.5], NUISANCE, "churn model without offer")
    propensity = fit(x, t, groups, everything, NUISANCE, "propensity model")
    treated_rows = overlap(x, everything[t > 0.5], propensity)
    shift = fit_shift(x, y, groups, treated_rows, p_event, "treated outcome model")
    info = {"clipped_propensities": int((clipped != e).sum()), "mean_pseudo_outcome": float(psi.mean()),
            "uplift_rounds": uplift.rounds, "shift_rounds": shift.rounds, "churn_rounds": p_event.rounds,
            "propensity_rounds": propensity.rounds, "overlap_rows": int(len(stage)),
            "overlap_treated_rows": int(len(treated_rows))}
    return uplift, p_event, shift, info


def predict_uplift(uplift, p_event, shift, x):
    """The uplift model started from the plug-in mu0(x) - mu1(x)."""
    plug_in = (p_event.predict(x) - shift.predict(x)).astype(np.float32)
    return uplift.predict(x, plug_in)


def qini_and_auuc(score, treated, event):
    """custlake's Qini coefficient and AUUC (uplift_metrics.h): rank by score, ties as one group."""
    order = np.argsort(-score, kind="stable")
    s, t, success = score[order], treated[order] > 0.5, (event[order] < 0.5).astype(np.float64)
    n = len(s)
    n_t, n_c = np.cumsum(t), np.cumsum(~t)
    s_t, s_c = np.cumsum(success * t), np.cumsum(success * ~t)
    ends = np.append(s[1:] != s[:-1], True)  # the last row of each tie group
    n_t, n_c, s_t, s_c = n_t[ends], n_c[ends], s_t[ends], s_c[ends]
    fraction = (np.nonzero(ends)[0] + 1) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        qini = np.where(n_c > 0, (s_t - s_c * n_t / np.maximum(n_c, 1)) / n, 0.0)
        uplift = np.where((n_t > 0) & (n_c > 0), (s_t / np.maximum(n_t, 1) - s_c / np.maximum(n_c, 1)) * fraction, 0.0)
    fraction, qini, uplift = np.append(0, fraction), np.append(0, qini), np.append(0, uplift)
    w = np.diff(fraction)
    qini_area = float((w * (qini[1:] + qini[:-1]) / 2).sum())
    return qini_area - qini[-1] / 2, float((w * (uplift[1:] + uplift[:-1]) / 2).sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--treatment", default="treated")
    ap.add_argument("--outcome", default="churned")
    ap.add_argument("--id", default="customer_id")
    ap.add_argument("--split-column", default="")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    start = time.perf_counter()
    data = pd.read_parquet(a.file) if a.file.endswith(".parquet") else pd.read_csv(a.file)
    for col in [a.treatment, a.outcome, a.id] + ([a.split_column] if a.split_column else []):
        if col not in data.columns:
            sys.exit(f"peer.py: {a.file}: no column '{col}' (columns: {', '.join(data.columns)})")
    for col, what in ((a.treatment, "treatment"), (a.outcome, "outcome")):
        values = set(pd.unique(data[col].dropna()))
        if not values <= {0, 1} or (what == "treatment" and len(values) < 2):
            sys.exit(f"peer.py: {a.file}: the {what} column '{col}' must hold 0 and 1 (it holds {sorted(values)[:5]})")
    skip = {a.treatment, a.outcome, a.id, a.split_column}
    features = [c for c in data.columns if c not in skip and pd.api.types.is_numeric_dtype(data[c])]
    x = data[features].to_numpy(dtype=np.float32)
    t = data[a.treatment].to_numpy(dtype=np.float64)
    y = data[a.outcome].to_numpy(dtype=np.float64)
    groups = data[a.id].to_numpy(dtype=np.int64).astype(np.uint64)
    if a.split_column:
        period = data[a.split_column].astype(str).str.lower()
        bad = ~period.isin(["train", "validation", "valid", "test"])
        if bad.any():
            sys.exit(f"peer.py: {a.file}: the split column '{a.split_column}' holds '{period[bad].iloc[0]}'; "
                     "its values must be 'train' or 'validation'")
        train = (period == "train").to_numpy()
    else:
        train = (hash_key(groups, a.seed) % np.uint64(10)) < 7
    read_s = time.perf_counter() - start

    t0 = time.perf_counter()
    uplift, p_event, shift, info = train_dr_learner(x[train], t[train], y[train], groups[train])
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    valid = ~train
    predicted = predict_uplift(uplift, p_event, shift, x[valid])
    predict_s = time.perf_counter() - t0
    qini, auuc = qini_and_auuc(predicted, t[valid], y[valid])
    print(json.dumps({"rows": int(len(y)), "train_rows": int(train.sum()), "validation_rows": int(valid.sum()),
                      "features": len(features), **info, "qini_coefficient": qini, "auuc": auuc,
                      "timings": {"read_seconds": read_s, "train_seconds": train_s, "predict_seconds": predict_s,
                                  "total_seconds": time.perf_counter() - start}}))


if __name__ == "__main__":
    main()
