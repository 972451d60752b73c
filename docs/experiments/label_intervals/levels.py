"""One integer-like column of 24-48 values (hour of day, a score, age in years) against one or two
continuous columns: read as categories (after) or as a number with its ties broken, switching to
categories only where that reading is clearly higher (before; ``estimator.LEVELS_MAX = 0``).

Y = m(v) + s N(0, I_d), v uniform over the column's values, m: hour -> sin (d = 1) or (sin, cos)
(d = 2) of 2 pi v / 24; score (0-29) -> v / 15 or (v / 15, (v / 15)^2); age (18-65) -> a^2 or
(a, a^2), a = (v - 41) / 12; MI by Monte Carlo on 200,000 draws (``ClassConditional``).  Same data
before and after; KSG (k = 3) on the same data.  Evaluation stream 407 (the thresholds were set on
stream 406 with one column, scratch).

    python docs/experiments/label_intervals/levels.py > docs/experiments/label_intervals/levels.md
"""
import time
import warnings

import numpy as np

from infoatlas import estimator
from infoatlas.atlas.discrete import ClassConditional
from infoatlas.baselines.classical import KSG
from infoatlas.estimator import InfoAtlas

STREAM, REPS = 407, 6
SHAPES = {
    "hour (24 values)": (np.arange(24), lambda v: np.c_[np.sin(2 * np.pi * v / 24), np.cos(2 * np.pi * v / 24)]),
    "score (30 values)": (np.arange(30), lambda v: np.c_[v / 15.0, (v / 15.0) ** 2]),
    "age (48 values)": (np.arange(18, 66), lambda v: np.c_[((v - 41) / 12.0) ** 2, (v - 41) / 12.0]),
}


def main():
    warnings.simplefilter("ignore")
    model, ksg = InfoAtlas.from_pretrained(), KSG()
    shipped = estimator.LEVELS_MAX
    print(__doc__.split("\n\n")[0].replace("\n", " ") + "\n")
    print(f"Stream {STREAM}, {REPS} data sets a cell; MAE and median interval width in nats; coverage of the 90% "
          "interval; time: after / before, summed over the cell.\n")
    print("| column | Y columns | s | n | MI | MAE before | MAE after | MAE KSG | coverage before | coverage after | "
          "width before | width after | time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    total = {"before": [], "after": [], "ksg": []}
    for name, (vals, f) in SHAPES.items():
        for d in (1, 2):
            mus = f(vals)[:, :d]
            for s in (0.1, 0.3, 1.0):
                truth = ClassConditional(np.ones(len(vals)), mus / s, draws=200_000).mutual_information()
                for n in (1000, 5000):
                    rows = {"before": [], "after": [], "ksg": []}
                    tb = ta = 0.0
                    for r in range(REPS):
                        rng = np.random.default_rng([STREAM, n, r, int(s * 10), len(vals), d])
                        c = rng.integers(len(vals), size=n)
                        x, y = vals[c].astype(float), mus[c] + s * rng.normal(size=(n, d))
                        estimator.LEVELS_MAX = 0
                        t0 = time.perf_counter()
                        b = model.estimate(x, y)
                        estimator.LEVELS_MAX = shipped
                        t1 = time.perf_counter()
                        a = model.estimate(x, y)
                        tb, ta = tb + t1 - t0, ta + time.perf_counter() - t1
                        for key, e in (("before", b), ("after", a)):
                            rows[key].append((abs(e.mi - truth), e.lower <= truth <= e.upper, e.upper - e.lower))
                        rows["ksg"].append((abs(ksg.estimate(x, y) - truth), np.nan, np.nan))
                    for key in total:
                        total[key] += rows[key]
                    b, a, k = (np.array(rows[key]) for key in ("before", "after", "ksg"))
                    print(f"| {name} | {d} | {s} | {n:,} | {truth:.3f} | {b[:, 0].mean():.3f} | {a[:, 0].mean():.3f} | "
                          f"{k[:, 0].mean():.3f} | {b[:, 1].mean():.0%} | {a[:, 1].mean():.0%} | "
                          f"{np.median(b[:, 2]):.2f} | {np.median(a[:, 2]):.2f} | {ta / tb:.2f} |", flush=True)
    b, a, k = (np.array(total[key]) for key in ("before", "after", "ksg"))
    print(f"\nAll {len(b)} data sets: MAE before {b[:, 0].mean():.3f}, after {a[:, 0].mean():.3f}, KSG "
          f"{k[:, 0].mean():.3f}; coverage before {b[:, 1].mean():.1%}, after {a[:, 1].mean():.1%}; median width "
          f"before {np.median(b[:, 2]):.2f}, after {np.median(a[:, 2]):.2f}.")


if __name__ == "__main__":
    main()
