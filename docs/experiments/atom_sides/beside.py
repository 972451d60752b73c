"""Columns with atoms read by the discrete estimators (a label on a side, or a label against them).

    python docs/experiments/atom_sides/beside.py > docs/experiments/atom_sides/beside.md

Where a side has a discrete column the estimate goes to ``infoatlas.discrete`` (the chain rule over
the discrete columns, nearest neighbours within the categories; for a label against continuous
columns, nearest neighbours within its classes).  Two kinds of data with exact MI, 10 data sets a
row (seeds fixed below):

- "label beside": X = [C, zero-inflated columns], Y = zero-inflated columns, C a 3-class label
  independent of the rest and the other columns ``AtomBlocks`` pairs (the MI is theirs);
- "label against": C a balanced binary label, Y = d columns V_j ~ N(mu C, 1) set to 0 below a
  threshold holding ``share`` of the rows; I(C; Y) = E log p(y | c) / p(y) by Monte Carlo
  (400,000 draws, the exact mixed densities: Phi(t - mu c) on the atom, phi(v - mu c) off it).

"before": ``infoatlas.atoms.atom_columns`` replaced by one that finds no atoms (ties kept, as they
were); "after": the shipped estimator (ties broken for the chain rule only); "all broken": the ties
at every atom broken before the estimator reads the data (``infoatlas.discrete.break_ties``, the
estimator's seed), the rule first tried, which the "label against" rows turned down.
"""
import warnings

import numpy as np
from scipy import special, stats

import infoatlas
from infoatlas import atoms, discrete
from infoatlas.atlas.discrete import AtomBlocks
from probes import no_atoms  # beside this script


def label_against_truth(mu, share, d, m=400_000, seed=0):
    g = np.random.default_rng(seed)
    t = stats.norm.ppf(share)
    c = g.integers(0, 2, m)
    v = mu * c[:, None] + g.standard_normal((m, d))
    on = v <= t

    def logp(cc):  # log p(y | C = cc), (m,)
        return np.where(on, special.log_ndtr(t - mu * cc), stats.norm.logpdf(v - mu * cc)).sum(1)

    l0, l1 = logp(0), logp(1)
    lpy = np.logaddexp(l0, l1) + np.log(0.5)
    return float(np.mean(np.where(c == 1, l1, l0) - lpy))


def label_against(mu, share, d):
    t = stats.norm.ppf(share)

    def sample(n, g):
        c = g.integers(0, 2, n)
        v = mu * c[:, None] + g.standard_normal((n, d))
        return c.astype(float), np.where(v > t, np.exp(v), 0.0)
    return sample, label_against_truth(mu, share, d)


def label_beside(rhos, share):
    t = stats.norm.ppf(share)
    fam = AtomBlocks(rhos, [t] * len(rhos), [t] * len(rhos), amounts=True)

    def sample(n, g):
        x, y = fam.sample(n, g)
        return np.column_stack([g.integers(0, 3, n), x]), y
    return sample, fam.mutual_information()


ROWS = [("label beside", "1 column a side, rho 0.8, 60% zeros", label_beside([0.8], 0.6), 1000),
        ("label beside", "2 a side, rho 0.8 and 0.5, 60% zeros", label_beside([0.8, 0.5], 0.6), 1000),
        ("label beside", "2 a side, rho 0.6, 80% zeros", label_beside([0.6, 0.6], 0.8), 2000),
        ("label beside", "2 a side, independent, 60% zeros", label_beside([0.0, 0.0], 0.6), 1000),
        ("label against", "1 column, mu 1.5, 60% zeros", label_against(1.5, 0.6, 1), 1000),
        ("label against", "3 columns, mu 1, 60% zeros", label_against(1.0, 0.6, 3), 1000),
        ("label against", "3 columns, mu 1, 85% zeros", label_against(1.0, 0.85, 3), 2000),
        ("label against", "3 columns, independent, 60% zeros", label_against(0.0, 0.6, 3), 1000)]


def main(reps=10):
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print("| kind | data | n | MI | mean before | coverage before | mean after | coverage after | mean all broken "
          "| coverage all broken |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind, what, (sample, truth), n in ROWS:
        out = {}
        for version in ("before", "after", "all broken"):
            res = []
            for s in range(reps):
                x, y = sample(n, np.random.default_rng([s, n, 99]))
                if version == "before":
                    with no_atoms():
                        e = model.estimate(x, y)
                elif version == "all broken":
                    x2 = x.reshape(n, -1)  # the label (column 0 beside, or all of X) is never an atom
                    bx, by = discrete.break_ties(x2, y, atoms.atom_columns(x2, min_rest=1),
                                                 atoms.atom_columns(y, min_rest=1), 0)
                    e = model.estimate(bx, by)
                else:
                    e = model.estimate(x, y)
                res.append((e.mi, e.lower <= truth <= e.upper))
            out[version] = np.array(res)
        print(f"| {kind} | {what} | {n:,} | {truth:.3f} | " + " | ".join(
            f"{out[v][:, 0].mean():.3f} | {out[v][:, 1].mean():.0%}" for v in ("before", "after", "all broken")) + " |", flush=True)


if __name__ == "__main__":
    main()
