"""The discrete path's interval before (the half-samples' bias term for a bias ~ 1/n) and after
(~ n^-1/2 for the nearest-neighbour estimates, ``infoatlas.discrete.NN_BIAS_RATE``), on the same data
sets in one run.

- Labels of 10-100 equiprobable classes (declared), Y = mu_C + s N(0, I_d) in 1, 2 or 8 columns
  (class means standard normal), MI by Monte Carlo on 200,000 draws;
- a label of 25-100 classes coded as numbers beside two columns (coded_labels/beside.py's
  ``label_beside``; not declared: the estimator reads it as categories by the chain rule where that
  reading lies clearly above the network's);
- controls, the discrete suite's families with a nearest-neighbour or chain-rule path: `class_gauss`
  (2-50 classes, warped columns), `mixed_side`, `mixed_blocks`, `atom_blocks`.

Evaluation seed 203 (stream 34 for the coded labels); the rate was chosen on seed 202 with Ross's
estimate alone (choose.py) and, for the chain rule, on stream 33 (scratch).

    python docs/experiments/label_intervals/compare.py > docs/experiments/label_intervals/compare.md
"""
import collections
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import infoatlas
from infoatlas import discrete
from infoatlas.atlas.discrete import make_discrete

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "coded_labels"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from beside import label_beside  # noqa: E402
from choose import label_data  # noqa: E402

SEED, REPS = 203, 8


def labels():
    for k, d, s, n, _, truth, c, y in label_data(SEED, REPS):
        yield f"{k} classes, {d} columns, s = {s}", n, truth, c, y, {"discrete_x": True}


def beside():
    for k, b in ((25, 0.7), (50, 0.7), (50, 0.2), (100, 0.7)):
        sample, truth = label_beside(k, b)
        for n in (1000, 5000):
            for r in range(REPS):
                x, y = sample(np.random.default_rng([r, n, 34]), n)
                yield f"label({k}) coded as numbers beside 2 columns, b = {b}", n, truth, x, y, {}


def controls():
    for family in ("class_gauss", "mixed_side", "mixed_blocks", "atom_blocks"):
        for dim in ((1, 4) if family == "class_gauss" else (1,)):
            for n in (1000, 5000):
                for r in range(REPS):
                    rng = np.random.default_rng([SEED, 99, dim, n, r, len(family)])
                    sampler = make_discrete(family, rng, dim=dim)
                    x, y = sampler.sample(n, rng)
                    kinds = {"discrete_x": sampler.discrete_x, "discrete_y": sampler.discrete_y}  # as the suite
                    if kinds["discrete_x"] is None:
                        kinds = {}
                    yield (f"{family}" + (f", {dim} columns" if family == "class_gauss" else ""), n,
                           sampler.mutual_information(), x, y, kinds)


def main():
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained()
    rows = collections.defaultdict(lambda: collections.defaultdict(list))
    for source in (labels(), beside(), controls()):
        for name, n, truth, x, y, disc in source:
            for rate in (1.0, 0.5):
                discrete.NN_BIAS_RATE = rate
                t = time.perf_counter()
                e = model.estimate(x, y, **disc)
                rows[(name, n)][rate].append((abs(e.mi - truth), e.lower <= truth <= e.upper, e.upper - e.lower,
                                              time.perf_counter() - t))
    print(__doc__.split("\n\n")[1].strip() + "\n")
    print(f"Seed {SEED}, {REPS} data sets a cell; MAE (the estimate is the same before and after) and median width "
          "of the 90% interval in nats; time: after / before, summed over the cell.\n")
    print("| data | n | MAE | coverage before | coverage after | median width before | median width after | time |")
    print("|---|---|---|---|---|---|---|---|")
    total = collections.defaultdict(lambda: collections.defaultdict(list))
    for (name, n), by in rows.items():
        b, a = np.array(by[1.0]), np.array(by[0.5])
        group = name.split(",")[0] if not name[0].isdigit() else "labels declared"
        group = "labels coded beside columns" if group.startswith("label(") else group
        for rate, arr in ((1.0, b), (0.5, a)):
            total[group][rate].append(arr)
        print(f"| {name} | {n:,} | {b[:, 0].mean():.3f} | {b[:, 1].mean():.0%} | {a[:, 1].mean():.0%} | "
              f"{np.median(b[:, 2]):.3f} | {np.median(a[:, 2]):.3f} | {a[:, 3].sum() / b[:, 3].sum():.2f} |",
              flush=True)
    print("\n| group | data sets | MAE | coverage before | coverage after | median width before | median width after | "
          "cells under 75% before | after |")
    print("|---|---|---|---|---|---|---|---|---|")
    for group, by in total.items():
        b, a = np.vstack(by[1.0]), np.vstack(by[0.5])
        low_b = sum(x[:, 1].mean() < 0.75 for x in by[1.0])
        low_a = sum(x[:, 1].mean() < 0.75 for x in by[0.5])
        print(f"| {group} | {len(b)} | {b[:, 0].mean():.3f} | {b[:, 1].mean():.1%} | {a[:, 1].mean():.1%} | "
              f"{np.median(b[:, 2]):.3f} | {np.median(a[:, 2]):.3f} | {low_b} of {len(by[1.0])} | {low_a} |")


if __name__ == "__main__":
    main()
