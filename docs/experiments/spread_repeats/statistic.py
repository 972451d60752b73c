"""The joint-space KSG statistic of the refinement head on pooled clusters: as computed for the
shipped weights (repeated rows at distance 0), with repeated rows spread apart
(``global_features(..., spread_repeats=True)``), and the jittered KSG baseline on the same rows.

Fresh draws of the training family clusters_codebook (seed [77, i]; dims 4+4 and 8+16), never a
held-out family.  Usage: python docs/experiments/spread_repeats/statistic.py
"""
import warnings

import numpy as np

from infoatlas.atlas import prior
from infoatlas.baselines import KSG
from infoatlas.copula import copula_normal
from infoatlas.knn import global_features

warnings.simplefilter("ignore")
ksg = KSG()
for n in (1000, 5000):
    err = {"as shipped (512 rows)": [], "spread (512 rows)": [], "KSG baseline, jittered (512 rows)": [],
           "KSG baseline, jittered (all rows)": []}
    for i in range(24):
        dx, dy = (4, 4) if i % 2 else (8, 16)
        x, y, mi = prior.sample_one(np.random.default_rng([77, i]), "clusters_codebook", n, dx, dy, "train")
        zx, _ = copula_normal(x, warn=False)
        zy, _ = copula_normal(y, warn=False)
        err["as shipped (512 rows)"].append(abs(4 * global_features(zx[:512], zy[:512])[0] - mi))
        err["spread (512 rows)"].append(abs(4 * global_features(zx[:512], zy[:512], spread_repeats=True)[0] - mi))
        err["KSG baseline, jittered (512 rows)"].append(abs(ksg.estimate(x[:512], y[:512]) - mi))
        err["KSG baseline, jittered (all rows)"].append(abs(ksg.estimate(x, y) - mi))
    print(f"n = {n}: mean absolute error of the k = 3 joint KSG, nats (24 data sets)")
    for k, v in err.items():
        print(f"  {k:36s} {np.mean(v):.3f}")
