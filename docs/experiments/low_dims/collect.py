"""Sides of one to three columns: the shipped estimator's reading next to KSG (k = 3, max-norm) in
the joint space of the copula scores of all rows, on draws the release benchmarks never use.
Writes one JSON line per data set, which rules.py (selection) and compare.py (evaluation) read.
The selection draws were read by the estimator before the floor of ``checks.FLOOR_DIMS_MAX``
existed; the evaluation reads each data set with the floor off (``before``) and on.

    python docs/experiments/low_dims/collect.py --select > docs/experiments/low_dims/select.jsonl
    python docs/experiments/low_dims/collect.py > docs/experiments/low_dims/evaluate.jsonl
    python docs/experiments/low_dims/collect.py --confirm > docs/experiments/low_dims/confirm.jsonl

Data: the held-out continuous families in 1+1, 2+1, 1+2, 2+2, 3+2 and 3+3 columns (gauss_block,
additive_uniform, student_t_flow, mixture_heldout), plain Gaussians, the validation families
(clayton_pairs, gauss_spiral), the held-out functional_noise, independent normal columns, and a
product of two columns plus noise, (a, b) against a b + s N (exact MI by quadrature,
docs/experiments/real_shapes/functions.py), at n = 200, 1,000 and 5,000.  Seeds: selection 301 /
stream 41, evaluation 302 / stream 42, confirmation of the lower end (whose idea came from the
evaluation draws) 303 / stream 43; the benchmarks use seed 0."""
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from infoatlas import InfoAtlas, checks
from infoatlas.bench.suite import atlas_suite
from infoatlas.copula import copula_normal
from infoatlas.knn import ksg_joint

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "real_shapes"))
from functions import product  # noqa: E402  (the exact MI of a b + s N, shared, not copied)

SELECT = "--select" in sys.argv
SEED, STREAM = (301, 41) if SELECT else (303, 43) if "--confirm" in sys.argv else (302, 42)
PER_CELL = 6
NS = (200, 1000, 5000)
DIMS = [(1, 1), (2, 1), (1, 2), (2, 2), (3, 2), (3, 3)]
FAMILIES = ["gauss_block", "additive_uniform", "student_t_flow", "mixture_heldout", "gauss_plain",
            "clayton_pairs", "gauss_spiral", "functional_noise"]


def cases(seed=SEED, stream=STREAM, ns=NS, dims=DIMS, per_cell=PER_CELL):
    """(name, family, x, y, MI) of every data set (also read by docs/experiments/light_ties)."""
    for c in atlas_suite(ns, dims, per_cell, families=FAMILIES, seed=seed):
        yield c.name, c.family, c.x, c.y, c.mi
    for si, s in enumerate((0.1, 0.3, 1.0)):
        sample, mi = product(s)
        for n in ns:
            for r in range(per_cell):
                x, y = sample(np.random.default_rng([stream, si, n, r]), n)
                yield f"product_s{s}/2x1/n{n}/{r}", f"product_s{s}", x, y, mi
    for di, (dx, dy) in enumerate(dims):
        for n in ns:
            for r in range(per_cell):
                rng = np.random.default_rng([stream, 9, di, n, r])
                yield f"independent/{dx}x{dy}/n{n}/{r}", "independent", rng.standard_normal((n, dx)), \
                    rng.standard_normal((n, dy)), 0.0


def main() -> None:
    model = InfoAtlas.from_pretrained(random_state=0)
    shipped = checks.FLOOR_MIN_ROWS
    for name, family, x, y, mi in cases():
        x = x.reshape(len(x), -1)
        y = y.reshape(len(y), -1)
        extra = {}
        if not SELECT:  # the evaluation: the estimator without the floor too, on the same data
            checks.FLOOR_MIN_ROWS = math.inf
            t0 = time.perf_counter()
            b = model.estimate(x, y)
            extra = {"before": [b.mi, b.lower, b.upper], "before_seconds": time.perf_counter() - t0}
            checks.FLOOR_MIN_ROWS = shipped
        t0 = time.perf_counter()
        e = model.estimate(x, y)
        t1 = time.perf_counter()
        zx = copula_normal(x, warn=False)[0]
        zy = copula_normal(y, warn=False)[0]
        tied = any(np.unique(c).size < c.size for c in (*zx.T, *zy.T))
        k = ksg_joint(np.ascontiguousarray(zx), np.ascontiguousarray(zy), 3)
        t2 = time.perf_counter()
        print(json.dumps({"case": name, "family": family, "dims": f"{x.shape[1]}x{y.shape[1]}", "n": len(x),
                          "truth": mi, "mi": e.mi, "lower": e.lower, "upper": e.upper, "ksg": k,
                          "tied": bool(tied), "notes": len(e.notes), "seconds": t1 - t0,
                          "ksg_seconds": t2 - t1, **extra}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
