"""Shipped weights against a candidate with a refitted head, on fresh draws of training families
(seed [4242, ...]) and on the validation families; never a held-out family.  MAE only (the candidate
is not calibrated).  Usage: python docs/experiments/spread_repeats/compare.py CANDIDATE.safetensors
"""
import sys
import warnings

import numpy as np

import infoatlas
from infoatlas.atlas import prior

warnings.simplefilter("ignore")
ests = {"shipped": infoatlas.InfoAtlas.from_pretrained(), "candidate": infoatlas.InfoAtlas.from_pretrained(sys.argv[1])}
families = {"train": ["clusters_codebook", "gauss_rounded", "gauss_dense", "student_t", "manifold_tanh", "clusters_ball"],
            "validation": ["clayton_pairs", "gauss_spiral", "manifold_fourier", "clusters_shell"]}
for split, names in families.items():
    for fam in names:
        for n in (1000, 5000):
            err = {k: [] for k in ests}
            for i in range(12):
                rng = np.random.default_rng([4242, sum(map(ord, fam)), n, i])
                dims = [(1, 1), (2, 3), (4, 4), (6, 6)] if fam == "gauss_rounded" else [(1, 1), (4, 4), (8, 16), (32, 32)]
                x, y, mi = prior.sample_one(rng, fam, n, *dims[i % 4], split)
                for k, e in ests.items():
                    err[k].append(abs(e.estimate(x, y).mi - mi))
            print(f"{split:10s} {fam:18s} n={n:5d}  " + "  ".join(f"{k} {np.mean(v):.3f}" for k, v in err.items()),
                  flush=True)
