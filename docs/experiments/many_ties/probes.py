"""Heavily tied columns with more than 20 values: one such column against a continuous one, and
independent data, with the ties kept and broken at random.

    python docs/experiments/many_ties/probes.py > docs/experiments/many_ties/probes.md

"before": ``infoatlas.discrete.tied_columns`` replaced by one that finds none (the columns reach
the network with their ties, average ranks, as they did); "after": the shipped estimator (their ties
broken at random, ``InfoAtlas._many_ties_broken``).  Same data for both.
"""
import contextlib
import time
import warnings

import numpy as np
from scipy import special

import infoatlas
from infoatlas import discrete
from infoatlas.atlas.discrete import TiedBlocks


@contextlib.contextmanager
def ties_kept():
    saved = discrete.tied_columns
    discrete.tied_columns = lambda a: np.zeros(a.shape[1], bool)
    try:
        yield
    finally:
        discrete.tied_columns = saved


INF = np.inf
#: one tied column (Y) against its latent (X), exact MI (infoatlas.atlas.discrete.tied_channel_mi)
ONE = {
    "normal pair rho 0.9, Y rounded to 0.1": ("rounded", dict(rho=0.9, h=0.1, lo=-INF, hi=INF)),
    "rho 0.6, rounded to 0.2": ("rounded", dict(rho=0.6, h=0.2, lo=-INF, hi=INF)),
    "rho 0.9, rounded to 0.1, clipped to [-1, 1]": ("rounded", dict(rho=0.9, h=0.1, lo=-1.0, hi=1.0)),
    "rho 0.9, rounded to 0.1, clipped to [-0.5, 3]": ("rounded", dict(rho=0.9, h=0.1, lo=-0.5, hi=3.0)),
    "rho 0.6, rounded to 0.1, clipped to [0, 3]": ("rounded", dict(rho=0.6, h=0.1, lo=0.0, hi=3.0)),
    "rho 0.9, rounded to 0.1, 10% set to 0": ("rounded", dict(rho=0.9, h=0.1, lo=-INF, hi=INF, p0=0.1)),
    "rho 0.9, rounded to 0.1, 30% set to 0": ("rounded", dict(rho=0.9, h=0.1, lo=-INF, hi=INF, p0=0.3)),
    "Binomial(20, sigmoid(2 z))": ("binomial", dict(K=20, a=0.0, b=2.0)),
    "Binomial(50, sigmoid(3 z))": ("binomial", dict(K=50, a=0.0, b=3.0)),
    "Binomial(50, sigmoid(z))": ("binomial", dict(K=50, a=0.0, b=1.0)),
    "Binomial(100, sigmoid(z / 2))": ("binomial", dict(K=100, a=0.0, b=0.5)),
    "Poisson(exp(2.3 + z / 2))": ("poisson", dict(a=2.3, b=0.5)),
    "Poisson(exp(3 + z))": ("poisson", dict(a=3.0, b=1.0)),
}


def gauss(r, n, d):
    return r.normal(size=(n, d))


#: independent sides: (X's columns, Y's columns)
INDEPENDENT = {
    "saturating counts (Binomial(50, sigmoid(3 z))) vs normal": (
        lambda r, n, d: r.binomial(50, special.expit(3 * r.normal(size=(n, d)))).astype(float), gauss),
    "rounded to 0.1 and clipped to [-1, 1], both sides": (
        lambda r, n, d: np.clip(np.round(r.normal(size=(n, d)), 1), -1, 1),) * 2,
    "rounded to 0.1, 30% set to 0, vs normal": (
        lambda r, n, d: np.where(r.random((n, d)) < 0.3, 0.0, np.round(r.normal(size=(n, d)), 1)), gauss),
    "Poisson(30) counts, both sides": (lambda r, n, d: r.poisson(30, size=(n, d)).astype(float),) * 2,
}


def one_cell(model, kind, params, n, reps):
    sampler = TiedBlocks([(kind, params)])
    truth = sampler.mutual_information()
    out = {"before": [], "after": []}
    for s in range(reps):
        x, y = sampler.sample(n, np.random.default_rng([s, n, 80]))
        with ties_kept():
            out["before"].append(model.estimate(x, y))
        out["after"].append(model.estimate(x, y))
    return truth, {k: (np.mean([e.mi for e in v]), np.mean([abs(e.mi - truth) for e in v]),
                       np.mean([e.lower <= truth <= e.upper for e in v])) for k, v in out.items()}


