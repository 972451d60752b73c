"""Columns with atoms (zero-inflated): X ~ N(0, 1), Z = rho X + sqrt(1 - rho^2) E, and
Y = exp(Z) where Z > t, else 0, with t the share q of zeros (q = Phi(t)).  The true MI, by the
chain rule at B = 1[Z > t]: I(X; B) + P(Z > t) I(X; Z | Z > t), both by Monte Carlo with the exact
densities (2,000,000 draws).  For each (q, rho, n), 4 data sets: the shipped estimator with the split
at atoms switched off (the network reads the tied column) and on, and KSG; MAE and coverage of the
90% interval; then both sides zero-inflated (truth: :func:`truth_both`).  Prints markdown
(-> measure.md).

    python docs/experiments/atoms/measure.py > docs/experiments/atoms/measure.md
"""
import warnings

import numpy as np
from scipy import stats

import infoatlas.estimator as est_mod
from infoatlas import InfoAtlas
from infoatlas.baselines import KSG


def truth(rho: float, t: float, m: int = 2_000_000, seed: int = 0) -> float:
    s = np.sqrt(1 - rho**2)
    g = np.random.default_rng(seed)
    x = g.standard_normal(m)
    z = rho * x + s * g.standard_normal(m)
    on = z > t
    p_on = stats.norm.sf(t)
    p1 = stats.norm.sf((t - rho * x) / s)  # P(B = 1 | x)

    def h(p):
        p = np.clip(p, 1e-300, 1 - 1e-16)
        return -(p * np.log(p) + (1 - p) * np.log1p(-p))

    i_xb = h(p_on) - h(p1).mean()
    # I(X; Z | B = 1) = E[log p(z | x, B = 1) - log p(z | B = 1)] over the rows with B = 1
    cond = stats.norm.logpdf(z[on], rho * x[on], s) - np.log(p1[on])
    marg = stats.norm.logpdf(z[on]) - np.log(p_on)
    return float(i_xb + p_on * np.mean(cond - marg))


def truth_both(rho: float, t1: float, t2: float, m: int = 2_000_000, seed: int = 0) -> float:
    """Both sides zero-inflated: X = exp(Z1) where Z1 > t1, else 0, Y likewise from Z2 and t2.  The MI
    is E[log p(x, y) / (p(x) p(y))] with the exact mixed densities (masses on the atoms, normal
    densities elsewhere), by Monte Carlo."""
    s = np.sqrt(1 - rho**2)
    g = np.random.default_rng(seed)
    z1 = g.standard_normal(m)
    z2 = rho * z1 + s * g.standard_normal(m)
    a, b = z1 > t1, z2 > t2
    p00 = stats.multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([t1, t2])
    lr = np.empty(m)
    c = ~a & ~b
    lr[c] = np.log(p00) - stats.norm.logcdf(t1) - stats.norm.logcdf(t2)
    c = a & ~b
    lr[c] = stats.norm.logcdf((t2 - rho * z1[c]) / s) - stats.norm.logcdf(t2)
    c = ~a & b
    lr[c] = stats.norm.logcdf((t1 - rho * z2[c]) / s) - stats.norm.logcdf(t1)
    c = a & b
    lr[c] = stats.norm.logpdf(z2[c], rho * z1[c], s) - stats.norm.logpdf(z2[c])
    return float(lr.mean())


