"""Weak dependence in one pair of columns among several: the shapes of shapes.py in X's and Y's
first columns, the other columns independent standard normals (the MI is the shape's). The estimate
with the checks of infoatlas.checks switched off and on, and independent data of the same shapes
(every column independent) for how often the column-pair check triggers without dependence.
Nothing here was used to choose the check's constants (docs: README.md); seed 23.
``--rotated``: the same sides turned by a random rotation each (the dependence spread over all
columns, which no column pair shows), with KSG on the joint space next to them; seed 24.

    python docs/experiments/weak_shapes/columns.py > docs/experiments/weak_shapes/columns.jsonl
    python docs/experiments/weak_shapes/columns.py --summary docs/experiments/weak_shapes/columns.jsonl \
        > docs/experiments/weak_shapes/columns.md
    python docs/experiments/weak_shapes/columns.py --rotated > docs/experiments/weak_shapes/rotated.jsonl
    python docs/experiments/weak_shapes/columns.py --summary docs/experiments/weak_shapes/rotated.jsonl \
        > docs/experiments/weak_shapes/rotated.md
"""
import json
import sys
from pathlib import Path

import numpy as np

from scipy.stats import ortho_group

import infoatlas.checks as checks
from infoatlas import InfoAtlas
from infoatlas.baselines import KSG

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shapes  # noqa: E402

DIMS = [(2, 2), (3, 2), (4, 4), (8, 8)]


def _reading(model, x, y, on: bool) -> dict:
    checks.PAIR_CHECK = on
    e = model.estimate(x, y)
    checks.PAIR_CHECK = True
    return {"mi": e.mi, "lower": e.lower, "upper": e.upper,
            "changed": any(t.startswith("dependence the network misses") for t in e.notes)}


def collect(seed: int = 23, per_cell: int = 2, independent: int = 20) -> None:
    model = InfoAtlas.from_pretrained(random_state=0)
    rng = np.random.default_rng(seed)
    cells = [(sh, s) for sh, levels in shapes.LEVELS.items() for s in levels] + [("independent", 0.0)]
    for shape, s in cells:
        truth = 0.0 if shape == "independent" else shapes.true_mi(shape, s)[0]
        for dx, dy in DIMS:
            for n in (1000, 5000):
                for r in range(independent if shape == "independent" else per_cell):
                    if shape == "independent":
                        x0, y0 = rng.standard_normal(n), rng.standard_normal(n)
                    else:
                        x0, y0 = shapes.sample(shape, s, n, rng)
                    x = np.column_stack([x0, rng.standard_normal((n, dx - 1))])
                    y = np.column_stack([y0, rng.standard_normal((n, dy - 1))])
                    row = {"case": f"{shape}/s{s}/{dx}x{dy}/n{n}/{r}", "shape": shape, "dims": f"{dx}x{dy}", "n": n,
                           "truth": truth, "network": _reading(model, x, y, False), "checked": _reading(model, x, y, True)}
                    print(json.dumps(row))
                    sys.stdout.flush()


def collect_rotated(seed: int = 24, per_cell: int = 2) -> None:
    model = InfoAtlas.from_pretrained(random_state=0)
    rng = np.random.default_rng(seed)
    for shape in ("ring", "sin_3", "sin_5", "cross"):
        for s in shapes.LEVELS[shape][:2]:
            truth = shapes.true_mi(shape, s)[0]
            for d in (2, 4):
                for n in (1000, 5000):
                    for r in range(per_cell):
                        x0, y0 = shapes.sample(shape, s, n, rng)
                        x = np.column_stack([x0, rng.standard_normal((n, d - 1))]) @ ortho_group.rvs(d, random_state=rng)
                        y = np.column_stack([y0, rng.standard_normal((n, d - 1))]) @ ortho_group.rvs(d, random_state=rng)
                        row = {"case": f"{shape}/s{s}/{d}x{d}/n{n}/{r}", "shape": shape, "dims": f"{d}x{d}", "n": n,
                               "truth": truth, "network": _reading(model, x, y, False),
                               "checked": _reading(model, x, y, True), "ksg": float(KSG(k=3).estimate(x, y))}
                        print(json.dumps(row))
                        sys.stdout.flush()


def summary(path: str) -> None:
    rows = [json.loads(line) for line in open(path)]
    ksg = "ksg" in rows[0]
    where = "spread over all columns by a random rotation of each side" if ksg else "in one column pair among several"
    print(f"Weak dependence {where} ({path}; columns.py): MAE / 90% coverage "
          "(data sets the column-pair check changed), the network alone and with the checks.\n")
    print("| shape | dims | n | data sets | network | with the checks |" + (" KSG (joint space), MAE |" if ksg else ""))
    print("|---|---|---|---|---|---|" + ("---|" if ksg else ""))

    def cell(sel, key):
        err = np.mean([abs(r[key]["mi"] - r["truth"]) for r in sel])
        cov = np.mean([r[key]["lower"] <= r["truth"] <= r[key]["upper"] for r in sel])
        changed = sum(r[key]["changed"] for r in sel)
        return f"{err:.3f} / {cov:.0%}" + (f" ({changed})" if key == "checked" else "")

    groups = [("shape", "dims"), ("shape", None), (None, "dims"), (None, None)]
    for a, b in groups:
        keys = sorted({(r[a] if a else "all", r[b] if b else "all", r["n"]) for r in rows})
        for ka, kb, n in keys:
            sel = [r for r in rows if (a is None or r[a] == ka) and (b is None or r[b] == kb) and r["n"] == n
                   and (a is not None or r["shape"] != "independent")]
            if sel and (a, b) != ("shape", "dims"):
                extra = f" {np.mean([abs(r['ksg'] - r['truth']) for r in sel]):.3f} |" if ksg else ""
                print(f"| {ka} | {kb} | {n} | {len(sel)} | {cell(sel, 'network')} | {cell(sel, 'checked')} |" + extra)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--summary"]:
        summary(sys.argv[2])
    elif sys.argv[1:2] == ["--rotated"]:
        collect_rotated()
    else:
        collect()
