"""Sides on a curve in few columns (an angle as (cos, sin), a helix, a column padded with a
function of itself), a surface in 3 columns, and controls whose sides fill their columns: the
estimator before and after the curve check (``checks.curve_side`` flags a side of several columns
whose neighbourhoods are lines, ``knn.local_width`` of its whitened copula scores below 0.02, and
``checks._curve`` takes KSG in the joint space where it reads below the network).  KSG (k = 3) and
the Gaussian copula read the same data; the last table gives ``local_width`` of single sides.

    python docs/experiments/real_shapes/curves.py > docs/experiments/real_shapes/curves.md

"before": ``checks.CURVE_CHECK`` off; "after": the shipped estimator.  Same data for both (seed
stream 6; the rule was looked at on stream 5).
"""
import time
import warnings

import numpy as np
from scipy import integrate, stats

import infoatlas
from infoatlas import checks, features
from infoatlas.atlas.prior import make_task
from infoatlas.baselines.classical import KSG, GaussianCopula
from infoatlas.copula import copula_normal
from infoatlas.knn import local_width


def rho_mi(r):
    return -0.5 * np.log(1 - r * r)


def wrapped_mi(s):
    """I(Theta; Theta + s N mod 2 pi) = log 2 pi - h(wrapped normal(s)), by quadrature."""
    t = np.linspace(-np.pi, np.pi, 400_001)
    p = sum(stats.norm.pdf(t + 2 * np.pi * j, 0, s) for j in range(-6, 7))
    return np.log(2 * np.pi) + integrate.trapezoid(p * np.log(np.maximum(p, 1e-300)), t)


def angle(s, both=True):
    """Theta uniform, Phi = Theta + s N; Y = (cos, sin) Phi; X = (cos, sin) Theta, or Theta itself."""
    def sample(r, n):
        th = r.uniform(-np.pi, np.pi, n)
        ph = th + s * r.normal(size=n)
        x = np.c_[np.cos(th), np.sin(th)] if both else th[:, None]
        return x, np.c_[np.cos(ph), np.sin(ph)]
    return sample, wrapped_mi(s)


def helix(s):
    """t ~ N(0, 1), w = t + s N; X = (cos 2t, sin 2t, t) (a helix), Y = (w, w^3 / 3): MI of (t, w)."""
    def sample(r, n):
        t = r.normal(size=n)
        w = t + s * r.normal(size=n)
        return np.c_[np.cos(2 * t), np.sin(2 * t), t], np.c_[w, w ** 3 / 3]
    return sample, rho_mi(1 / np.sqrt(1 + s * s))


def padded(rho):
    """A normal pair (x, y), Y padded with sin 2y: I(x; (y, sin 2y)) = I(x; y)."""
    def sample(r, n):
        x = r.normal(size=n)
        y = rho * x + np.sqrt(1 - rho * rho) * r.normal(size=n)
        return x[:, None], np.c_[y, np.sin(2 * y)]
    return sample, rho_mi(rho)


def surface(s):
    """u ~ N(0, I_2); X = (u, sin u1 cos u2) (a surface in 3 columns), Y = u + s N(0, I_2)."""
    def sample(r, n):
        u = r.normal(size=(n, 2))
        return np.c_[u, np.sin(u[:, 0]) * np.cos(u[:, 1])], u + s * r.normal(size=(n, 2))
    return sample, 2 * rho_mi(1 / np.sqrt(1 + s * s))


def independent_circles():
    def sample(r, n):
        th, ph = r.uniform(-np.pi, np.pi, (2, n))
        return np.c_[np.cos(th), np.sin(th)], np.c_[np.cos(ph), np.sin(ph)]
    return sample, 0.0


def gauss(rho, d):
    def sample(r, n):
        x = r.normal(size=(n, d))
        return x, rho * x + np.sqrt(1 - rho * rho) * r.normal(size=(n, d))
    return sample, d * rho_mi(rho)


def beside(s):
    """(x, noise) against (x + s N, noise): sides that fill their columns."""
    def sample(r, n):
        x = r.normal(size=n)
        return np.c_[x, r.normal(size=n)], np.c_[x + s * r.normal(size=n), r.normal(size=n)]
    return sample, rho_mi(1 / np.sqrt(1 + s * s))


CURVES = {"angle (cos, sin) both sides, s = 1": angle(1.0), "angle both sides, s = 0.3": angle(0.3),
          "angle both sides, s = 0.1": angle(0.1), "angle one side, s = 0.3": angle(0.3, both=False),
          "helix in 3 columns, s = 0.5": helix(0.5), "helix in 3 columns, s = 0.1": helix(0.1),
          "y padded with sin 2y, rho 0.8": padded(0.8), "y padded with sin 2y, rho 0.97": padded(0.97),
          "independent circles": independent_circles()}
