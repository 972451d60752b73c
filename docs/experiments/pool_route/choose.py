"""Choose how to estimate data whose rows repeat on both sides: the network, or KSG on the rows with
the copies moved apart (infoatlas.pooled), by the share of distinct rows.

Selection data only, fresh draws (seed 23) of training families: clusters_codebook (pools of rows on
one or both sides), gauss_rounded (one or both sides rounded to 21-150 levels), and independent
pairs of two codebook sides (MI 0).  Kept: data sets whose sides both have at most 60% distinct
rows.  For each: the network's own reading (the estimator without the route), infoatlas.pooled's
estimate and interval, and the KSG baseline (k = 3, seeded Gaussian jitter).  Writes choose.csv.

    python docs/experiments/pool_route/choose.py
"""
from pathlib import Path

import numpy as np
import pandas as pd

from infoatlas import InfoAtlas
from infoatlas.atlas import structured
from infoatlas.baselines import KSG
from infoatlas.bench.suite import draw_eval_mi
from infoatlas.pooled import distinct_share, pooled_estimate

DIMS = [(1, 64), (4, 16), (8, 8), (16, 64), (40, 40), (64, 64), (2, 2), (1, 1), (3, 6)]
NS = (500, 1000, 2000, 5000)


def draw(family, r, seed):
    rng = np.random.default_rng([seed, r, len(family)])
    dx, dy = DIMS[r % 6] if family != "gauss_rounded" else DIMS[6 + r % 3]
    n = NS[(r // 9) % 4]
    if family == "independent_codebook":
        side = lambda d: structured.OneSide(structured.clusters("clusters_codebook", d, 1, rng.uniform(0.5, 2.5), rng))  # noqa: E731
        task = structured.IndependentSides(side(dx), side(dy))
    else:
        task = structured.make(family, dx, dy, draw_eval_mi(rng, 5.0), rng)
    x, y = task.sample(n, rng)
    return x, y, task.mutual_information(), n


def main(seed=23, per_family=90):
    est, ksg = InfoAtlas.from_pretrained(random_state=0), KSG(k=3)
    rows = []
    for family in ("clusters_codebook", "gauss_rounded", "independent_codebook"):
        for r in range(per_family):
            x, y, truth, n = draw(family, r, seed)
            sx, sy = distinct_share(x), distinct_share(y)
            if max(sx, sy) > 0.6:
                continue
            plan = est._scored(x, y)  # the network's reading, without the route
            net = est._finish([plan])[0]
            mi, lo, hi, _ = pooled_estimate(x, y)
            rows.append(dict(family=family, dims=f"{x.shape[1]}x{y.shape[1]}", n=n, truth=truth,
                             net=net.mi, net_lower=net.lower, net_upper=net.upper,
                             pooled=mi, pooled_lower=lo, pooled_upper=hi, ksg=ksg.estimate(x, y),
                             share_x=sx, share_y=sy))
            print(rows[-1], flush=True)
    pd.DataFrame(rows).to_csv(Path(__file__).with_name("choose.csv"), index=False)


if __name__ == "__main__":
    main()
