"""How the half-samples' bias term of Ross's estimate was chosen (selection seed 202; compare.py
evaluates the choice on seed 203).

Ross's estimate of labels of 10-100 classes against 1, 2 or 8 columns (as compare.py) at n rows,
and its mean over 8 half-samples (n / 2 rows) and 8 quarter-samples (n / 4), without replacement.
With d1 = mean(half) - estimate, d2 = mean(quarter) - mean(half) and the half-samples' variance v,
each rule is an interval estimate +- 1.645 s:

- rate 1 (before): s^2 = v + d1^2, the bias falling as 1/n;
- rate 1/2: s^2 = v + (d1 / (sqrt(2) - 1))^2, the bias falling as n^-1/2;
- fitted rate: a = log2(d2 / d1) clipped to [1/4, 1] (1 where d1, d2 differ in sign), s^2 = v + (d1 / (2^a - 1))^2;
- Richardson: the estimate less d1 (the bias removed as if 1/n), s^2 = 2 v + (2 d1)^2.

Ross's estimate alone (without the classifier's bound that the estimator adds for several columns).

    python docs/experiments/label_intervals/choose.py > docs/experiments/label_intervals/choose.md
"""
import collections

import numpy as np

from infoatlas import discrete
from infoatlas.atlas.discrete import ClassConditional

SEED, REPS, Z = 202, 8, 1.645


def label_data(seed, reps):
    """(k, d, s, n, r, truth, c (n,), y (n, d)): labels of k equiprobable classes, Y = mu_C + s N(0, I_d)
    (class means standard normal), MI by Monte Carlo on 200,000 draws; shared with compare.py."""
    for k in (10, 20, 50, 100):
        for d in (1, 2, 8):
            for s in (0.3, 1.0):
                mus = np.random.default_rng([seed, k, d]).normal(size=(k, d))
                truth = ClassConditional(np.ones(k), mus / s, draws=200_000).mutual_information()
                for n in (1000, 5000):
                    for r in range(reps):
                        rng = np.random.default_rng([seed, k, d, int(s * 10), n, r])
                        c = rng.integers(k, size=n)
                        yield k, d, s, n, r, truth, c, mus[c] + s * rng.normal(size=(n, d))


def collect():
    out = []
    for k, d, s, n, r, truth, c, y in label_data(SEED, REPS):
        sub = np.random.default_rng([SEED, 7, r])
        ross = lambda i: discrete.ross_mi(y[i], discrete.codes(c[i, None])[0])  # noqa: E731
        half = [ross(sub.choice(n, n // 2, replace=False)) for _ in range(8)]
        quarter = [ross(sub.choice(n, n // 4, replace=False)) for _ in range(8)]
        out.append(dict(k=k, d=d, s=s, n=n, truth=truth, full=ross(slice(None)), half=half, quarter=quarter))
    return out


RULES = ("rate 1 (before)", "rate 1/2 (taken)", "fitted rate", "Richardson")


def interval(r, rule):
    mi, h, q = max(r["full"], 0.0), np.array(r["half"]), np.array(r["quarter"])
    d1, d2, v = h.mean() - r["full"], q.mean() - h.mean(), h.var(ddof=1)
    if rule == "rate 1 (before)":
        s = np.sqrt(v + d1 ** 2)
    elif rule == "rate 1/2 (taken)":
        s = np.sqrt(v + (d1 / (np.sqrt(2) - 1)) ** 2)
    elif rule == "fitted rate":
        a = min(max(np.log2(d2 / d1), 0.25), 1.0) if d1 * d2 > 0 else 1.0
        s = np.sqrt(v + (d1 / (2 ** a - 1)) ** 2)
    else:
        mi, s = max(r["full"] - d1, 0.0), np.sqrt(2 * v + (2 * d1) ** 2)
    return mi, max(mi - Z * s, 0.0), mi + Z * s


def table(recs):
    cells = collections.defaultdict(list)
    for r in recs:
        cells[(r["k"], r["d"], r["s"], r["n"])].append(r)
    print(f"Ross's estimate of labels against continuous columns, seed {SEED}, {REPS} data sets a cell: MAE, 90% "
          "coverage and mean width (nats) of each rule's interval.\n")
    print("| classes | columns | s | n | MI | " + " | ".join(RULES) + " |")
    print("|---|---|---|---|---|" + "---|" * len(RULES))
    total = collections.defaultdict(list)
    for (k, d, s, n), rs in sorted(cells.items()):
        t = rs[0]["truth"]
        parts = []
        for rule in RULES:
            got = [(abs(mi - t), lo <= t <= up, up - lo) for mi, lo, up in (interval(r, rule) for r in rs)]
            total[rule] += got
            a = np.array(got)
            parts.append(f"{a[:, 0].mean():.3f} / {a[:, 1].mean():.0%} / {a[:, 2].mean():.2f}")
        print(f"| {k} | {d} | {s} | {n:,} | {t:.3f} | " + " | ".join(parts) + " |")
    print("\n| rule | MAE | coverage | mean width | median width |")
    print("|---|---|---|---|---|")
    for rule in RULES:
        a = np.array(total[rule])
        print(f"| {rule} | {a[:, 0].mean():.4f} | {a[:, 1].mean():.1%} | {a[:, 2].mean():.3f} | "
              f"{np.median(a[:, 2]):.3f} |")


if __name__ == "__main__":
    table(collect())
