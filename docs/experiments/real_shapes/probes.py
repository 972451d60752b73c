"""Shapes of real tables probed with exact (or Monte Carlo) MI: irrelevant columns beside the
informative one, one-hot and integer codes of a category, an angle encoded as (cos, sin), heavy
tails, and class labels of many classes coded as numbers.  The shipped estimator, KSG (k = 3) and
the Gaussian copula on the same data.

    python docs/experiments/real_shapes/probes.py > docs/experiments/real_shapes/probes.md
"""
import warnings

import numpy as np
from scipy import integrate, stats

import infoatlas
from infoatlas.atlas.discrete import ClassConditional
from infoatlas.baselines.classical import KSG, GaussianCopula


def rho_mi(r):
    return -0.5 * np.log(1 - r * r)


def padded(k, sides):
    """X1, Y1 a normal pair (rho 0.9), with k independent normal columns beside X1 (and Y1)."""
    def sample(r, n):
        x1 = r.normal(size=n)
        y1 = 0.9 * x1 + np.sqrt(1 - 0.81) * r.normal(size=n)
        x = np.c_[x1, r.normal(size=(n, k))]
        y = np.c_[y1, r.normal(size=(n, k))] if sides == 2 else y1[:, None]
        return x, y
    return sample, rho_mi(0.9)


def category(k, s, code):
    """C uniform over k categories, Y = C + s N(0, 1); C one-hot, as an integer, or as k - 1 dummies.
    I(C; Y) = h(Y) - h(Y | C), h(Y) of the mixture by quadrature."""
    mus = np.arange(k, dtype=float)
    grid = np.linspace(-8 * s, k - 1 + 8 * s, 200_001)
    py = np.mean([stats.norm.pdf(grid, m, s) for m in mus], axis=0)
    truth = -integrate.trapezoid(py * np.log(np.maximum(py, 1e-300)), grid) - 0.5 * np.log(2 * np.pi * np.e * s * s)

    def sample(r, n):
        c = r.integers(k, size=n)
        x = {"one-hot": np.eye(k)[c], "integer": c[:, None].astype(float), "dummies": np.eye(k)[c][:, 1:]}[code]
        return x, (mus[c] + s * r.normal(size=n))[:, None]
    return sample, truth


def angle(s):
    """Theta uniform on the circle, Phi = Theta + s N(0, 1); X = (cos, sin) Theta, Y = (cos, sin) Phi
    (a periodic feature encoded the usual way).  I = log 2 pi - h(wrapped normal(s)), by quadrature."""
    t = np.linspace(-np.pi, np.pi, 200_001)
    p = sum(stats.norm.pdf(t + 2 * np.pi * j, 0, s) for j in range(-6, 7))
    truth = np.log(2 * np.pi) + integrate.trapezoid(p * np.log(p), t)

    def sample(r, n):
        th = r.uniform(-np.pi, np.pi, n)
        ph = th + s * r.normal(size=n)
        return np.c_[np.cos(th), np.sin(th)], np.c_[np.cos(ph), np.sin(ph)]
    return sample, truth


def heavy_tails():
    """exp(3 X1) against 1e-4 exp(2 Y1), (X1, Y1) a normal pair with rho 0.8 (monotone maps)."""
    def sample(r, n):
        x1 = r.normal(size=n)
        y1 = 0.8 * x1 + 0.6 * r.normal(size=n)
        return np.exp(3 * x1)[:, None], (1e-4 * np.exp(2 * y1))[:, None]
    return sample, rho_mi(0.8)


def coded_label(k, s, d):
    """C uniform over k classes coded 0..k-1, Y = mu_C + s N(0, I_d); Monte Carlo MI on 200,000 draws
    (``ClassConditional`` with means mu / s: the same MI)."""
    mus = np.random.default_rng(123 + k + d).normal(size=(k, d))
    truth = ClassConditional(np.ones(k), mus / s, draws=200_000).mutual_information()

    def sample(r, n):
        c = r.integers(k, size=n)
        return c[:, None].astype(float), mus[c] + s * r.normal(size=(n, d))
    return sample, truth


CASES = {
    "normal pair (rho 0.9) + 5 noise columns beside X": padded(5, 1),
    "normal pair (rho 0.9) + 30 noise columns beside X": padded(30, 1),
    "normal pair (rho 0.9) + 30 noise columns on each side": padded(30, 2),
    "5 categories one-hot vs C + 0.5 N": category(5, 0.5, "one-hot"),
    "5 categories as an integer vs C + 0.5 N": category(5, 0.5, "integer"),
    "5 categories as 4 dummies vs C + 0.5 N": category(5, 0.5, "dummies"),
    "10 categories one-hot vs C + 0.3 N": category(10, 0.3, "one-hot"),
    "angle as (cos, sin) vs angle + 0.3 N": angle(0.3),
    "angle as (cos, sin) vs angle + N": angle(1.0),
    "heavy tails: exp(3 X) vs exp(2 Y), rho 0.8": heavy_tails(),
    "label of 50 classes coded 0-49 vs class means in 2 dims": coded_label(50, 0.3, 2),
    "label of 20 classes coded 0-19 vs class means in 8 dims": coded_label(20, 0.5, 8),
}


def main(reps=6):
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    ksg, gc = KSG(), GaussianCopula()
    print(__doc__.split("\n\n")[0].strip(), "\n")
    print(f"{reps} data sets a cell; mean estimate and MAE in nats, 90% coverage of InfoAtlas's interval "
          "(KSG left out above 20 columns).\n")
    print("| data | n | MI | mean infoatlas | MAE infoatlas | coverage infoatlas | MAE ksg | MAE gcmi |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (sample, truth) in CASES.items():
        for n in (1000, 5000):
            es, ks, gs = [], [], []
            for s in range(reps):
                x, y = sample(np.random.default_rng([s, n, 11]), n)
                es.append(model.estimate(x, y))
                ks.append(ksg.estimate(x, y) if x.shape[1] + y.shape[1] <= 20 else np.nan)
                gs.append(gc.estimate(x, y))
            m = np.array([e.mi for e in es])
            mae_k = np.abs(np.array(ks) - truth).mean()
            print(f"| {name} | {n:,} | {truth:.3f} | {m.mean():.3f} | {np.abs(m - truth).mean():.3f} | "
                  f"{np.mean([e.lower <= truth <= e.upper for e in es]):.0%} | "
                  f"{'-' if np.isnan(mae_k) else format(mae_k, '.3f')} | {np.abs(np.array(gs) - truth).mean():.3f} |",
                  flush=True)


if __name__ == "__main__":
    main()