CONTROLS = {"surface in 3 columns, s = 0.3": surface(0.3), "surface in 3 columns, s = 0.1": surface(0.1),
            "Gaussian 2 + 2, rho 0.9": gauss(0.9, 2), "Gaussian 3 + 3, rho 0.95": gauss(0.95, 3),
            "Gaussian 3 + 3, rho 0.5": gauss(0.5, 3), "noise beside, s = 0.5": beside(0.5)}


def main(reps=6):
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    ksg, gc = KSG(), GaussianCopula()
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print(f"{reps} data sets a cell; MAE in nats and 90% coverage; flagged: share of data sets given the curve "
          "note; time: after / before, summed over the cell.\n")
    for title, cases in (("Sides on a curve", CURVES), ("Controls (sides on a surface or filling their columns)", CONTROLS)):
        print(f"## {title}\n")
        print("| data | n | MI | MAE before | MAE after | MAE KSG | MAE GC | coverage before | coverage after | "
              "flagged | time |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for name, (sample, truth) in cases.items():
            for n in (1000, 5000):
                before, after, kk, gg, tb, ta = [], [], [], [], 0.0, 0.0
                for s in range(reps):
                    x, y = sample(np.random.default_rng([s, n, 6]), n)
                    checks.CURVE_CHECK = False
                    t0 = time.perf_counter()
                    before.append(model.estimate(x, y))
                    checks.CURVE_CHECK = True
                    t1 = time.perf_counter()
                    after.append(model.estimate(x, y))
                    tb, ta = tb + t1 - t0, ta + time.perf_counter() - t1
                    kk.append(ksg.estimate(x, y))
                    gg.append(gc.estimate(x, y))

                def mae(v):
                    return f"{np.mean(np.abs(np.asarray(v) - truth)):.3f}"

                def cover(es):
                    return f"{np.mean([e.lower <= truth <= e.upper for e in es]):.0%}"
                flagged = np.mean([any("lies on a curve" in t for t in e.notes) for e in after])
                print(f"| {name} | {n:,} | {truth:.3f} | {mae([e.mi for e in before])} | {mae([e.mi for e in after])} | "
                      f"{mae(kk)} | {mae(gg)} | {cover(before)} | {cover(after)} | {flagged:.0%} | {ta / tb:.2f} |",
                      flush=True)
        print()
    width_table()


def width_table(n=2000):
    """local_width of the whitened copula scores of single sides (n rows, the first 1,000 read, as
    the check reads at most 1,000): sides on a curve read about 0."""
    r = np.random.default_rng(7)
    th, t, u = r.uniform(-np.pi, np.pi, n), r.normal(size=n), r.normal(size=(n, 2))
    sides = {"circle (cos, sin)": np.c_[np.cos(th), np.sin(th)],
             "circle + 0.05 N": np.c_[np.cos(th), np.sin(th)] + 0.05 * r.normal(size=(n, 2)),
             "helix (cos 2t, sin 2t, t)": np.c_[np.cos(2 * t), np.sin(2 * t), t], "(y, sin 2y)": np.c_[t, np.sin(2 * t)],
             "surface (u, sin u1 cos u2)": np.c_[u, np.sin(u[:, 0]) * np.cos(u[:, 1])],
             "normal, 2 columns": r.normal(size=(n, 2)), "normal, 3 columns": r.normal(size=(n, 3)),
             "thin ellipse (t, t + 0.01 N)": np.c_[t, t + 0.01 * r.normal(size=n)],
             "Student t (1.5 dof), 3 columns": r.standard_t(1.5, size=(n, 3)), "uniform, 3 columns": r.uniform(size=(n, 3)),
             "5 tight clusters, 3 columns": 0.05 * r.normal(size=(n, 3)) + r.integers(5, size=n)[:, None]}
    for fam in ("gauss_block", "student_t_flow", "additive_uniform", "mixture_heldout", "clayton_pairs"):
        x, y = make_task(fam, 3, 3, 2.0, np.random.default_rng(1), train=False).sample(n, np.random.default_rng(2))
        sides[f"held-out {fam}, X (3 columns)"], sides[f"held-out {fam}, Y (3 columns)"] = x, y
    print("## local_width of single sides (whitened copula scores, 1,000 rows; flagged below 0.02)\n")
    print("| side | local width |")
    print("|---|---|")
    for name, a in sides.items():
        print(f"| {name} | {local_width(features.whitened(copula_normal(a)[0][:1000])):.4f} |")


if __name__ == "__main__":
    main()
