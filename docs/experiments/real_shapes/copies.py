"""X and Y (nearly) linear copies of each other: the interval before and after its upper end is left
open where a canonical correlation of the copula scores, or of the raw values in each half of the
rows (``features.raw_copies``), is above ``features.COPY_RHO`` (1 - 1e-5; MI 5.4 nats for a normal
pair there).

    python docs/experiments/real_shapes/copies.py > docs/experiments/real_shapes/copies.md

"before": ``features.COPY_RHO`` raised above 1 (no data set is flagged; the interval as the network
and its calibration read it); "after": the shipped estimator.  Same data for both.
"""
import contextlib
import warnings

import numpy as np

import infoatlas
from infoatlas import features


@contextlib.contextmanager
def never_flagged():
    saved = features.COPY_RHO
    features.COPY_RHO = 2.0
    try:
        yield
    finally:
        features.COPY_RHO = saved


def noisy_copy(s, d=1):
    """Y = A X + s N(0, I), X ~ N(0, I_d), A a fixed rotation: MI = d/2 log(1 + 1/s^2) (inf at s = 0)."""
    a = np.linalg.qr(np.random.default_rng(d).normal(size=(d, d)))[0]

    def sample(r, n):
        x = r.normal(size=(n, d))
        return x, x @ a.T + s * r.normal(size=(n, d))
    return sample, (np.inf if s == 0 else d / 2 * np.log1p(1 / s**2))


def heavy_rotation():
    """Y = A X, X with log-normal columns (heavy tails; 3 a side): an exact copy, MI infinite."""
    a = np.linalg.qr(np.random.default_rng(3).normal(size=(3, 3)))[0]

    def sample(r, n):
        x = np.exp(r.normal(size=(n, 3)))
        return x, x @ a.T
    return sample, np.inf


def shared_outlier():
    """Independent normal sides (3 columns each) whose first row is 1e6 on every column of both: one
    extreme row makes raw correlations near 1, but the MI is that of independent data (0)."""
    def sample(r, n):
        x, y = r.normal(size=(n, 3)), r.normal(size=(n, 3))
        x[0], y[0] = 1e6, 1e6
        return x, y
    return sample, 0.0


CASES = {"Y = X": noisy_copy(0.0), "Y = X + 0.001 N": noisy_copy(1e-3), "Y = X + 0.003 N": noisy_copy(3e-3),
         "Y = X + 0.01 N (not flagged)": noisy_copy(1e-2), "Y = A X, 3 columns a side": noisy_copy(0.0, 3),
         "Y = A X + 0.003 N, 3 columns a side": noisy_copy(3e-3, 3),
         "Y = A X, 3 log-normal columns a side": heavy_rotation(),
         "independent, one row 1e6 on both sides (not flagged)": shared_outlier()}


def main(reps=6):
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print(f"{reps} data sets a cell; mean estimate, mean interval and 90% coverage, in nats.\n")
    print("| data | n | MI | mean estimate | interval before | interval after | coverage before | coverage after |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (sample, truth) in CASES.items():
        for n in (1000, 5000):
            before, after = [], []
            for s in range(reps):
                x, y = sample(np.random.default_rng([s, n, 31]), n)
                with never_flagged():
                    before.append(model.estimate(x, y))
                after.append(model.estimate(x, y))

            def interval(es):
                return f"[{np.mean([e.lower for e in es]):.2f}, {np.mean([e.upper for e in es]):.2f}]"

            def cover(es):
                return f"{np.mean([e.lower <= truth <= e.upper for e in es]):.0%}"
            print(f"| {name} | {n:,} | {truth:.3f} | {np.mean([e.mi for e in after]):.3f} | {interval(before)} | "
                  f"{interval(after)} | {cover(before)} | {cover(after)} |", flush=True)


if __name__ == "__main__":
    main()
