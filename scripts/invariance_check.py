"""Measure how exactly the shipped estimator keeps the invariances it promises, on random data sets
(n 300-5,000, 1-4 columns per side, a nonlinear dependence): row order, strictly monotone maps
(increasing and decreasing), swapping X and Y, column order within a side, and float32 input.
Writes docs/results/invariance/results.json and report.md (read by scripts/make_docs.py).

usage: python scripts/invariance_check.py [--sets 40] [--out docs/results/invariance]
"""
import argparse
import json
import warnings
from pathlib import Path

import numpy as np

from infoatlas import InfoAtlas

ap = argparse.ArgumentParser()
ap.add_argument("--sets", type=int, default=40)
ap.add_argument("--out", default="docs/results/invariance")
ap.add_argument("--model", default=None, help="weight file or shipped name (default: the shipped model)")
args = ap.parse_args()
est = InfoAtlas.from_pretrained(args.model)
checks = {"row order": [], "monotone maps (increasing and decreasing)": [], "X <-> Y swap": [],
          "column order": [], "float32 input": []}
warnings.simplefilter("ignore")
for s in range(args.sets):
    r = np.random.default_rng([s, 2026])
    n = int(r.integers(300, 5000))
    dx, dy = int(r.integers(1, 5)), int(r.integers(1, 5))
    x = r.standard_normal((n, dx))
    y = np.column_stack([np.tanh(x[:, 0]) + 0.5 * r.standard_normal(n), r.standard_normal((n, dy - 1))])
    a = est.estimate(x, y)

    def diff(b):
        return max(abs(a.mi - b.mi), abs(a.lower - b.lower), abs(a.upper - b.upper))

    p = r.permutation(n)
    checks["row order"].append(diff(est.estimate(x[p], y[p])))
    checks["monotone maps (increasing and decreasing)"].append(diff(est.estimate(-np.exp(x), np.arctan(-y) ** 3)))
    checks["X <-> Y swap"].append(diff(est.estimate(y, x)))
    checks["column order"].append(diff(est.estimate(x[:, ::-1], y[:, ::-1])))
    checks["float32 input"].append(diff(est.estimate(x.astype(np.float32), y.astype(np.float32))))
rows = [{"check": k, "max": float(np.max(v)), "median": float(np.median(v)), "exact_share": float(np.mean(np.array(v) == 0))}
        for k, v in checks.items()]
lines = [f"# Invariance check ({args.sets} data sets; largest change of mi, lower or upper, nats)", "",
         "| invariance | largest change | median change | data sets unchanged exactly |", "|---|---|---|---|"]
lines += [f"| {r['check']} | {r['max']:.2g} | {r['median']:.2g} | {r['exact_share']:.0%} |" for r in rows]
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)
(out / "report.md").write_text("\n".join(lines) + "\n")
(out / "results.json").write_text(json.dumps({"sets": args.sets, "rows": rows}, indent=1) + "\n")
print("\n".join(lines))
