"""Columns that are functions of the other side, noisy non-linear functions of several columns, and
controls: the estimator before and after the regression bound (``regression.regression_bound``:
I(X; Y) >= h(T) - h(T - g(S)) for a column T of one side and a local quadratic fit g from the other
side S, leave one out; ``checks.regression_check`` applies it).  KSG (k = 3) and the Gaussian copula
read the same data.

    python docs/experiments/real_shapes/functions.py > docs/experiments/real_shapes/functions.md

"before": ``checks.REGRESSION_CHECK`` off; "after": the shipped estimator.  Same data for both:
atlas families from ``bench.suite.atlas_suite`` at seed 104 and the other cases from seed stream
11 (the rule's margin, row count and interval were chosen on seeds 101-102 and streams 8-9, the
combination of target columns on seed 101, and a version without it evaluated on seed 103).
"""
import sys
import time
import warnings

import numpy as np
from scipy import integrate, signal, special

import infoatlas
from infoatlas import checks
from infoatlas.baselines.classical import KSG, GaussianCopula
from infoatlas.bench.suite import atlas_suite

SEED, STREAM = (101, 8) if "--select" in sys.argv else (104, 11)


def derived():
    """Columns computed from others (infinite MI): name -> sampler of (x, y)."""
    def bmi(r, n):
        h, w = r.normal(1.7, 0.1, n), r.lognormal(np.log(70), 0.2, n)
        return np.c_[h, w], (w / h ** 2)[:, None]

    def normals(d, f):
        def sample(r, n):
            x = r.normal(size=(n, d))
            return x, f(x)
        return sample

    def mixed(r, n):
        """a b and an independent column, mixed by a fixed 2 x 2 map: no column is a function."""
        x = r.normal(size=(n, 2))
        return x, np.c_[x[:, 0] * x[:, 1], r.normal(size=n)] @ np.array([[1.0, 0.4], [0.7, -1.2]])

    return {"BMI of (height, weight)": bmi,
            "a + b c of (a, b, c)": normals(3, lambda x: (x[:, 0] * x[:, 1] + x[:, 2])[:, None]),
            "polar (radius, angle) of (a, b)": normals(2, lambda x: np.c_[np.hypot(x[:, 0], x[:, 1]),
                                                                          np.arctan2(x[:, 1], x[:, 0])]),
            "(|a|, |b|) of (a, b)": normals(2, np.abs),
            "a^2 + b^2 of (a, b)": normals(2, lambda x: (x ** 2).sum(1, keepdims=True)),
            "max of (a, b, c)": normals(3, lambda x: x.max(1, keepdims=True)),
            "softplus of (a + b, b - c, a c)": normals(3, lambda x: np.logaddexp(0, np.c_[
                x[:, 0] + x[:, 1], x[:, 1] - x[:, 2], x[:, 0] * x[:, 2]])),
            "(a b, c) mixed by a linear map, of (a, b)": mixed}


def product_mi(s):
    """I((a, b); a b + s N) = h(a b + s N) - h(s N) for a, b, N independent standard normals: the
    density of a b is K0(|z|) / pi, convolved with the noise's on a grid (FFT), by quadrature."""
    z = np.linspace(-40, 40, 2 ** 21 + 1)
    dz = z[1] - z[0]
    p = special.k0(np.maximum(np.abs(z), dz / 4)) / np.pi   # the log singularity at 0 is integrable
    p /= p.sum() * dz
    g = np.exp(-0.5 * (z / s) ** 2)
    q = signal.fftconvolve(p, g / g.sum(), mode="same")
    q = np.maximum(q, 1e-300)
    h = -integrate.trapezoid(q * np.log(q), z)
    return h - np.log(s * np.sqrt(2 * np.pi * np.e))


def product(s):
    def sample(r, n):
        x = r.normal(size=(n, 2))
        return x, (x[:, 0] * x[:, 1] + s * r.normal(size=n))[:, None]
    return sample, product_mi(s)


def run(model, x, y):
    checks.REGRESSION_CHECK = False
    t0 = time.perf_counter()
    before = model.estimate(x, y)
    checks.REGRESSION_CHECK = True
    t1 = time.perf_counter()
    after = model.estimate(x, y)
    return before, after, t1 - t0, time.perf_counter() - t1


def changed(b, a):
    return (b.mi, b.lower, b.upper) != (a.mi, a.lower, a.upper)


def row(cells):
    print("| " + " | ".join(cells) + " |", flush=True)


def cell_table(model, ksg, gc, groups):
    """groups: title -> list of (x, y, mi); a row per title."""
    row(["data", "data sets", "MAE before", "MAE after", "MAE KSG", "MAE GC", "coverage before", "coverage after",
         "changed", "time"])
    row(["---"] * 10)
    for title, cases in groups.items():
        if not cases:
            continue
        rec = [run(model, x, y) + (ksg.estimate(x, y), gc.estimate(x, y), mi) for x, y, mi in cases]
        mi = np.array([r[-1] for r in rec])

        def mae(v):
            return f"{np.mean(np.abs(np.asarray(v) - mi)):.3f}"

        def cover(es):
            return f"{np.mean([e.lower <= t <= e.upper for e, t in zip(es, mi)]):.0%}"
        row([title, str(len(rec)), mae([r[0].mi for r in rec]), mae([r[1].mi for r in rec]), mae([r[4] for r in rec]),
             mae([r[5] for r in rec]), cover([r[0] for r in rec]), cover([r[1] for r in rec]),
             f"{np.mean([changed(r[0], r[1]) for r in rec]):.0%}",
             f"{sum(r[3] for r in rec) / sum(r[2] for r in rec):.2f}"])


