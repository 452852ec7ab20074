#!/usr/bin/env python3
"""A file with the columns of `custlake retention export-dataset` (customer_id, send_date, period, treated,
churned, then numeric features) from a known uplift law, to try peer.py without custlake:

    synthetic_dataset.py ROWS OUT.csv|OUT.parquet [SEED]

Treatment is random (P = 0.5 when the base risk exceeds 5 %, else 0.02, as the generator's campaigns);
churn within the horizon has base logit -2.5 + 0.8 fee - 1.0 tenure + 1.2 decline and the offer adds
-1.5 fee_high - 0 otherwise, damped by tickets, +0.4 for dormant rows. Rows sent before 2025-10-01 are
'train', later ones 'validation'.
"""
import sys

import numpy as np
import pandas as pd

rows, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
n = rows
fee = rng.normal(0, 0.5, n)
tenure = rng.exponential(1.0, n)
decline = np.maximum(0, rng.normal(0, 0.4, n))
tickets = rng.poisson(0.3, n)
dormant = (rng.random(n) < 0.1).astype(float)
noise = rng.normal(0, 1, (n, 5))
z = -2.5 + 0.8 * fee - 1.0 * tenure + 1.2 * decline + 0.45 * tickets + 0.6 * dormant
p0 = 1 / (1 + np.exp(-z))
treated = (rng.random(n) < np.where(p0 > 0.05, 0.5, 0.02)).astype(int)
effect = np.minimum(0, -0.8 - 2.0 * fee) * np.exp(-1.0 * tickets - 1.5 * decline) * (rng.random(n) < 0.3) + 0.4 * dormant
churned = (rng.random(n) < 1 / (1 + np.exp(-(z + treated * effect)))).astype(int)
day = pd.Timestamp("2025-03-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
frame = pd.DataFrame({"customer_id": rng.integers(1, max(2, n // 3), n), "send_date": day.strftime("%Y-%m-%d"),
                      "period": np.where(day < pd.Timestamp("2025-10-01"), "train", "validation"),
                      "treated": treated, "churned": churned, "fee": fee, "tenure": tenure, "decline": decline,
                      "tickets": tickets, "dormant": dormant})
for k in range(noise.shape[1]):
    frame[f"noise_{k}"] = noise[:, k]
frame.to_parquet(out, index=False) if out.endswith(".parquet") else frame.to_csv(out, index=False)
