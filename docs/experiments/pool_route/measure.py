"""Network vs KSG (k = 3, jittered) on data whose rows repeat, by the share of distinct rows.

Selection data only: fresh draws (seed 11) of the training families clusters_codebook (pools of
rows), gauss_rounded (ties), clusters_ball (no repeats), independent_wide, and the validation
family clusters_shell.  Writes measure.csv next to this file.

    python docs/experiments/pool_route/measure.py
"""
from pathlib import Path

import numpy as np
import pandas as pd

from infoatlas import InfoAtlas
from infoatlas.atlas import structured
from infoatlas.baselines import KSG
from infoatlas.bench.suite import draw_eval_mi

DIMS = [(1, 64), (4, 16), (8, 8), (16, 64), (40, 40), (64, 64)]
ROUNDED_DIMS = [(1, 1), (1, 3), (2, 2), (3, 6)]
FAMILIES = ["clusters_codebook", "gauss_rounded", "clusters_ball", "independent_wide", "clusters_shell"]


def share(a):
    return np.unique(a, axis=0).shape[0] / a.shape[0]


def main(per_cell=3, seed=11):
    net, ksg = InfoAtlas.from_pretrained(random_state=0), KSG(k=3)
    rows = []
    for fi, fam in enumerate(FAMILIES):
        for di, (dx, dy) in enumerate(ROUNDED_DIMS if fam == "gauss_rounded" else DIMS):
            for n in (1000, 5000):
                for r in range(per_cell):
                    rng = np.random.default_rng([seed, fi, di, n, r])
                    task = structured.make(fam, dx, dy, draw_eval_mi(rng, 5.0), rng)
                    x, y = task.sample(n, rng)
                    e = net.estimate(x, y)
                    rows.append(dict(family=fam, dims=f"{dx}x{dy}", n=n, truth=task.mutual_information(),
                                     net=e.mi, lower=e.lower, upper=e.upper, ksg=ksg.estimate(x, y),
                                     share_x=share(x), share_y=share(y)))
                    print(rows[-1], flush=True)
    out = pd.DataFrame(rows)
    out.to_csv(Path(__file__).with_name("measure.csv"), index=False)


if __name__ == "__main__":
    main()
