"""Calibration rules compared by how they carry over to a family they were not fitted on, using the
validation families only: fit on three of the four, measure coverage on the fourth, per (n, width
class: dx + dy <= 20 or above), for each family left out in turn.

Reads the network's quantiles kept by floor_scan.py (NPZ; the default grid, seed 0: the cases come
family by family, 8 dims x 6 n x 100 data sets each).

usage (repository root): python docs/experiments/width_calibration/leave_one_family_out.py NPZ > lofo.txt
"""
import sys

import numpy as np

from infoatlas.atlas import prior
from infoatlas.intervals import Calibration, scale_interval
from infoatlas.training.calibrate import DEFAULT_DIMS, DEFAULT_NS, fit_record

d = np.load(sys.argv[1] if len(sys.argv) > 1 else "valq_seed0.npz")
q, truth, n, width = d["q"], d["truth"], d["n"], d["width"]
per_family = len(DEFAULT_DIMS) * len(DEFAULT_NS) * 100
assert truth.size == per_family * len(prior.VALIDATION_FAMILIES), "expected the default grid with 100 per cell"
family = np.arange(truth.size) // per_family
t = np.log1p(truth)
RULES = {"by n (no floor)": dict(width_edges=(), floor=0.0),
         "by n, floor 0.02": dict(width_edges=()),
         "by n and width, no floor": dict(floor=0.0, at_least_pooled=False),
         "by n and width, floor 0.02": dict(at_least_pooled=False),
         "by n and width, floor 0.02, classes >= pooled": dict()}
print(f"{truth.size} data sets; each family left out in turn; cells: (left-out family, n, width class)\n")
print(f"{'rule':48s} coverage  narrow  wide  cells < 85%  cells < 80%  lowest cell  mean |cov - 90%|  "
      "mean width  by left-out family (" + ", ".join(prior.VALIDATION_FAMILIES) + ")")
for name, kw in RULES.items():
    cells = []  # (family, wide, coverage, mean width)
    for f in range(len(prior.VALIDATION_FAMILIES)):
        fit, out = family != f, family == f
        cal = Calibration(fit_record(q[fit], truth[fit], n[fit], width[fit], **kw))
        s = np.array([cal.factors(a, b) for a, b in zip(n[out], width[out])])  # (m, 2)
        lo, hi = np.maximum(scale_interval(q[out, 0], q[out, 1], q[out, 2], s[:, 0], s[:, 1], cal.floor), 0.0)
        hit = (lo <= t[out]) & (t[out] <= hi)
        for k in DEFAULT_NS:
            for wide in (False, True):
                m = (n[out] == k) & ((width[out] > 20) == wide)
                cells.append((f, wide, hit[m].mean(), (hi - lo)[m].mean()))
    c = np.array(cells, float)
    cov = c[:, 2]
    print(f"{name:48s} {cov.mean():8.3f}  {cov[c[:, 1] == 0].mean():6.3f}  {cov[c[:, 1] == 1].mean():4.3f}  "
          f"{np.mean(cov < 0.85):11.2f}  {np.mean(cov < 0.80):11.2f}  {cov.min():11.2f}  {np.abs(cov - 0.9).mean():16.3f}  "
          f"{c[:, 3].mean():10.3f}  " + ", ".join(f"{cov[c[:, 0] == f].mean():.3f}" for f in range(len(prior.VALIDATION_FAMILIES))))
