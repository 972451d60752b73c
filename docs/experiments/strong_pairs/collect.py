"""One column a side, strong dependence: the network's reading (with the KSG check switched off)
next to KSG (k = 3) on the copula scores of all rows, on draws the benchmark never uses (seed 11):
the held-out 1+1 families, plain Gaussians, the validation family clayton_pairs and the held-out
functional_noise.  Writes one JSON line per data set (-> collect.jsonl), which rules.py reads.

    python docs/experiments/strong_pairs/collect.py > /tmp/strong_pairs.jsonl
"""
import json
import sys

import numpy as np

import infoatlas.checks as checks
from infoatlas import InfoAtlas
from infoatlas.bench.suite import atlas_suite
from infoatlas.copula import copula_normal
from infoatlas.knn import ksg_pair

FAMILIES = ["gauss_block", "additive_uniform", "student_t_flow", "mixture_heldout", "gauss_plain",
            "clayton_pairs", "functional_noise"]


def main(seed: int = 11, per_cell: int = 25) -> None:
    checks.PAIR_CHECK = False  # the network's own reading
    model = InfoAtlas.from_pretrained(random_state=0)
    for c in atlas_suite([200, 1000, 5000], [(1, 1)], per_cell, families=FAMILIES, seed=seed):
        e = model.estimate(c.x, c.y)
        u = copula_normal(c.x, warn=False)[0][:, 0]
        v = copula_normal(c.y, warn=False)[0][:, 0]
        tied = np.unique(u).size < u.size or np.unique(v).size < v.size
        print(json.dumps({"case": c.name, "family": c.family, "n": c.n, "truth": c.mi, "mi": e.mi,
                          "lower": e.lower, "upper": e.upper, "ksg": ksg_pair(u, v), "tied": bool(tied)}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
