"""Dependence spread over the columns of small sides (dx + dy <= 6): the shipped estimate next to
KSG in the joint space (k = 3, max-norm) on the copula scores of all rows, and the head's own
joint-space KSG statistic on 512 rows (the candidate trigger), one JSON line per data set.

Data (each a pure function of the seed):

- ``shapes``: the weak shapes of docs/experiments/weak_shapes (ring, sin 3x, sin 5x, cross, scale)
  at their three noise levels and at two smaller ones (stronger dependence: MI 0.37-1.7 nats), in X's and
  Y's first columns next to independent normal columns, each side turned by a random rotation (for
  one column, none): the dependence is in no single column pair;
- ``atlas``: draws of atlas families at the same widths: training and validation families on the
  selection seed (31), the held-out ones and functional_noise on the evaluation seed (32);
- ``independent``: the shapes' margins with Y's rows permuted, for false alarms.

    python docs/experiments/joint_check/collect.py 31 > docs/experiments/joint_check/select.jsonl
    python docs/experiments/joint_check/collect.py 32 > docs/experiments/joint_check/evaluate.jsonl
"""
import json
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.stats import ortho_group

from infoatlas import InfoAtlas
from infoatlas.bench.suite import atlas_suite
from infoatlas.knn import ksg_joint

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "weak_shapes"))
import shapes  # noqa: E402

DIMS = [(1, 2), (2, 2), (2, 3), (3, 3)]
NS = (1000, 5000)
#: the shapes' levels and two stronger ones each
LEVELS = {"ring": (0.05, 0.1) + shapes.LEVELS["ring"], "sin_3": (0.1, 0.25) + shapes.LEVELS["sin_3"],
          "sin_5": (0.1, 0.25) + shapes.LEVELS["sin_5"], "cross": (0.1, 0.25) + shapes.LEVELS["cross"],
          "scale": (0.02, 0.05) + shapes.LEVELS["scale"]}
SELECT_FAMILIES = ["gauss_dense", "student_t", "mixture", "additive_noise", "clayton_pairs", "gauss_spiral"]
EVALUATE_FAMILIES = ["gauss_block", "additive_uniform", "student_t_flow", "mixture_heldout", "functional_noise"]


@lru_cache(maxsize=None)
def truth(shape: str, s: float) -> float:
    return shapes.true_mi(shape, s)[0]


def record(model, kind, name, x, y, mi_true) -> dict:
    e = model.estimate(x, y)
    p = model.prepare(x, y, null=False)
    knn = p.inputs["knn"][0].numpy()
    t512 = 4.0 * float(knn[2 * model.cfg.n_knn + 1])  # the head's joint KSG (k = 3), clipped to [-1, 12]
    zx, zy = p.scores
    tied = any(np.unique(c).size < c.size for c in list(zx.T) + list(zy.T))
    return {"kind": kind, "case": name, "dims": f"{x.shape[1]}x{y.shape[1]}", "n": len(x), "truth": mi_true,
            "mi": e.mi, "lower": e.lower, "upper": e.upper, "changed": any("misses" in t for t in e.notes),
            "t512": t512, "ksg": ksg_joint(zx, zy), "tied": bool(tied)}


def main(seed: int) -> None:
    model = InfoAtlas.from_pretrained(random_state=0)
    rng = np.random.default_rng(seed)

    def emit(row):
        print(json.dumps(row))
        sys.stdout.flush()

    def rotate(a):
        return a if a.shape[1] == 1 else a @ ortho_group.rvs(a.shape[1], random_state=rng)

    for shape, levels in LEVELS.items():
        for s in levels:
            for dx, dy in DIMS:
                for n in NS:
                    x0, y0 = shapes.sample(shape, s, n, rng)
                    x = rotate(np.column_stack([x0, rng.standard_normal((n, dx - 1))]))
                    y = rotate(np.column_stack([y0, rng.standard_normal((n, dy - 1))]))
                    emit(record(model, "shapes", f"{shape}/s{s}/{dx}x{dy}/n{n}", x, y, truth(shape, s)))
                    if s == levels[-1]:  # independent: the same margins, Y's rows permuted
                        emit(record(model, "independent", f"{shape}/{dx}x{dy}/n{n}", x, y[rng.permutation(n)], 0.0))
    families = SELECT_FAMILIES if seed == 31 else EVALUATE_FAMILIES
    for c in atlas_suite(list(NS), DIMS, 2, families=families, seed=seed):
        emit(record(model, "atlas", c.name, c.x, c.y, c.mi))


if __name__ == "__main__":
    main(int(sys.argv[1]))
