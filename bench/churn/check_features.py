#!/usr/bin/env python3
"""The peer's features (churn_peer.py's features_at) against custlake's own (models/churn/features.sql's
rows, CSV from `custlake query`), customer by customer and feature by feature, at each cutoff.

    check_features.py DIR CUSTLAKE_FEATURES_CSV CUTOFFS HORIZON_DAYS

DIR holds the peer's CSV exports (bench/peer_tables.sh). Both sides are compared as float32 (the
matrices the two XGBoosts are given): equal, or within 1e-6 relative (a sum in another order), NaN
only where the other is NaN. Prints one line per cutoff and each feature that differs; exits 1 when
any customer, label or feature differs.
"""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from churn_peer import FEATURES, features_at, load  # noqa: E402


def compare(cutoff, ours, labels, theirs):
    problems = []
    theirs = theirs.set_index("customer_id").sort_index()
    if not ours.index.equals(theirs.index):
        only_peer = ours.index.difference(theirs.index)
        only_custlake = theirs.index.difference(ours.index)
        return [f"customers differ: {len(only_peer)} only in the peer (e.g. {list(only_peer[:5])}), "
                f"{len(only_custlake)} only in custlake (e.g. {list(only_custlake[:5])})"]
    if not np.array_equal(labels.to_numpy(), theirs["label"].to_numpy(dtype=np.float32)):
        problems.append(f"labels differ for {(labels.to_numpy() != theirs['label'].to_numpy()).sum()} customers")
    for name in FEATURES:
        a = ours[name].to_numpy(dtype=np.float32)
        b = theirs[name].to_numpy(dtype=np.float64).astype(np.float32)
        nan_differs = np.isnan(a) != np.isnan(b)
        both = ~np.isnan(a) & ~np.isnan(b)
        far = both & (np.abs(a - b) > 1e-6 * np.maximum(np.abs(a), np.abs(b)))
        if nan_differs.any() or far.any():
            bad = np.flatnonzero(nan_differs | far)
            i = bad[0]
            problems.append(f"{name}: {len(bad)} customers differ (e.g. customer {ours.index[i]}: peer {a[i]}, "
                            f"custlake {b[i]})")
    return problems


def main():
    folder, custlake_csv, cutoffs, horizon = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
    data = load(folder)
    theirs = pd.read_csv(custlake_csv, dtype={"cutoff": "object"})
    failed = False
    for cutoff in cutoffs:
        ours, labels = features_at(data, cutoff, horizon)
        problems = compare(cutoff, ours, labels, theirs[theirs["cutoff"] == cutoff].drop(columns="cutoff"))
        print(f"cutoff {cutoff}: {len(ours)} customers, {len(FEATURES)} features: "
              f"{'equal' if not problems else f'{len(problems)} differences'}")
        for p in problems:
            print(f"  {p}")
        failed |= bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
