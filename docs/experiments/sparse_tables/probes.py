"""The data sets that showed the problem, before and after the sparse-table rules.

    python docs/experiments/sparse_tables/probes.py > docs/experiments/sparse_tables/probes.md

Independent few-valued columns (truth 0), independent many-valued labels (truth 0, declared
discrete), and the left and right halves of scikit-learn's digits images (truth unknown; the
data hold 1,797 rows, so the plug-in entropy of either half is at most log 1,797 = 7.49 nats).
"Before" replaces the three rules with pass-throughs (see compare.py).
"""
import warnings

import numpy as np
from sklearn.datasets import load_digits

import infoatlas
from infoatlas import discrete
from infoatlas.estimator import InfoAtlas


def main():
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    rng = np.random.default_rng(0)
    cases = []
    for d in (3, 10):
        for n in (500, 2000):
            cases.append((f"independent, {d} columns of 5 levels a side", n,
                          rng.integers(0, 5, (n, d)).astype(float), rng.integers(0, 5, (n, d)).astype(float), {}))
    for n in (200, 2000):
        cases.append(("independent 100-valued labels, declared", n, rng.integers(0, 100, n),
                      rng.integers(0, 100, n), {"discrete_x": True, "discrete_y": True}))
    digits = load_digits().data
    cases.append(("digits, left vs right half (32 columns each, 0-16)", digits.shape[0], digits[:, :32], digits[:, 32:], {}))
    saved = discrete.auto_joint, discrete.sparse_table_check, InfoAtlas._bracketed
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print("| data | n | before | before interval | after | after interval |")
    print("|---|---|---|---|---|---|")
    for name, n, x, y, kw in cases:
        out = []
        for rules in (False, True):
            if not rules:
                discrete.auto_joint = lambda spec, arr, mask, cat, nm: (mask, ())
                discrete.sparse_table_check = lambda cx, cy, mi, lo, hi, rs: (mi, lo, hi, [])
                InfoAtlas._bracketed = lambda self, planned, ax, ay, k=3: planned
            try:
                out.append(model.estimate(x, y, **kw))
            finally:
                discrete.auto_joint, discrete.sparse_table_check, InfoAtlas._bracketed = saved
        b, a = out
        print(f"| {name} | {n:,} | {b.mi:.3f} | [{b.lower:.3f}, {b.upper:.3f}] | {a.mi:.3f} | [{a.lower:.3f}, {a.upper:.3f}] |")
    print("\nThe jackknife table (`discrete.table_mi`) on two independent uniform k-valued labels, mean and largest "
          "of 20 draws (seed 1):\n")
    print("| k | n | rows per cell | mean | largest |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(1)
    for k, n in ((5, 100), (10, 100), (10, 200), (20, 100), (20, 200), (20, 1000), (50, 1000), (125, 1000), (125, 5000)):
        v = [discrete.table_mi(rng.integers(0, k, n), rng.integers(0, k, n)) for _ in range(20)]
        print(f"| {k} | {n:,} | {n / k / k:.2f} | {np.mean(v):.3f} | {np.max(v):.3f} |")


if __name__ == "__main__":
    main()
