"""Coverage of the 90% interval by width and n on fresh validation data, for several calibrations.

The validation families (seed 1; the calibration uses seed 0) at widths dx + dy inside and between
the calibration grid's classes (3+3, 8+8, 16+16, 24+24, 48+48, 24+72, 64+64), n 1,000 / 5,000 /
20,000, 8 data sets per family and cell.  The network's raw quantiles are computed once (the
calibration changes metadata only; the script checks that the weight files' tensors are equal), and
each weight file's calibration is applied to them with the estimator's own rule.

usage (repository root): python docs/experiments/width_calibration/width_coverage.py WEIGHTS ... > report.txt
"""
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from infoatlas import InfoAtlas
from infoatlas.atlas import prior
from infoatlas.bench.suite import atlas_suite
from infoatlas.intervals import scale_interval

warnings.simplefilter("ignore")
DIMS = [(3, 3), (8, 8), (16, 16), (24, 24), (48, 48), (24, 72), (64, 64)]
cases = atlas_suite([1000, 5000, 20000], DIMS, 8, list(prior.VALIDATION_FAMILIES), seed=1)
ests = [InfoAtlas.from_pretrained(w, random_state=0) for w in sys.argv[1:]]
ref = ests[0].model.state_dict()
assert all(all(torch.equal(ref[k], v) for k, v in e.model.state_dict().items()) for e in ests[1:]), \
    "the weight files differ in their tensors, not only in their calibration"
est = ests[0]
qi = list(est.cfg.quantiles)
cols = [0, qi.index(0.5), len(qi) - 1]
rows = []
for s in range(0, len(cases), 32):
    part = cases[s: s + 32]
    for c, q in zip(part, est.quantiles([est.prepare(c.x, c.y, null=False) for c in part])):
        lo, mid, hi = q[cols].double().numpy()
        rows.append({"family": c.family, "n": c.n, "width": c.x.shape[1] + c.y.shape[1],
                     "dims": f"{c.x.shape[1]}+{c.y.shape[1]}", "truth": c.mi, "lo": lo, "mid": mid, "hi": hi})
raw = pd.DataFrame(rows)
out = []
for w, e in zip(sys.argv[1:], ests):
    f = np.array([e.interval_scale(n, wd) for n, wd in zip(raw.n, raw.width)])  # (m, 2)
    lo, hi = np.maximum(scale_interval(raw.lo.values, raw.mid.values, raw.hi.values, f[:, 0], f[:, 1],
                                       e.calibration.floor), 0.0)
    t = np.log1p(raw.truth.values)
    out.append(raw.assign(weights=Path(w).stem, covered=(lo <= t) & (t <= hi), truth_below=t < lo, truth_above=t > hi,
                          log_width=hi - lo))
df = pd.concat(out)
pd.set_option("display.width", 200)
cols = ["covered", "truth_below", "truth_above", "log_width"]
print(f"{len(cases)} data sets; raw quantiles from {sys.argv[1]}; weight files: {', '.join(sys.argv[1:])}\n")
print(df.groupby(["weights", "n"])[cols].mean().round(3).to_string(), "\n")
for c in ("covered", "log_width"):
    print(f"{c} by dims and n:")
    print(df.groupby(["dims", "n", "weights"], sort=False)[c].mean().round(3).unstack("weights").to_string(), "\n")
print(df.groupby(["weights", "family", "n"])[cols].mean().round(3).to_string())