def independent_cell(model, fx, fy, n, dx, dy, reps):
    out = {"before": [], "after": []}
    for s in range(reps):
        r = np.random.default_rng([s, n, dx, dy, 33])
        x, y = fx(r, n, dx), fy(r, n, dy)
        with ties_kept():
            out["before"].append(model.estimate(x, y))
        out["after"].append(model.estimate(x, y))
    return {k: (np.mean([e.mi for e in v]), np.max([e.mi for e in v]), sum(e.lower > 0 for e in v)) for k, v in out.items()}


def projection_cell(model, dim_x, n, reps):
    """Binomial(50, sigmoid(3 w.x)) against x in dim_x dimensions (w a unit vector): the MI is that
    of one column against its latent, the dependence a saturating function of a projection."""
    kind, params = ONE["Binomial(50, sigmoid(3 z))"]
    truth = TiedBlocks([(kind, params)]).mutual_information()
    out = {"before": [], "after": []}
    for s in range(reps):
        r = np.random.default_rng([s, n, dim_x, 81])
        z = r.normal(size=n)
        q = np.linalg.qr(r.normal(size=(dim_x, dim_x)))[0]
        x = np.c_[z, r.normal(size=(n, dim_x - 1))] @ q.T
        y = r.binomial(50, special.expit(3 * z)).astype(float)
        with ties_kept():
            out["before"].append(model.estimate(x, y))
        out["after"].append(model.estimate(x, y))
    return truth, {k: (np.mean([e.mi for e in v]), np.mean([e.lower <= truth <= e.upper for e in v]))
                   for k, v in out.items()}


def order_timing(repeats=5):
    """Median seconds of a full lexsort and of discrete.canonical_order on 5,000 rows of 128
    columns (64 normal, 64 rounded), same run."""
    r = np.random.default_rng(3)
    a = np.c_[r.normal(size=(5000, 64)), np.round(r.normal(size=(5000, 64)), 1)]
    t_full, t_canon = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        full = np.lexsort(a.T[::-1])
        t1 = time.perf_counter()
        canon = discrete.canonical_order(a)
        t_full.append(t1 - t0)
        t_canon.append(time.perf_counter() - t1)
    assert np.array_equal(full, canon)
    return np.median(t_full), np.median(t_canon)


def main(reps=12):
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print(f"## One tied column against a continuous one\n\nX = Z ~ N(0, 1), Y | Z as named; {reps} data sets a "
          "cell. Mean estimate, MAE and 90% coverage, in nats.\n")
    print("| Y | n | MI | mean before | mean after | MAE before | MAE after | coverage before | coverage after |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (kind, params) in ONE.items():
        for n in (1000, 5000):
            truth, c = one_cell(model, kind, params, n, reps)
            b, a = c["before"], c["after"]
            print(f"| {name} | {n:,} | {truth:.3f} | {b[0]:.3f} | {a[0]:.3f} | {b[1]:.3f} | {a[1]:.3f} | "
                  f"{b[2]:.0%} | {a[2]:.0%} |", flush=True)
    print(f"\n## Independent data\n\nMI 0; d columns a side (1 + 5: one column in X, five in Y); {2 * reps} data "
          "sets a cell.\n")
    print("| data | columns | n | mean before | max before | lower > 0 before | mean after | max after | lower > 0 after |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (fx, fy) in INDEPENDENT.items():
        for dx, dy in ((1, 1), (3, 3), (1, 5)):
            for n in (300, 2000):
                c = independent_cell(model, fx, fy, n, dx, dy, 2 * reps)
                b, a = c["before"], c["after"]
                print(f"| {name} | {dx} + {dy} | {n:,} | {b[0]:.3f} | {b[1]:.3f} | {b[2]} of {2 * reps} | {a[0]:.3f} | "
                      f"{a[1]:.3f} | {a[2]} of {2 * reps} |", flush=True)
    print(f"\n## A saturating function of a projection\n\nY = Binomial(50, sigmoid(3 w.x)) against x in d dimensions "
          f"(d = 1 is the row of the first table); {reps // 2} data sets a cell.\n")
    print("| d | n | MI | mean before | mean after | coverage before | coverage after |")
    print("|---|---|---|---|---|---|---|")
    for dim_x in (1, 3):
        for n in (1000, 5000):
            truth, c = projection_cell(model, dim_x, n, reps // 2)
            print(f"| {dim_x} | {n:,} | {truth:.3f} | {c['before'][0]:.3f} | {c['after'][0]:.3f} | "
                  f"{c['before'][1]:.0%} | {c['after'][1]:.0%} |", flush=True)
    full, canon = order_timing()
    print(f"\n## Canonical row order\n\n5,000 rows, 128 columns (half of them rounded), median of 5: a lexsort of all "
          f"columns {1000 * full:.1f} ms, `discrete.canonical_order` {1000 * canon:.1f} ms (the same order).")


if __name__ == "__main__":
    main()
