"""KSG on finite pools of points (the pooled route's estimator, infoatlas.pooled.pooled_ksg) on
5,000 of 20,000 rows: a subsample in which each distinct row keeps its share, against a simple
random subsample and all rows.  Held-out clusters_pool data sets (seed 11, not the benchmark's 0),
8, 40 and 64 columns a side, six per width.  Prints a markdown table (-> compare.md).

    python docs/experiments/pool_subsample/compare.py > docs/experiments/pool_subsample/compare.md
"""
import time

import numpy as np
import pandas as pd

from infoatlas import pooled
from infoatlas.bench.suite import atlas_suite
from infoatlas.features import order_rows


def share_keeping(a: np.ndarray, m: int, random_state: int) -> np.ndarray:
    """m rows of a (n, d) in which each group of identical rows keeps floor(m count / n) rows, the
    rest going to the largest remainders (the rule subsample_rows followed before)."""
    _, first, inverse, counts = np.unique(a, axis=0, return_index=True, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    rank = np.argsort(order_rows(a[first], random_state), kind="stable")
    share = m * counts / a.shape[0]
    quota = np.floor(share).astype(int)
    quota[np.lexsort((rank, -(share - quota)))[: m - quota.sum()]] += 1
    by_group = np.argsort(inverse, kind="stable")
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    return np.sort(np.concatenate([by_group[s: s + q] for s, q in zip(starts, quota) if q]))


def main(seed: int = 11, m: int = 5000) -> None:
    rows = []
    for c in atlas_suite([20000], [(8, 8), (40, 40), (64, 64)], 6, ["clusters_pool"], seed=seed):
        if not pooled.is_pooled(c.x, c.y):
            continue
        xy = np.hstack([c.x, c.y])
        share = share_keeping(xy, m, seed)
        rand = np.sort(np.random.default_rng([seed, 1]).choice(len(xy), m, replace=False))
        t = time.perf_counter()
        full = max(pooled.pooled_ksg(c.x, c.y, random_state=seed), 0.0)
        rows.append({"data set": c.name, "truth": c.mi,
                     "share-keeping 5,000": max(pooled.pooled_ksg(c.x[share], c.y[share], random_state=seed), 0.0),
                     "random 5,000": max(pooled.pooled_ksg(c.x[rand], c.y[rand], random_state=seed), 0.0),
                     "all 20,000": full, "seconds (all)": time.perf_counter() - t})
    df = pd.DataFrame(rows)
    cols = ["share-keeping 5,000", "random 5,000", "all 20,000"]
    mae = {k: float((df[k] - df["truth"]).abs().mean()) for k in cols}
    bias = {k: float((df[k] - df["truth"]).mean()) for k in cols}
    print("| " + " | ".join(df.columns) + " |\n|---|" + "---|" * (len(df.columns) - 1))
    for r in df.itertuples(index=False):
        print(f"| {r[0]} | " + " | ".join(f"{v:.3f}" if i < 4 else f"{v:.1f}" for i, v in enumerate(r[1:])) + " |")
    print()
    print("| | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols))
    print("| MAE (nats) | " + " | ".join(f"{mae[k]:.3f}" for k in cols) + " |")
    print("| mean signed error | " + " | ".join(f"{bias[k]:+.3f}" for k in cols) + " |")


if __name__ == "__main__":
    main()
