"""Choice of the calibration's spread floor, on the calibration data themselves (validation
families, seed 0, the default grid: 19,200 data sets).

For each floor, factors are fitted per n (pooled over widths), per n and width class, and per n and
width class with no class below the pooled factors (`calibrate.fit_record`, widen only), and
applied with the estimator's rule; printed: in-sample coverage overall, by true-MI band and over the
48 (dims, n) cells, and the mean interval width in log1p nats (narrow: dx + dy <= 20, wide: above).
The network's quantiles are computed once with `calibrate.validation_quantiles` (about 20 minutes
here) and kept in NPZ.

usage (repository root): python docs/experiments/width_calibration/floor_scan.py [NPZ] > floor_scan.txt
"""
import sys
from pathlib import Path

import numpy as np

from infoatlas.intervals import Calibration, scale_interval
from infoatlas.training.calibrate import DEFAULT_NS, coverage_of, fit_record, validation_quantiles

path = Path(sys.argv[1] if len(sys.argv) > 1 else "valq_seed0.npz")
if not path.exists():
    q, truth, n, width = validation_quantiles("infoatlas-base", seed=0)
    np.savez(path, q=q, truth=truth, n=n, width=width)
d = np.load(path)
q, truth, n, width = d["q"], d["truth"], d["n"], d["width"]
bands = ((0, 0.05), (0.05, 0.5), (0.5, 1.5), (1.5, 3.0), (3.0, 9.0))
print(f"{truth.size} data sets; coverage in-sample (the data the factors are fitted on)\n")
print("classes  floor  coverage  cells min/max  " + "  ".join(f"MI {a}-{b}" for a, b in bands)
      + "  width narrow  width wide  wide at 20,000  upper factor at 20,000 (narrow, wide)")
RULES = {"pooled": dict(width_edges=()), "by width": dict(at_least_pooled=False),
         ">=pooled": dict(at_least_pooled=True)}  # by width, no class below the pooled factors
for rule, kw in RULES.items():
    for floor in (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12):
        rec = fit_record(q, truth, n, width, floor=floor, **kw)
        cal = Calibration(rec)
        f = np.array([cal.factors(a, b) for a, b in zip(n, width)])  # (m, 2)

        def cov(m):
            return coverage_of(q[m], truth[m], (f[m, 0], f[m, 1]), floor)

        lo, hi = np.maximum(scale_interval(q[:, 0], q[:, 1], q[:, 2], f[:, 0], f[:, 1], floor), 0.0)
        cells = [cov((n == k) & (width == w)) for k in DEFAULT_NS for w in np.unique(width)]
        wide = width > 20
        up = [cal.factors(20000, w)[1] for w in (2, 96)]
        print(f"{rule:8s} {floor:5.2f}  {cov(np.ones_like(wide)):8.3f}  "
              f"{min(cells):.2f} / {max(cells):.2f}    "
              + "  ".join(f"{cov((truth >= a) & (truth < b)):9.2f}" for a, b in bands)
              + f"  {(hi - lo)[~wide].mean():12.3f}  {(hi - lo)[wide].mean():10.3f}  "
              f"{(hi - lo)[wide & (n == 20000)].mean():14.3f}  {up[0]:.2f}, {up[1]:.2f}")
