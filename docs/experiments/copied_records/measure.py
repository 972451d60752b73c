"""Copies of records (whole rows repeated) and the shipped estimator.  Gaussians with d + d
dimensions and MI spread evenly over d pairs, 1,000 records (2,000 for the 1 + 1 case), three or four
draws per row of the table.  For each: the estimate on the records, and on them with (a) every row
appended twice, (b) a bootstrap resample (rows drawn with replacement), (c) a share f of the rows
appended once more, each read with the copies kept (as before infoatlas.pooled.copied_records) and
as the estimator now reads them.  Prints markdown (-> measure.md).

    python docs/experiments/copied_records/measure.py > docs/experiments/copied_records/measure.md
"""
import numpy as np

import infoatlas.pooled as pooled
from infoatlas import InfoAtlas

EST = InfoAtlas.from_pretrained(random_state=0)
DETECT = pooled.copied_records


def gaussians(d: int, mi: float, m: int, rng):
    r = np.sqrt(1 - np.exp(-2 * mi / d)) if mi > 0 else 0.0
    x = rng.standard_normal((m, d))
    return x, r * x + np.sqrt(1 - r * r) * rng.standard_normal((m, d))


def read(x, y, keep_copies: bool):
    """The estimate (mi, lower, upper) with the copies kept or read as the estimator does now."""
    pooled.copied_records = (lambda a, keys: None) if keep_copies else DETECT
    try:
        e = EST.estimate(x, y)
    finally:
        pooled.copied_records = DETECT
    return e.mi, e.lower, e.upper


def fmt(v) -> str:
    return f"{np.mean([a[0] for a in v]):.3f} (0 or truth covered {sum(a[1] <= t <= a[2] for a, t in v)}/{len(v)})"


def main() -> None:
    print("| d + d | MI | copies | records | copies kept | now |\n|---|---|---|---|---|---|")
    for d, mi, m in [(1, 0.0, 2000), (1, 0.5, 1000), (2, 1.0, 1000), (3, 0.0, 1000), (5, 1.0, 1000)]:
        for how in ("appended twice", "bootstrap", "1%", "3%", "10%", "30%"):
            base, kept, now = [], [], []
            for s in range(3):
                rng = np.random.default_rng([s, d, int(10 * mi)])
                x, y = gaussians(d, mi, m, rng)
                if how == "appended twice":
                    rows = np.r_[np.arange(m), np.arange(m)]
                elif how == "bootstrap":
                    rows = rng.integers(m, size=m)
                else:
                    rows = np.r_[np.arange(m), rng.choice(m, int(float(how[:-1]) / 100 * m), replace=False)]
                base.append((read(x, y, True), mi))
                kept.append((read(x[rows], y[rows], True), mi))
                now.append((read(x[rows], y[rows], False), mi))
            print(f"| {d} + {d} | {mi} | {how} | {fmt(base)} | {fmt(kept)} | {fmt(now)} |", flush=True)


if __name__ == "__main__":
    main()
