"""What the joint-space check costs: seconds per estimate with it (shipped) and without it
(``checks.JOINT_DIMS_MAX = 0``), interleaved in the same run, on independent and on rotated weak-shape
data sets of 2+2 and 3+3 columns at n = 5,000 (20 draws each; seed 33), with the KSG baseline's time
on the same data for scale.  Means (the check runs on few data sets, so the mean is what it adds).

    python docs/experiments/joint_check/cost.py > docs/experiments/joint_check/cost.md
"""
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import ortho_group

import infoatlas.checks as checks
from infoatlas import InfoAtlas
from infoatlas.baselines import KSG

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "weak_shapes"))
import shapes  # noqa: E402


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def main(seed: int = 33, draws: int = 20, n: int = 5000) -> None:
    model = InfoAtlas.from_pretrained(random_state=0)
    rng = np.random.default_rng(seed)
    model.estimate(rng.standard_normal((n, 2)), rng.standard_normal((n, 2)))  # warm-up
    print("Seconds per estimate (mean over draws, ms) with and without the joint-space check, same run; "
          f"n = {n:,}; KSG baseline on the same data for scale.\n")
    print("| data | dims | draws | check ran | with (ms) | without (ms) | ratio | KSG baseline (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    full = checks.JOINT_DIMS_MAX
    for kind in ("independent", "shapes"):
        for d in (2, 3):
            on, off, ksg, ran = [], [], [], 0
            for i in range(draws):
                shape = ("ring", "sin_3", "sin_5", "cross")[i % 4]
                x0, y0 = shapes.sample(shape, shapes.LEVELS[shape][0], n, rng)
                if kind == "independent":
                    y0 = y0[rng.permutation(n)]
                x = np.column_stack([x0, rng.standard_normal((n, d - 1))]) @ ortho_group.rvs(d, random_state=rng)
                y = np.column_stack([y0, rng.standard_normal((n, d - 1))]) @ ortho_group.rvs(d, random_state=rng)
                checks.JOINT_DIMS_MAX = 0
                t_off, _ = timed(lambda: model.estimate(x, y))
                checks.JOINT_DIMS_MAX = full
                t_on, _ = timed(lambda: model.estimate(x, y))
                ran += int(_triggered(model, x, y))
                on.append(t_on), off.append(t_off)
                ksg.append(timed(lambda: KSG(k=3).estimate(x, y))[0])
            a, b = 1e3 * np.mean(on), 1e3 * np.mean(off)
            print(f"| {kind} | {d}+{d} | {draws} | {ran} | {a:.1f} | {b:.1f} | {a / b:.2f}x | {1e3 * np.mean(ksg):.0f} |",
                  flush=True)


def _triggered(model, x, y) -> bool:
    """Whether the joint check computed KSG: the head's statistic above the reading's upper end
    after the column-pair check (the estimate without the joint check)."""
    full = checks.JOINT_DIMS_MAX
    checks.JOINT_DIMS_MAX = 0
    try:
        e = model.estimate(x, y)
    finally:
        checks.JOINT_DIMS_MAX = full
    return model.prepare(x, y, null=False).joint_ksg > e.upper


if __name__ == "__main__":
    main()