def main_both(model, split, reps: int = 4) -> None:
    print("\nBoth sides zero-inflated (shares q1 of X and q2 of Y; 60% on both sides goes to the pooled route "
          "before any split):\n")
    print("| zeros X | zeros Y | rho | n | true MI | MAE network | coverage network | MAE split | coverage split |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for q1, q2 in ((0.05, 0.05), (0.1, 0.1), (0.3, 0.3), (0.2, 0.4), (0.05, 0.6), (0.6, 0.6)):
        t1, t2 = stats.norm.ppf(q1), stats.norm.ppf(q2)
        for rho in (0.3, 0.6, 0.9):
            mi = truth_both(rho, t1, t2)
            for n in (1000, 5000):
                err, cov = {"off": [], "on": []}, {"off": [], "on": []}
                for r in range(reps):
                    g = np.random.default_rng([int(100 * q1), int(100 * q2), int(100 * rho), n, r])
                    z1 = g.standard_normal(n)
                    z2 = rho * z1 + np.sqrt(1 - rho**2) * g.standard_normal(n)
                    x, y = np.where(z1 > t1, np.exp(z1), 0.0), np.where(z2 > t2, np.exp(z2), 0.0)
                    for key in ("off", "on"):
                        est_mod.InfoAtlas._atom_split = split if key == "on" else (lambda *a, **k: None)
                        e = model.estimate(x, y)
                        err[key].append(abs(e.mi - mi))
                        cov[key].append(e.lower <= mi <= e.upper)
                est_mod.InfoAtlas._atom_split = split
                rows.append((np.mean(err["off"]), np.mean(cov["off"]), np.mean(err["on"]), np.mean(cov["on"])))
                print(f"| {q1:.0%} | {q2:.0%} | {rho} | {n:,} | {mi:.3f} | {np.mean(err['off']):.3f} | "
                      f"{np.mean(cov['off']):.0%} | {np.mean(err['on']):.3f} | {np.mean(cov['on']):.0%} |")
    a = np.array(rows)
    print(f"| all | | | | | {a[:, 0].mean():.3f} | {a[:, 1].mean():.0%} | {a[:, 2].mean():.3f} | {a[:, 3].mean():.0%} |")


def main(reps: int = 4) -> None:
    warnings.simplefilter("ignore")
    model = InfoAtlas.from_pretrained(random_state=0)
    ksg = KSG()
    split = est_mod.InfoAtlas._atom_split
    print("| zeros | rho | n | true MI | MAE network | coverage network | MAE split | coverage split | MAE KSG |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for q in (0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8):
        t = stats.norm.ppf(q)
        for rho in (0.3, 0.6, 0.9, 0.97):
            mi = truth(rho, t)
            for n in (1000, 5000):
                err = {"off": [], "on": [], "ksg": []}
                cov = {"off": [], "on": []}
                for r in range(reps):
                    g = np.random.default_rng([int(100 * q), int(100 * rho), n, r])
                    x = g.standard_normal(n)
                    z = rho * x + np.sqrt(1 - rho**2) * g.standard_normal(n)
                    y = np.where(z > t, np.exp(z), 0.0)
                    for key in ("off", "on"):
                        est_mod.InfoAtlas._atom_split = split if key == "on" else (lambda *a, **k: None)
                        e = model.estimate(x, y)
                        err[key].append(abs(e.mi - mi))
                        cov[key].append(e.lower <= mi <= e.upper)
                    err["ksg"].append(abs(ksg.estimate(x, y) - mi))
                est_mod.InfoAtlas._atom_split = split
                rows.append((q, np.mean(err["off"]), np.mean(cov["off"]), np.mean(err["on"]), np.mean(cov["on"]),
                             np.mean(err["ksg"])))
                print(f"| {q:.0%} | {rho} | {n:,} | {mi:.3f} | {np.mean(err['off']):.3f} | {np.mean(cov['off']):.0%} | "
                      f"{np.mean(err['on']):.3f} | {np.mean(cov['on']):.0%} | {np.mean(err['ksg']):.3f} |")
    a = np.array(rows)
    print(f"| all | | | | {a[:, 1].mean():.3f} | {a[:, 2].mean():.0%} | {a[:, 3].mean():.3f} | {a[:, 4].mean():.0%} | "
          f"{a[:, 5].mean():.3f} |")
    print("\nBy share of zeros (means over rho and n):\n")
    print("| zeros | MAE network | coverage network | MAE split | coverage split | MAE KSG |")
    print("|---|---|---|---|---|---|")
    for q in np.unique(a[:, 0]):
        m = a[a[:, 0] == q].mean(0)
        print(f"| {q:.0%} | {m[1]:.3f} | {m[2]:.0%} | {m[3]:.3f} | {m[4]:.0%} | {m[5]:.3f} |")
    main_both(model, split, reps)


if __name__ == "__main__":
    main()
