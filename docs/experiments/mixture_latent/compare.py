"""The shipped weights against a candidate head (written for the head refitted on atlas 1.7, with
mixture_wide, before it was shipped; reused for later candidates), on fresh draws of training
families (seed [4343, ...]) and on the validation families; never a held-out family.  MAE only
(the candidate need not be calibrated).  Writes compare.txt next to this file, or to OUT when given.

    python docs/experiments/mixture_latent/compare.py CANDIDATE.safetensors [OUT]
"""
import sys
import warnings
from pathlib import Path

import numpy as np

import infoatlas
from infoatlas.atlas import prior

NARROW = [(1, 1), (4, 4), (8, 16), (32, 32)]
WIDE = [(4, 16), (8, 8), (16, 64), (40, 40)]
FAMILIES = {"train": [("mixture_wide", WIDE), ("mixture", NARROW), ("gauss_dense", NARROW), ("student_t", NARROW),
                      ("manifold_tanh", WIDE), ("clusters_ball", WIDE), ("gauss_wide", [(8, 8), (16, 64), (40, 40), (64, 64)])],
            "validation": [("clayton_pairs", NARROW), ("gauss_spiral", NARROW), ("manifold_fourier", WIDE),
                           ("clusters_shell", WIDE)]}


def main(candidate: str, out: str | None = None, per_cell: int = 12):
    warnings.simplefilter("ignore")
    ests = {"shipped": infoatlas.InfoAtlas.from_pretrained(), "candidate": infoatlas.InfoAtlas.from_pretrained(candidate)}
    lines = []
    for split, fams in FAMILIES.items():
        for fam, dims in fams:
            for n in (1000, 5000):
                err = {k: [] for k in ests}
                for i in range(per_cell):
                    rng = np.random.default_rng([4343, sum(map(ord, fam)), n, i])
                    x, y, mi = prior.sample_one(rng, fam, n, *dims[i % 4], split)
                    for k, e in ests.items():
                        err[k].append(abs(e.estimate(x, y).mi - mi))
                lines.append(f"{split:10s} {fam:16s} n={n:5d}  " + "  ".join(f"{k} {np.mean(v):.3f}" for k, v in err.items()))
                print(lines[-1], flush=True)
    Path(out or Path(__file__).with_name("compare.txt")).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
