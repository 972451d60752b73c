"""Independent sides with few-valued columns read as numbers, with their ties kept and broken.

    python docs/experiments/mixed_sides/probes.py > docs/experiments/mixed_sides/probes.md

X as described, Y one standard normal column independent of it (truth 0); 12 data sets per row,
seed 2.  "kept": ``infoatlas.discrete.break_ties`` replaced by a pass-through (the tied columns
reach the network as they are); "broken": as shipped.  Items: integers 1-5, uniform.  Columns of
only a few joint values (three binary columns: 8) are categories under the automatic rule and go
to the categorical estimators in both; they are listed for comparison.

The second table: the left and right halves of scikit-learn's digits images (32 columns of 0-16 a
side, 1,797 rows; truth unknown), read the same two ways.
"""
import warnings

import numpy as np
from sklearn.datasets import load_digits

import infoatlas
from infoatlas import discrete


def main():
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    rng = np.random.default_rng(2)
    sides = [("11 continuous columns", lambda n: rng.normal(size=(n, 11))),
             ("age + 10 items", lambda n: np.column_stack([rng.normal(size=n), rng.integers(1, 6, (n, 10))])),
             ("10 items", lambda n: rng.integers(1, 6, (n, 10)).astype(float)),
             ("age + 3 items", lambda n: np.column_stack([rng.normal(size=n), rng.integers(1, 6, (n, 3))])),
             ("age + income + 3 binary columns", lambda n: np.column_stack([rng.normal(size=(n, 2)),
                                                                           rng.integers(0, 2, (n, 3))]))]
    saved = discrete.break_ties
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print("| X | n | mean kept | largest kept | lower end > 0, kept | mean broken | largest broken | lower end > 0, broken |")
    print("|---|---|---|---|---|---|---|---|")
    for name, make in sides:
        for n in (500, 2000):
            data = [(make(n).astype(float), rng.normal(size=n)) for _ in range(12)]
            out = {}
            for label in ("kept", "broken"):
                if label == "kept":
                    discrete.break_ties = lambda ax, ay, mx, my, random_state: (ax, ay)
                try:
                    out[label] = [model.estimate(x, y) for x, y in data]
                finally:
                    discrete.break_ties = saved
            cells = [f"{np.mean([e.mi for e in es]):.3f} | {np.max([e.mi for e in es]):.3f} | "
                     f"{sum(e.lower > 0 for e in es)} of 12" for es in (out["kept"], out["broken"])]
            print(f"| {name} | {n:,} | {cells[0]} | {cells[1]} |")
    digits = load_digits().data
    out = {}
    for label in ("kept", "broken"):
        if label == "kept":
            discrete.break_ties = lambda ax, ay, mx, my, random_state: (ax, ay)
        try:
            out[label] = model.estimate(digits[:, :32], digits[:, 32:])
        finally:
            discrete.break_ties = saved
    print("\n| data | n | kept | kept interval | broken | broken interval |")
    print("|---|---|---|---|---|---|")
    k, b = out["kept"], out["broken"]
    print(f"| digits, left vs right half | {digits.shape[0]:,} | {k.mi:.3f} | [{k.lower:.3f}, {k.upper:.3f}] "
          f"| {b.mi:.3f} | [{b.lower:.3f}, {b.upper:.3f}] |")


if __name__ == "__main__":
    main()