def main(reps=4):
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    ksg, gc = KSG(), GaussianCopula()
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print("MAE in nats; coverage: share of 90% intervals holding the MI; changed: share of data sets whose reading "
          "the bound changed; time: after / before, summed over the cell.\n")

    print(f"## A column that is a function of the other side (infinite MI; {reps} data sets a cell)\n")
    print("Covered: the upper end is infinite.  Flagged: the note that a column is a function of the other side.\n")
    row(["data", "n", "before: estimate", "before: upper end", "after: estimate", "after: lower end", "coverage before",
         "coverage after", "flagged", "KSG", "GC", "time"])
    row(["---"] * 12)
    for name, sample in derived().items():
        for n in (1000, 5000):
            xs = [sample(np.random.default_rng([s, n, STREAM]), n) for s in range(reps)]
            rec = [run(model, x, y) for x, y in xs]
            kk, gg = [ksg.estimate(x, y) for x, y in xs], [gc.estimate(x, y) for x, y in xs]

            def span(v):
                return f"{min(v):.2f}-{max(v):.2f}"
            row([name, f"{n:,}", span([r[0].mi for r in rec]), span([r[0].upper for r in rec]),
                 span([r[1].mi for r in rec]), span([r[1].lower for r in rec]),
                 f"{np.mean([np.isinf(r[0].upper) for r in rec]):.0%}",
                 f"{np.mean([np.isinf(r[1].upper) for r in rec]):.0%}",
                 f"{np.mean([any('is a function of the other side' in t for t in r[1].notes) for r in rec]):.0%}",
                 span(kk), span(gg), f"{sum(r[3] for r in rec) / sum(r[2] for r in rec):.2f}"])
    print()

    print(f"## A product of two columns plus noise, a b + s N (exact MI by quadrature; {reps} data sets a cell)\n")
    groups = {}
    for s in (0.01, 0.1, 0.3, 1.0):
        sample, mi = product(s)
        for n in (200, 1000, 5000):
            groups[f"s = {s}, MI {mi:.2f}, n = {n:,}"] = [
                sample(np.random.default_rng([r, n, STREAM, 1]), n) + (mi,) for r in range(reps)]
    cell_table(model, ksg, gc, groups)
    print()

    dims = [(1, 1), (2, 2), (3, 3), (2, 4), (4, 8)]
    print(f"## Noisy non-monotone functions (held-out family functional_noise, seed {SEED}; {reps} data sets a cell)\n")
    cases = atlas_suite([200, 1000, 5000], dims, reps, families=["functional"], seed=SEED)
    groups = {f"{d[0]}x{d[1]}, n = {n:,}": [(c.x, c.y, c.mi) for c in cases if c.dims == f"{d[0]}x{d[1]}" and c.n == n]
              for d in dims for n in (200, 1000, 5000)}
    cell_table(model, ksg, gc, groups)
    print()

    fams = ["gauss_block", "additive_uniform", "student_t_flow", "mixture_heldout", "clayton_pairs", "gauss_spiral"]
    print(f"## Controls: held-out and validation families (seed {SEED}; {reps} data sets a cell of dims and n, "
          "dims 1x1, 2x2, 3x3, 2x4, 4x8)\n")
    cases = atlas_suite([200, 1000, 5000], dims, reps, families=fams, seed=SEED)
    groups = {f"{f}, n = {n:,}": [(c.x, c.y, c.mi) for c in cases if c.family == f and c.n == n]
              for f in fams for n in (200, 1000, 5000)}
    cell_table(model, ksg, gc, groups)
    print()
    spread_table()


def spread_table(reps=30):
    """The bound (``regression_bound`` of one column pair, Y = f(X) + s N) over repeated draws:
    its mean against the MI and its standard deviation times sqrt(rows read)."""
    from infoatlas.atlas import functional
    from infoatlas.copula import copula_normal
    from infoatlas.features import order_rows
    from infoatlas.regression import regression_bound

    print(f"## The bound over {reps} draws of one pair Y = f(X) + s N (functional_noise's functions)\n")
    row(["f, s", "MI", "n", "mean bound", "largest - MI", "sd x sqrt(rows)"])
    row(["---"] * 6)
    for name, s in (("sine", 0.1), ("abs", 0.05), ("square", 0.5), ("sine", 0.01)):
        mi = float(np.interp(np.log(s), functional.LOG_S, functional._table(name)))
        for n in (200, 1000, 5000):
            vals = []
            for r in range(reps):
                rng = np.random.default_rng([r, n, STREAM, 2])
                x = rng.normal(size=(n, 1))
                y = functional.FUNCTIONS[name](x) + s * rng.normal(size=(n, 1))
                zx, zy = copula_normal(x)[0], copula_normal(y)[0]
                b = regression_bound(x, y, zx, zy, order_rows(np.hstack([zx, zy]), 0))
                vals.append((b.value, b.rows))
            v = np.array(vals)
            row([f"{name}, {s}", f"{mi:.2f}", f"{n:,}", f"{v[:, 0].mean():.2f}", f"{v[:, 0].max() - mi:+.2f}",
                 f"{v[:, 0].std() * np.sqrt(v[0, 1]):.2f}"])


if __name__ == "__main__":
    main()
