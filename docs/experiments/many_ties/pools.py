"""Sides whose rows repeat whole (points from a finite pool) against a continuous side: their ties
kept, broken column by column, or as shipped.

    python docs/experiments/many_ties/pools.py > docs/experiments/many_ties/pools.md

Fresh draws (seed [91, i]) of the training family ``clusters_codebook`` where only one side is a
pool (the other side's points are continuous in their clusters) and some column is heavily tied
with more than 20 values; dims 1+1, 2+2, 4+4, 3+8, 8+8, MI drawn in [0.1, 2.5].  A training family
(the head saw other draws of it, with the ties kept), so this measures how a rule reads the kind of
data the head knows, not held-out accuracy.  "kept": ``infoatlas.discrete.tied_columns`` finds
none; "broken": every such column's ties broken (``InfoAtlas``'s pool test replaced by one that
finds none); "shipped": ties broken except on a side of several columns that is a pool.
"""
import contextlib
import warnings

import numpy as np

import infoatlas
from infoatlas import discrete
from infoatlas import estimator as E
from infoatlas.atlas import structured as S
from probes import ties_kept  # beside this script


@contextlib.contextmanager
def no_pool_rule():
    saved = E._pool_side
    E._pool_side = lambda a: False
    try:
        yield
    finally:
        E._pool_side = saved


def main(draws=200):
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    res = {}
    for i in range(draws):
        rng = np.random.default_rng([91, i])
        dx, dy = [(1, 1), (2, 2), (4, 4), (3, 8), (8, 8)][i % 5]
        t = S.clusters("clusters_codebook", dx, dy, float(rng.uniform(0.1, 2.5)), rng)
        if (t.sx.pool is None) == (t.sy.pool is None):  # pools on one side only
            continue
        n = (1000, 5000)[i % 2]
        x, y = t.sample(n, rng)
        if not (discrete.tied_columns(x).any() or discrete.tied_columns(y).any()):
            continue
        truth = t.mutual_information()
        with ties_kept():
            kept = model.estimate(x, y)
        with no_pool_rule():
            broken = model.estimate(x, y)
        shipped = model.estimate(x, y)
        pool_cols = (x if t.sx.pool is not None else y).shape[1]
        key = (n, "one column" if pool_cols == 1 else "several columns")
        res.setdefault(key, []).append([(e.mi - truth, e.lower <= truth <= e.upper) for e in (kept, broken, shipped)])
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print("| pool side | n | data sets | MAE kept | MAE broken | MAE shipped | signed kept | signed broken | "
          "signed shipped | coverage kept | coverage broken | coverage shipped |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (n, side), v in sorted(res.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        err = np.array([[e for e, _ in r] for r in v])
        cov = np.array([[c for _, c in r] for r in v])
        print(f"| {side} | {n:,} | {len(v)} | " + " | ".join(f"{a:.3f}" for a in np.abs(err).mean(0)) + " | "
              + " | ".join(f"{a:+.3f}" for a in err.mean(0)) + " | " + " | ".join(f"{a:.0%}" for a in cov.mean(0)) + " |")


if __name__ == "__main__":
    main()
