"""The chain rule over small categories, with and without its check against permuted copies.

    python docs/experiments/mixed_sides/chain.py > docs/experiments/mixed_sides/chain.md

Data sets whose sides mix few-valued and continuous columns with few enough joint values for the
categorical estimators (``infoatlas.discrete.point_estimate``'s chain rule): the ``mixed_side``
family (a continuous column and a 2-5 class label against a continuous Y; columns declared, as
in the release suite) and the ``mixed_blocks`` data sets that go to the chain rule (selection seeds
5-8, n = 200, 1,000 and 5,000, 16 a seed and size), and independent sides of c continuous and b
binary columns each (truth 0; 8 data sets per row, seed 3).  "before": ``discrete.chain_check``
replaced by a pass-through.  Time: all estimates of a row, after / before, in the same run.

The second table asks whether the network should read such sides instead: the same dependent data
sets with their columns' kinds left to the automatic rule, read as shipped (the chain rule) and
with the few-valued numeric columns of a side that also has continuous columns read as numbers
(ties broken at random, the network: ``discrete.auto_joint`` wrapped to demote them).
"""
import time
import warnings

import numpy as np

import infoatlas
from infoatlas import discrete
from infoatlas.bench.suite import atlas_suite


def read(model, cases):
    saved = discrete.chain_check
    out = {}
    for label in ("before", "after"):
        if label == "before":
            discrete.chain_check = lambda x, y, mx, my, mi, lo, hi, rs, k=3: (mi, lo, hi, [])
        try:
            t = time.perf_counter()
            out[label] = [model.estimate(c.x, c.y, **c.kw) for c in cases]
            out[f"t_{label}"] = time.perf_counter() - t
        finally:
            discrete.chain_check = saved
    return out


class Case:
    def __init__(self, x, y, mi, kw=None):
        self.x, self.y, self.mi, self.kw = x, y, mi, kw or {}


def network_route(spec, arr, mask, categorical, name, _rule=discrete.auto_joint):
    """auto_joint, and then few-valued numeric columns of a side that also has continuous ones read as numbers."""
    mask, notes = _rule(spec, arr, mask, categorical, name)
    if mask.any() and not mask.all():
        mask = mask & (np.zeros(arr.shape[1], bool) if categorical is None else np.asarray(categorical, bool))
    return mask, notes


def route_row(model, name, n, cases):
    saved = discrete.auto_joint
    cells = []
    for label in ("chain", "network"):
        if label == "network":
            discrete.auto_joint = network_route
        try:
            es = [model.estimate(c.x, c.y) for c in cases]
        finally:
            discrete.auto_joint = saved
        t = np.array([c.mi for c in cases])
        mi = np.array([e.mi for e in es])
        cov = np.mean([e.lower <= c.mi <= e.upper for e, c in zip(es, cases)])
        cells.append(f"{np.mean(abs(mi - t)):.3f} | {np.mean(mi - t):+.3f} | {cov:.0%}")
    print(f"| {name} | {n:,} | {len(cases)} | {cells[0]} | {cells[1]} |")


def row(name, n, cases, out):
    t = np.array([c.mi for c in cases])
    cells = []
    for label in ("before", "after"):
        es = out[label]
        mi = np.array([e.mi for e in es])
        cov = np.mean([e.lower <= c.mi <= e.upper for e, c in zip(es, cases)])
        ind = sum(e.lower > 0 for e, c in zip(es, cases) if c.mi < 1e-9)
        cells.append(f"{np.mean(abs(mi - t)):.3f} | {np.mean(mi - t):+.3f} | {cov:.0%} | {ind}")
    print(f"| {name} | {n:,} | {len(cases)} | {cells[0]} | {cells[1]} | {out['t_after'] / out['t_before']:.2f}x |")


def main():
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print("MAE and mean signed error in nats, coverage of the 90% interval, and the number of independent data "
          "sets whose interval's lower end is above 0; before | after.\n")
    print("| data | n | data sets | MAE | signed | coverage | indep. lower > 0 | MAE | signed | coverage "
          "| indep. lower > 0 | time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    ns = (200, 1000, 5000)
    side = atlas_suite(ns, ((1, 1), (4, 1)), 8, families=["mixed_side"], seed=5)
    for n in ns:
        cases = [Case(c.x, c.y, c.mi, {"discrete_x": c.discrete_x, "discrete_y": c.discrete_y})
                 for c in side if c.x.shape[0] == n]
        row("mixed_side (declared)", n, cases, read(model, cases))
    blocks = []
    for seed in (5, 6, 7, 8):
        for c in atlas_suite(ns, ((1, 1), (4, 1)), 8, families=["mixed_blocks"], seed=seed):
            ax = np.asarray(c.x, float)
            mask, _ = discrete.auto_joint("auto", ax, discrete.discrete_mask("auto", ax, "x"), None, "X")
            if mask.any():
                blocks.append(Case(c.x, c.y, c.mi))
    for n in ns:
        cases = [c for c in blocks if c.x.shape[0] == n]
        row("mixed_blocks, chain rule", n, cases, read(model, cases))
    rng = np.random.default_rng(3)
    for c, b in ((1, 1), (1, 3), (2, 3), (3, 2)):
        for n in (500, 1000, 5000):
            cases = [Case(np.column_stack([rng.normal(size=(n, c)), rng.integers(0, 2, (n, b))]),
                          np.column_stack([rng.normal(size=(n, c)), rng.integers(0, 2, (n, b))]), 0.0)
                     for _ in range(8)]
            row(f"independent, {c} continuous + {b} binary a side", n, cases, read(model, cases))
    print("\nThe route: chain rule (as shipped) | network with the ties broken; MAE, mean signed error, coverage.\n")
    print("| data | n | data sets | MAE | signed | coverage | MAE | signed | coverage |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in ns:
        route_row(model, "mixed_side (kinds left to the rule)", n, [Case(c.x, c.y, c.mi) for c in side if c.x.shape[0] == n])
    for n in ns:
        route_row(model, "mixed_blocks, chain rule", n, [c for c in blocks if c.x.shape[0] == n])


if __name__ == "__main__":
    main()
