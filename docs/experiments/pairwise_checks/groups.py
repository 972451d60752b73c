"""``pairwise`` on groups of several columns with discrete, heavily tied or atom columns: before,
read through its per-column scores and masks (``estimator.PLAN_GROUPS = False``: a group of
few-valued columns was read as joint categories whatever their number of joint values, heavily
tied and atom columns kept their ties); after, pair by pair as ``estimate`` plans them.

    python docs/experiments/pairwise_checks/groups.py > docs/experiments/pairwise_checks/groups.md

Data: the atlas's discrete families (``infoatlas.atlas.discrete``) whose draws have a side of several
columns, at n = 1,000 and 5,000 (seed 315, four draws a cell; the benchmarks use seed 0), and eight
binary items a side, each item of Y its X item flipped with probability e (e = 0.5: independent;
MI = 8 (log 2 - H(e)) nats), at n = 500 and 2,000 (stream 55).  Kinds are left to the automatic
rule in all three readings (``discrete="auto"``), as a user of ``pairwise`` on a table leaves them."""
import importlib.util
import warnings
from pathlib import Path

import numpy as np

from infoatlas import InfoAtlas
from infoatlas import estimator as est_module
from infoatlas.bench.suite import atlas_suite

SEED, STREAM = 315, 55

# collect.py's reading of [x, y] as two groups of one table: shared, not copied
_spec = importlib.util.spec_from_file_location("pairwise_checks_collect", Path(__file__).resolve().parent / "collect.py")
collect = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(collect)


def items(n: int, e: float, rng):
    x = rng.integers(0, 2, (n, 8)).astype(float)
    y = np.where(rng.random((n, 8)) < e, 1 - x, x)
    mi = 0.0 if e == 0.5 else 8 * (np.log(2) + e * np.log(e) + (1 - e) * np.log(1 - e))
    return x, y, mi


def cases():
    for c in atlas_suite((1000, 5000), ((4, 1),), 4, ["discrete"], seed=SEED):
        x, y = np.asarray(c.x, float), np.asarray(c.y, float)
        x, y = x.reshape(len(x), -1), y.reshape(len(y), -1)
        if x.shape[1] > 1 or y.shape[1] > 1:
            yield c.family, x, y, c.mi
    for n in (500, 2000):
        for r, e in enumerate((0.5, 0.5, 0.1, 0.2, 0.3, 0.4)):
            x, y, mi = items(n, e, np.random.default_rng([STREAM, n, r]))
            yield "binary_items", x, y, mi


def main() -> None:
    warnings.simplefilter("ignore")
    model = InfoAtlas.from_pretrained(random_state=0)
    rows = []
    for family, x, y, mi in cases():
        e = model.estimate(x, y)
        est_module.PLAN_GROUPS = False
        before, _, t_before = collect.pairwise(model, x, y, p_values=False)
        est_module.PLAN_GROUPS = True
        after, _, t_after = collect.pairwise(model, x, y, p_values=False)
        rows.append((family, len(x), mi, e.mi, e.lower <= mi <= e.upper, before, after, t_before, t_after))
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print("MAE in nats; `= estimate`: the matrix entry equals estimate's MI within 1e-6 nats; time: median of "
          "after / before, one pair per call.\n")
    print("| family | n | data sets | MAE estimate | estimate's 90% coverage | MAE pairwise before | "
          "MAE pairwise after | before = estimate | after = estimate | time |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    keys = sorted({(r[0], r[1]) for r in rows})
    for fam, n in keys:
        g = [r for r in rows if (r[0], r[1]) == (fam, n)]
        t, e, cov, b, a = (np.array([r[i] for r in g], float) for i in (2, 3, 4, 5, 6))
        ratio = np.median([r[8] / r[7] for r in g])
        print(f"| {fam} | {n:,} | {len(g)} | {np.mean(abs(e - t)):.3f} | {cov.mean():.0%} | {np.mean(abs(b - t)):.3f} | "
              f"{np.mean(abs(a - t)):.3f} | {int(np.sum(abs(b - e) < 1e-6))} | {int(np.sum(abs(a - e) < 1e-6))} | "
              f"{ratio:.2f}x |")
    t, e, b, a = (np.array([r[i] for r in rows], float) for i in (2, 3, 5, 6))
    print(f"\nAll {len(rows)} data sets: MAE estimate {np.mean(abs(e - t)):.3f}, pairwise before {np.mean(abs(b - t)):.3f}, "
          f"after {np.mean(abs(a - t)):.3f}; equal to estimate before {int(np.sum(abs(b - e) < 1e-6))}, after "
          f"{int(np.sum(abs(a - e) < 1e-6))}.")


if __name__ == "__main__":
    main()
