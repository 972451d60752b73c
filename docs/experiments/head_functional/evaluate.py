"""Does a refinement head fitted on atlas 1.8 (with the training family functional_train) read
non-monotone dependence better than one fitted on atlas 1.7, the trunk and everything else equal?

Two heads with the shipped head's settings (two heads each, width 128, 80 epochs, loss weights
gauss_dense=2, gauss_sparse=2) on 20,000 data sets of each atlas version's training stream (seed 500)
and 2,000 for early stopping: README.md has the commands.  Both are scored here with the estimator's
checks against KSG switched off (the network's own reading: what the head changes) on draws no
benchmark uses (seed 41): the held-out functional_noise (1+1, 2+2, 3+3), the default held-out
families (regressions), plain Gaussians, and the rotated weak shapes of docs/experiments/joint_check
(ring, sin 3x, sin 5x, cross, spread-only; the training family has sin 4x and sin(6x + 1), so the
sines there are near the training functions; the ring, the cross and the spread-only shape are not).
The shipped head (240,000 data sets of atlas 1.7) is scored alongside.  MAE of the median in nats
and the mean signed error, by group and n; one JSON line per data set and model.

    python docs/experiments/head_functional/evaluate.py A.safetensors B.safetensors > records.jsonl
    python docs/experiments/head_functional/evaluate.py --summary records.jsonl > summary.md
"""
import json
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import ortho_group

import infoatlas.checks as checks
from infoatlas import InfoAtlas
from infoatlas.bench.suite import atlas_suite

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "weak_shapes"))
import shapes  # noqa: E402

SEED = 41


def cases():
    out = []
    for c in atlas_suite([200, 1000, 5000], [(1, 1), (2, 2), (3, 3)], 6, families=["functional"], seed=SEED):
        out.append(("functional", c.name, c.x, c.y, c.mi))
    for c in atlas_suite([200, 1000, 5000], [(1, 1), (3, 3), (2, 6), (8, 8)], 3, seed=SEED):
        out.append(("heldout", c.name, c.x, c.y, c.mi))
    for c in atlas_suite([200, 1000, 5000], [(1, 1), (3, 3), (8, 8)], 4, families=["gauss_plain"], seed=SEED):
        out.append(("gauss_plain", c.name, c.x, c.y, c.mi))
    rng = np.random.default_rng(SEED)
    for shape in ("ring", "sin_3", "sin_5", "cross", "scale"):
        for s in shapes.LEVELS[shape]:
            mi = shapes.true_mi(shape, s)[0]
            for d in (1, 2, 3):
                for n in (1000, 5000):
                    x0, y0 = shapes.sample(shape, s, n, rng)
                    x = np.column_stack([x0, rng.standard_normal((n, d - 1))])
                    y = np.column_stack([y0, rng.standard_normal((n, d - 1))])
                    if d > 1:
                        x = x @ ortho_group.rvs(d, random_state=rng)
                        y = y @ ortho_group.rvs(d, random_state=rng)
                    out.append(("shapes", f"{shape}/s{s}/{d}x{d}/n{n}", x, y, mi))
    return out


def collect(paths):
    checks.PAIR_CHECK = False
    data = cases()
    for path in ["infoatlas-base"] + paths:
        model = InfoAtlas.from_pretrained(path, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for group, name, x, y, mi in data:
                e = model.estimate(x, y)
                print(json.dumps({"model": Path(path).stem, "group": group, "case": name, "n": len(x),
                                  "truth": mi, "mi": e.mi}), flush=True)


def summary(path):
    rows = [json.loads(line) for line in open(path)]
    models = list(dict.fromkeys(r["model"] for r in rows))
    print("MAE / mean signed error of the network's median (checks off), nats, by group and n "
          f"({path}; evaluate.py).\n")
    print("| group | n | data sets | " + " | ".join(models) + " |")
    print("|---|---|---|" + "---|" * len(models))
    keys = sorted({(r["group"], r["n"]) for r in rows}) + sorted({(r["group"], 0) for r in rows})
    for g, n in keys:
        cells = []
        for m in models:
            sel = [r for r in rows if r["model"] == m and r["group"] == g and (n == 0 or r["n"] == n)]
            err = np.array([r["mi"] - r["truth"] for r in sel])
            cells.append(f"{np.abs(err).mean():.3f} / {err.mean():+.3f}")
        print(f"| {g} | {n or 'all'} | {len(sel)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        summary(sys.argv[2])
    else:
        collect(sys.argv[1:])
