"""One column a side, weak dependence of shapes no atlas family has (shapes.py): the network's
reading with the KSG check switched off, next to KSG (k = 3) on the copula scores of all rows.
Writes one JSON line per data set, which rules.py reads.  Seed 21 draws the data sets the rule is
chosen on, seed 22 those it is then reported on.

    python docs/experiments/weak_shapes/collect.py 21 > docs/experiments/weak_shapes/select.jsonl
    python docs/experiments/weak_shapes/collect.py 22 > docs/experiments/weak_shapes/evaluate.jsonl
"""
import json
import sys
from pathlib import Path

import numpy as np

import infoatlas.checks as checks
from infoatlas import InfoAtlas
from infoatlas.copula import copula_normal
from infoatlas.knn import ksg_pair

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shapes  # noqa: E402


def main(seed: int, per_cell: int = 6) -> None:
    checks.PAIR_CHECK = False  # the network's own reading
    model = InfoAtlas.from_pretrained(random_state=0)
    rng = np.random.default_rng(seed)
    for shape, levels in shapes.LEVELS.items():
        for s in levels:
            truth, se = shapes.true_mi(shape, s)
            for n in (200, 1000, 5000):
                for r in range(per_cell):
                    x, y = shapes.sample(shape, s, n, rng)
                    e = model.estimate(x, y)
                    u = copula_normal(x[:, None], warn=False)[0][:, 0]
                    v = copula_normal(y[:, None], warn=False)[0][:, 0]
                    print(json.dumps({"case": f"{shape}/s{s}/n{n}/{r}", "family": shape, "n": n, "truth": truth,
                                      "truth_se": se, "mi": e.mi, "lower": e.lower, "upper": e.upper,
                                      "ksg": ksg_pair(u, v, exact_sum=True), "tied": False}))
                    sys.stdout.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]))
